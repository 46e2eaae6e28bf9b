/**
 * How the library reports long work: events, never printing. Each event carries a
 * one-line message (what the CLI shows on a terminal) and the counters it was made from.
 */
export type Operation =
  | 'table.create' | 'table.write' | 'table.compact' | 'table.restore' | 'copy' | 'diff'
  | 'backup.create' | 'backup.restore'
  | 'checkpoint.create' | 'recover' | 'drill'
  | 'validate' | 'audit' | 'doctor' | 'repo.upgrade'
  /** A report that could not be recorded in the repository (detail.warning). */
  | 'history';

export interface ProgressEvent {
  operation: Operation;
  /** One human-readable line, e.g. "backup vendas: 12/40 objects, 3.1 MiB". */
  message: string;
  /** The counters behind the message (objects, bytes, rows, files, step…). */
  detail: Record<string, number | string>;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Sends an event to the per-call listener and the client-wide one (either may be absent). */
export function progressSink(operation: Operation, ...listeners: (ProgressListener | undefined)[]) {
  const targets = listeners.filter((l): l is ProgressListener => l !== undefined);
  return (message: string, detail: Record<string, number | string>): void => {
    if (targets.length === 0) return;
    const event: ProgressEvent = { operation, message, detail };
    for (const listener of targets) listener(event);
  };
}

// Whole counts get their thousands separators here: toLocaleString builds a formatter per
// call (a tenth of a copy's own CPU when every copied object reported progress), and
// building even one loads ICU's number data, ~20 ms of a run. Anything else goes to ICU.
let counts: Intl.NumberFormat | undefined;

export function formatCount(n: number): string {
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
  counts ??= new Intl.NumberFormat('en');
  return counts.format(n);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
