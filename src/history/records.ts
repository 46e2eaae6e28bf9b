import { randomBytes } from 'node:crypto';
import { stamp, subjectSegment } from './area';

/** The operations whose reports the repository keeps. */
export type HistoryKind = 'backup' | 'checkpoint' | 'drill' | 'validation' | 'audit';
export const HISTORY_KINDS: readonly HistoryKind[] = ['backup', 'checkpoint', 'drill', 'validation', 'audit'];

/**
 * The numbers of one operation that dashboards, alerts and the report use, taken from its
 * report. Only counts, sizes and times: no snapshot ids (they would be metric labels).
 */
export interface OperationFigures {
  /** backup, checkpoint: the snapshot's size and what this run copied or reused. */
  bytes?: number;
  objects?: number;
  rows?: number;
  copiedBytes?: number;
  reusedBytes?: number;
  reusedObjects?: number;
  /** drill */
  rtoSeconds?: number;
  rpoSeconds?: number;
  /** validation */
  bytesRead?: number;
  problems?: number;
  /** validation cycles: share of the subject verified in the current cycle (0..1), cycle number. */
  coverage?: number;
  cycle?: number;
  /** audit: findings by severity. */
  critical?: number;
  high?: number;
  medium?: number;
  low?: number;
  info?: number;
}

/** One operation as it is kept: `_lakevault/history/<kind>/<stamp>-<random>.json`. */
export interface HistoryRecord {
  format: 'lakevault.history';
  formatVersion: 1;
  kind: HistoryKind;
  /** What it was about: a table name or URI, a backup, "a vs b", or the store (audit). */
  subject: string;
  /** When it finished. */
  at: string;
  ok: boolean;
  durationMs: number;
  toolVersion: string;
  figures: OperationFigures;
  /** A failure without a report: the error's code and first line. */
  error?: { code: string; message: string };
  /** The operation's report, as the library returned it (or attached to its failure). */
  report?: unknown;
}

/**
 * The latest outcome of one kind of operation on one subject:
 * `_lakevault/status/<kind>/<subject>.json`. Metrics read these, not the whole history.
 */
export interface StatusRecord {
  format: 'lakevault.status';
  formatVersion: 1;
  kind: HistoryKind;
  subject: string;
  last: StatusEntry;
  lastSuccess?: StatusEntry;
  lastFailure?: StatusEntry;
  successes: number;
  failures: number;
}

export interface StatusEntry {
  at: string;
  ok: boolean;
  durationMs: number;
  figures: OperationFigures;
  /** The history record it summarises, relative to the operations area. */
  record: string;
}

export function historyKey(kind: HistoryKind, at: Date): string {
  return `history/${kind}/${stamp(at)}-${randomBytes(3).toString('hex')}.json`;
}

export function statusKey(kind: HistoryKind, subject: string): string {
  return `status/${kind}/${subjectSegment(subject)}.json`;
}

/** The figures of a report, by kind; unknown shapes give none rather than failing a record. */
export function figuresOf(kind: HistoryKind, report: unknown): OperationFigures {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reports of any version and shape, each field checked where it is read
  const r = (report ?? {}) as Record<string, any>;
  const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
  const pick = (values: Record<string, number | undefined>): OperationFigures =>
    Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as OperationFigures;
  switch (kind) {
    case 'backup':
    case 'checkpoint':
      return pick({ bytes: num(r.bytes), objects: num(r.objects), rows: num(r.rows), copiedBytes: num(r.copied?.bytes), reusedBytes: num(r.reused?.bytes), reusedObjects: num(r.reused?.objects) });
    case 'drill':
      return pick({ rtoSeconds: secondsOf(r.rto_ms), rpoSeconds: secondsOf(r.rpo_ms), rows: num(r.recovered_records), bytes: num(r.bytes), objects: num(r.objects) });
    case 'validation':
      return pick({
        bytesRead: num(r.bytesRead), objects: num(r.totals?.files), rows: num(r.totals?.rows), bytes: num(r.totals?.bytes),
        problems: Array.isArray(r.differences) && Array.isArray(r.fileErrors) ? r.differences.length + r.fileErrors.length : undefined,
        coverage: num(r.cycle?.coverage), cycle: num(r.cycle?.number),
      });
    case 'audit':
      return pick({ ...(r.summary?.findings ?? {}) });
  }
}

function secondsOf(ms: unknown): number | undefined {
  return typeof ms === 'number' && Number.isFinite(ms) ? ms / 1000 : undefined;
}
