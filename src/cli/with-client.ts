import type { Command } from 'commander';
import { Lakevault } from '../api/client';
import { LakevaultError } from '../errors';
import { configFrom, globalOptions } from './context';
import { createOutput, type Output } from './output';

export interface ClientContext {
  lv: Lakevault;
  output: Output;
}

/**
 * Runs a command body with a library client: configuration checked before any request
 * (exit 2), progress events drawn on stderr when it is a terminal, the client always
 * closed. The CLI is a thin layer over the library: commands parse flags, call `lv`,
 * and print what it returns.
 */
export async function withClient<T>(command: Command, body: (context: ClientContext) => Promise<T>): Promise<T> {
  const options = globalOptions(command);
  const output = createOutput(options.json === true);
  const lv = await Lakevault.open({ config: configFrom(options), onProgress: (event) => output.progress(event.message) });
  try {
    return await body({ lv, output });
  } finally {
    output.done();
    await lv.close();
  }
}

/**
 * Prints a call's report (JSON or text). An operation that finished but failed its
 * validation throws with the whole report attached: that report is printed too, and the
 * error marked so the CLI adds its one error line but no second JSON document.
 */
export async function printResult<T>(output: Output, call: Promise<T>, text: (report: T) => string): Promise<T> {
  let result: T;
  try {
    result = await call;
  } catch (error) {
    const report = (error as { report?: T }).report;
    if (error instanceof LakevaultError && report !== undefined) {
      output.result(report, text);
      throw Object.assign(error, { reported: true });
    }
    throw error;
  }
  output.result(result, text);
  return result;
}
