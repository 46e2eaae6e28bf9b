import type { Command } from 'commander';
import { Lakevault } from '../api/client';
import { LakevaultError, NotFoundError } from '../errors';
import { configFrom, globalOptions } from './context';
import { createOutput, type Output } from './output';
import { checkMetricsFlags, publishMetrics, wantsMetrics } from './metrics-flags';

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
  checkMetricsFlags(options);
  const lv = await Lakevault.open({
    config: configFrom(options),
    onProgress: (event) => (event.operation === 'history' ? output.warn(event.message) : output.progress(event)),
  });
  let failed = false;
  try {
    return await body({ lv, output });
  } catch (error) {
    failed = true;
    throw lv.embedded ? nameEmbeddedStore(error, lv.context.config.home) : error;
  } finally {
    output.done();
    // Metrics go out after failures too: a failed backup must show in them.
    if (wantsMetrics(options)) await publishMetrics(lv, options).catch((error: unknown) => metricsFailed(error, output, failed));
    await lv.close();
  }
}

/**
 * A "not found" on the embedded store says which store it looked in: run from another
 * directory, a command may use another store than the one the user filled.
 */
function nameEmbeddedStore(error: unknown, home: string): unknown {
  if (error instanceof NotFoundError) error.message += ` (in the embedded store at ${home}; LAKEVAULT_HOME or the nearest .lakevault/ above the working directory chooses it)`;
  return error;
}

/** Metrics asked for and not delivered fail the command (exit 1), after its own result was printed. */
export function metricsFailed(error: unknown, output: Output, alreadyFailed: boolean): void {
  const message = `metrics not published: ${(error as Error).message.split('\n')[0]}`;
  if (alreadyFailed) { output.warn(message); return; }
  throw Object.assign(error instanceof LakevaultError ? error : new LakevaultError('UNREACHABLE', message), { message, reported: true });
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
