/**
 * How the library reports long work: events, never printing. Each event carries a
 * one-line message (what the CLI shows on a terminal) and the counters it was made from.
 */
export type Operation =
  | 'table.create' | 'table.write' | 'table.compact' | 'table.restore' | 'copy' | 'diff'
  | 'backup.create' | 'backup.copy' | 'backup.restore'
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
