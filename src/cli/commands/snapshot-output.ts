import type { LakevaultError } from '../../errors';
import type { SnapshotSummary } from '../../snapshot/catalog';
import { formatBytes, formatCount, formatTable } from '../output';

/** Text table of backups or checkpoints (backup list, checkpoint list). */
export function snapshotTable(snapshots: SnapshotSummary[], empty: string): string {
  if (snapshots.length === 0) return empty;
  return formatTable(['id', 'table', 'created', 'rows', 'objects', 'bytes', 'state', 'locked until'], snapshots.map((s) => [
    s.id, s.table, s.createdAt, s.rows !== undefined ? formatCount(s.rows) : '', s.objects ?? '',
    s.bytes !== undefined ? formatBytes(s.bytes) : '', s.state, s.lockedUntil ?? '',
  ]));
}

/**
 * Marks an error whose details the command already printed as its result (a failed
 * validation): the CLI still prints the one error line and exits non-zero, but adds no
 * second JSON document to stdout.
 */
export function failedAfterReport<E extends LakevaultError>(error: E): E {
  return Object.assign(error, { reported: true });
}
