import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { runPool } from '../util/pool';
import { readJson } from './area';
import type { HistoryKind, HistoryRecord, StatusRecord } from './records';

/**
 * Every recorded operation of the given kinds, oldest first. Records that cannot be read
 * as history (hand-edited, foreign) are skipped and counted, not trusted.
 */
export async function readHistory(store: ObjectStore, area: Location, kinds: readonly HistoryKind[], options: { since?: Date } = {}): Promise<{ records: HistoryRecord[]; unreadable: number }> {
  if (!(await store.bucketExists(area.bucket))) return { records: [], unreadable: 0 };
  const keys: string[] = [];
  for (const kind of kinds) {
    for await (const object of store.list(area.bucket, `${area.prefix}history/${kind}/`)) {
      if (object.key.endsWith('.json')) keys.push(object.key);
    }
  }
  let unreadable = 0;
  const records: HistoryRecord[] = [];
  await runPool(keys, 16, async (key) => {
    const record = await readJson<HistoryRecord>(store, area.bucket, key).catch(() => undefined);
    if (!isHistoryRecord(record)) { unreadable += 1; return; }
    if (options.since && Date.parse(record.at) < options.since.getTime()) return;
    records.push(record);
  });
  records.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { records, unreadable };
}

/** The latest outcome of every kind of operation on every subject. */
export async function readStatuses(store: ObjectStore, area: Location): Promise<StatusRecord[]> {
  if (!(await store.bucketExists(area.bucket))) return [];
  const keys: string[] = [];
  for await (const object of store.list(area.bucket, `${area.prefix}status/`)) {
    if (object.key.endsWith('.json')) keys.push(object.key);
  }
  const statuses: StatusRecord[] = [];
  await runPool(keys, 16, async (key) => {
    const status = await readJson<StatusRecord>(store, area.bucket, key).catch(() => undefined);
    if (status?.format === 'lakevault.status' && typeof status.subject === 'string' && status.last) statuses.push(status);
  });
  return statuses.sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
}

function isHistoryRecord(value: unknown): value is HistoryRecord {
  const r = value as HistoryRecord | undefined;
  return r?.format === 'lakevault.history' && typeof r.kind === 'string' && typeof r.subject === 'string' && typeof r.at === 'string'
    && !Number.isNaN(Date.parse(r.at)) && typeof r.ok === 'boolean' && typeof r.figures === 'object' && r.figures !== null;
}
