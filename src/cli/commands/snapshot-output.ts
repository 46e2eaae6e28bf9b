import type { OrphanEntry, SnapshotSummary } from '../../snapshot/catalog';
import { formatBytes, formatCount, formatTable } from '../output';

/** Text table of backups or checkpoints (backup list, checkpoint list), and orphaned folders after it. */
export function snapshotTable(snapshots: SnapshotSummary[], orphans: OrphanEntry[], empty: string, kind: 'backup' | 'checkpoint'): string {
  const parts: string[] = [];
  if (snapshots.length === 0) parts.push(empty);
  else {
    const keyed = snapshots.some((s) => s.authenticated !== undefined);
    parts.push(formatTable(['id', 'source', 'created', 'rows', 'objects', 'bytes', 'state', 'locked until', ...(keyed ? ['authenticated'] : [])], snapshots.map((s) => [
      s.id, `${s.source}${s.layout === 1 ? ' (layout 1)' : ''}`, s.createdAt, s.rows !== undefined ? formatCount(s.rows) : '', s.objects ?? '',
      s.bytes !== undefined ? formatBytes(s.bytes) : '', s.empty ? `${s.state}, empty` : s.state, s.lockedUntil ?? '', ...(keyed ? [s.authenticated ? 'yes' : 'NO'] : []),
    ])));
  }
  if (orphans.length) {
    parts.push(`orphaned (no manifest and no marker: a delete was interrupted; \`lakevault ${kind} delete <id>\` removes what is left):`);
    parts.push(formatTable(['id', 'folder', 'objects', 'bytes'], orphans.map((o) => [o.id, o.uri, o.objects, formatBytes(o.bytes)])));
  }
  return parts.join('\n');
}
