import { keyUnder } from '../store/key-boundary';
import type { ObjectStore } from '../store/types';
import type { TableVersion, VersionFile } from '../sources/table-source';
import type { TableRef } from '../table/table-ref';
import type { SnapshotFileRecord, SnapshotManifest } from './manifest';
import type { SnapshotRepository } from './repository';
import { confirmRecorded, objectId } from './reuse-check';

/** One table file and what the snapshot does with it. */
export interface PlannedFile {
  file: VersionFile;
  /** The table's object the copy is pinned to. */
  source: { bucket: string; key: string; size: number; etag: string };
  /** Where it lands in this snapshot (own copy) … */
  destination: { bucket: string; key: string };
  /** … or the earlier snapshot's file it references instead (incremental). */
  reuse?: { bucket: string; key: string; etag: string; from: string };
}

export interface SnapshotPlan {
  generation: string;
  files: PlannedFile[];
}

/** A file's content identity: the same rows (digest) in the same bytes (size, source ETag). */
export function contentKey(digest: string | undefined, size: number, etag: string): string {
  return `${digest ?? ''}|${size}|${etag}`;
}

/**
 * Decides, for each file of the table's version, where the snapshot's copy goes and
 * whether an earlier complete snapshot already holds the same content (incremental:
 * matched by content digest, size and source ETag, and confirmed to be still there with
 * the size and ETag recorded for it: see reuse-check.ts).
 */
export async function planSnapshot(
  store: ObjectStore,
  repo: SnapshotRepository,
  table: TableRef,
  version: TableVersion,
  series: string,
  id: string,
  earlier: SnapshotManifest[],
  options: { concurrency?: number } = {},
): Promise<SnapshotPlan> {
  const at = repo.snapshotLocation(series, id);
  const where = `table ${table.uri}`;
  const reusable = new Map<string, { record: SnapshotFileRecord; from: string }>();
  if (repo.incremental) {
    for (const manifest of earlier) {
      for (const record of manifest.files) {
        const key = contentKey(record.digest, record.size, record.sourceEtag);
        if (!reusable.has(key)) reusable.set(key, { record, from: manifest.id });
      }
    }
  }
  const { bucket, prefix } = table.location;
  const matches = new Map<VersionFile, { record: SnapshotFileRecord; from: string }>();
  for (const file of version.files) {
    const match = reusable.get(contentKey(file.digest, file.bytes, file.etag));
    if (match) matches.set(file, match);
  }
  const present = matches.size === 0 ? new Set<string>() : await confirmRecorded(
    store,
    [...matches.values()].map(({ record }) => record),
    earlier.flatMap((manifest) => manifest.files),
    options.concurrency ?? 8,
  );
  const files: PlannedFile[] = [];
  for (const file of version.files) {
    const planned: PlannedFile = {
      file,
      source: { bucket, key: keyUnder(prefix, file.key, where), size: file.bytes, etag: file.etag },
      destination: { bucket: at.bucket, key: keyUnder(at.prefix, file.key, where) },
    };
    const match = matches.get(file);
    if (match && present.has(objectId(match.record))) {
      planned.reuse = { bucket: match.record.bucket, key: match.record.key, etag: match.record.etag, from: match.from };
    }
    files.push(planned);
  }
  return { generation: version.generation, files };
}
