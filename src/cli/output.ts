import { report } from '../api/report';
import { LakevaultError } from '../errors';
import type { ProgressEvent } from '../api/progress';
import { ProgressDisplay, type ProgressStream } from './progress-display';

/**
 * How a command talks to the user: one JSON document on stdout with --json, text
 * otherwise; progress and errors on stderr. Progress is drawn only on a terminal and never
 * with --json: a log or a pipeline sees the result and errors alone. Nothing here ever
 * prints a secret: commands hand over results that hold none.
 */
export interface Output {
  json: boolean;
  result<T>(value: T, text: (value: T) => string): void;
  /** A library progress event: a bar where its total is known, else a status line. */
  progress(event: ProgressEvent): void;
  /** A phase of work in phases (one line each). */
  phase(name: string): void;
  done(): void;
  warn(line: string): void;
}

export function createOutput(json: boolean, stderr: ProgressStream = process.stderr): Output {
  const display = !json && stderr.isTTY === true ? new ProgressDisplay(stderr) : undefined;
  return {
    json,
    result(value, text) {
      this.done();
      process.stdout.write(json ? JSON.stringify(value, jsonReplacer, 2) + '\n' : text(value).replace(/\n?$/, '\n'));
    },
    progress(event) {
      display?.event(event);
    },
    phase(name) {
      display?.startPhase(name);
    },
    done() {
      display?.done();
    },
    warn(line) {
      this.done();
      process.stderr.write(`lakevault: ${line}\n`);
    },
  };
}

export function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** The one line (and JSON document) a failed command leaves; returns the exit code. */
export function reportError(error: unknown, json: boolean): number {
  const known = error instanceof LakevaultError;
  const message = error instanceof Error ? error.message : String(error);
  const code = known ? error.code : 'INTERNAL';
  const exitCode = known ? error.exitCode : 1;
  process.stderr.write(`lakevault: error: ${message.split('\n')[0]}\n`);
  // An error whose result document was already printed (reported) adds no second one.
  if (json && !(error as { reported?: boolean }).reported) printErrorDocument(code, message);
  if (!known && process.env.LAKEVAULT_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return exitCode;
}

/** The document every command prints on stdout with --json when it fails (schemas/v1/error.json). */
export function printErrorDocument(code: string, message: string): void {
  process.stdout.write(JSON.stringify(report({ ok: false, error: { code, message } }), null, 2) + '\n');
}

// Number formats are shared with the library's progress messages.
export { formatBytes, formatCount, plural } from '../util/units';

/** Left-aligned columns for text tables. */
export function formatTable(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n');
}
