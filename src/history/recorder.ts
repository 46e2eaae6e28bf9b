import { LakevaultError } from '../errors';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { TOOL_VERSION } from '../version';
import { readJson, writeJson } from './area';
import { figuresOf, historyKey, statusKey, type HistoryKind, type HistoryRecord, type StatusEntry, type StatusRecord } from './records';

/** Failures that changed nothing and say nothing about the data: bad input, an unknown name. */
const NOT_RECORDED = new Set(['USAGE', 'CONFIG', 'NOT_FOUND']);

export interface RecorderOptions {
  /** Off: operations run as before and nothing is written. */
  enabled: boolean;
  /** A record that could not be written (the operation's own outcome stands). */
  warn: (line: string) => void;
}

/**
 * Keeps the report of every backup, checkpoint, drill, validation and audit in the
 * repository's operations area, so a later run, another host, the metrics and the HTML
 * report see what happened. The API layer wraps each of those operations in `track`:
 * the one place where reports are recorded.
 *
 * Recording never changes an operation's outcome: it is skipped when the repository's
 * bucket does not exist (a validation must not create buckets), and a failed write is a
 * warning. Failures are recorded when they carry a report (a validation that found
 * corruption, a drill that did not recover) or come from the store; bad input is not.
 */
export class HistoryRecorder {
  constructor(private readonly store: ObjectStore, private readonly area: Location, private readonly options: RecorderOptions) {}

  async track<T>(kind: HistoryKind, subject: string, call: () => Promise<T>, subjectOf?: (report: T) => string | undefined): Promise<T> {
    const started = Date.now();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      if (isRecordedFailure(error)) {
        const report = (error as { report?: T }).report;
        const about = (report !== undefined ? subjectOf?.(report) : undefined) ?? subject;
        await this.record(kind, about, started, false, report, errorSummary(error));
      }
      throw error;
    }
    await this.record(kind, subjectOf?.(result) ?? subject, started, succeeded(result), result);
    return result;
  }

  private async record(kind: HistoryKind, subject: string, started: number, ok: boolean, report: unknown, error?: HistoryRecord['error']): Promise<void> {
    if (!this.options.enabled) return;
    try {
      if (!(await this.store.bucketExists(this.area.bucket))) return;
      const at = new Date();
      const key = historyKey(kind, at);
      const record: HistoryRecord = {
        format: 'lakevault.history', formatVersion: 1, kind, subject, at: at.toISOString(), ok,
        durationMs: Math.max(0, at.getTime() - started), toolVersion: TOOL_VERSION, figures: figuresOf(kind, report),
        ...(error ? { error } : {}),
        ...(report !== undefined ? { report } : {}),
      };
      await writeJson(this.store, this.area.bucket, this.area.prefix + key, record);
      await this.updateStatus(record, key);
    } catch (failure) {
      this.options.warn(`the ${kind} of ${subject} was not recorded in s3://${this.area.bucket}/${this.area.prefix}: ${(failure as Error).message.split('\n')[0]}`);
    }
  }

  /** Read, merge, write: two writers at once may lose one count, never a newer outcome for an older one. */
  private async updateStatus(record: HistoryRecord, key: string): Promise<void> {
    const statusAt = this.area.prefix + statusKey(record.kind, record.subject);
    const previous = await readJson<StatusRecord>(this.store, this.area.bucket, statusAt).catch(() => undefined);
    const entry: StatusEntry = { at: record.at, ok: record.ok, durationMs: record.durationMs, figures: record.figures, record: key };
    const newer = (a?: StatusEntry) => (a && a.at > entry.at ? a : entry);
    const status: StatusRecord = {
      format: 'lakevault.status', formatVersion: 1, kind: record.kind, subject: record.subject,
      last: newer(previous?.last),
      ...(record.ok ? { lastSuccess: newer(previous?.lastSuccess) } : previous?.lastSuccess ? { lastSuccess: previous.lastSuccess } : {}),
      ...(!record.ok ? { lastFailure: newer(previous?.lastFailure) } : previous?.lastFailure ? { lastFailure: previous.lastFailure } : {}),
      successes: (previous?.successes ?? 0) + (record.ok ? 1 : 0),
      failures: (previous?.failures ?? 0) + (record.ok ? 0 : 1),
    };
    await writeJson(this.store, this.area.bucket, statusAt, status);
  }
}

/** A report's own verdict: validations say ok, drills and recoveries recovery_valid, audits exitCode. */
function succeeded(report: unknown): boolean {
  const r = report as { ok?: unknown; recovery_valid?: unknown; exitCode?: unknown } | undefined;
  if (typeof r?.ok === 'boolean') return r.ok;
  if (typeof r?.recovery_valid === 'boolean') return r.recovery_valid;
  if (typeof r?.exitCode === 'number') return r.exitCode === 0;
  return true;
}

function isRecordedFailure(error: unknown): boolean {
  if ((error as { report?: unknown })?.report !== undefined) return true;
  return !(error instanceof LakevaultError && NOT_RECORDED.has(error.code));
}

function errorSummary(error: unknown): HistoryRecord['error'] {
  const code = error instanceof LakevaultError ? error.code : 'INTERNAL';
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return { code, message };
}
