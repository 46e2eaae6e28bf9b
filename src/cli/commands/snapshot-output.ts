import type { OrphanEntry, SnapshotSummary } from '../../snapshot/catalog';
import type { DeleteSnapshotResult } from '../../snapshot/delete';
import { formatBytes, formatCount, formatTable, plural } from '../output';

/** Text table of backups or checkpoints (backup list, checkpoint list), and orphaned folders after it. */
export function snapshotTable(snapshots: SnapshotSummary[], orphans: OrphanEntry[], empty: string, kind: 'backup' | 'checkpoint'): string {
  const parts: string[] = [];
  if (snapshots.length === 0) parts.push(empty);
  else {
    const keyed = snapshots.some((s) => s.authenticated !== undefined);
    const labelled = snapshots.some((s) => s.label !== undefined);
    parts.push(formatTable(['id', ...(labelled ? ['label'] : []), 'source', 'created', 'rows', 'objects', 'bytes', 'state', 'locked until', ...(keyed ? ['authenticated'] : [])], snapshots.map((s) => [
      s.id, ...(labelled ? [s.label ?? ''] : []), `${s.source}${s.layout === 1 ? ' (layout 1)' : ''}`, s.createdAt, s.rows !== undefined ? formatCount(s.rows) : '', s.objects ?? '',
      s.bytes !== undefined ? formatBytes(s.bytes) : '', s.empty ? `${s.state}, empty` : s.state, s.lockedUntil ?? '', ...(keyed ? [s.authenticated ? 'yes' : 'NO'] : []),
    ])));
  }
  if (orphans.length) {
    parts.push(`orphaned (no manifest and no marker: a delete was interrupted; \`lakevault ${kind} delete <id>\` removes what is left):`);
    parts.push(formatTable(['id', 'folder', 'objects', 'bytes'], orphans.map((o) => [o.id, o.uri, o.objects, formatBytes(o.bytes)])));
  }
  return parts.join('\n');
}

/** What `backup delete` and `checkpoint delete` removed and kept. */
export function deleteText(r: DeleteSnapshotResult): string {
  return `deleted ${r.state} ${r.kind} ${r.id}${r.source ? ` of ${r.source}` : ''}: ${plural(r.deletedObjects, 'object')} removed` +
    (r.keptForOthers ? `, ${formatCount(r.keptForOthers)} kept (other ${r.kind}s reference them)` : '') +
    (r.collected ? `, ${plural(r.collected, 'freed file')} of earlier deletes removed` : '');
}
