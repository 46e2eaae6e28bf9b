import type { Config } from '../config/config';
import { IntegrityError } from '../errors';
import { completeSnapshots } from '../snapshot/catalog';
import { backupRepository, checkpointRepository, snapshotUri, type SnapshotRepository } from '../snapshot/repository';
import { folderOf, type SnapshotManifest } from '../snapshot/manifest';
import { bucketVersioning, getObjectVersion, listObjectVersions, type ObjectVersion } from '../store/object-versions';
import type { S3Store } from '../store/s3-store';
import { parseTableManifest, readTableManifest, TABLE_MANIFEST, type TableManifest } from '../table/manifest';
import type { TableRef } from '../table/table-ref';

/**
 * A state of a table that lakevault knows of: the current generation, a backup, a
 * checkpoint, or an earlier generation whose manifest a versioned bucket still holds.
 */
export interface TablePoint {
  kind: 'current' | 'backup' | 'checkpoint' | 'version';
  /** What `--as-of` accepts for it: `current`, the snapshot's id, the manifest version's id. */
  id: string;
  /**
   * When the table was in this state: the manifest's write (current, version: from then on
   * until the next one), or the snapshot's creation (the generation in force then).
   */
  at: string;
  generation: string;
  rows: number;
  contentDigest: string;
  /** Can lakevault bring this state back now? A version whose files' versions are gone cannot. */
  restorable: boolean;
  reason?: string;
  uri: string;
}

/** A delete marker on the table's manifest: from then on the table did not exist (until a later point). */
export interface TableDrop {
  at: string;
  versionId: string;
}

export interface VersioningState {
  bucket: string;
  status: 'Enabled' | 'Suspended' | 'Off' | 'unsupported' | 'unreadable';
  detail?: string;
}

/** Where a point's files are, for the commands that read or restore it (not part of the report). */
export type PointSource =
  | { kind: 'table'; manifest: TableManifest }
  | { kind: 'snapshot'; repo: SnapshotRepository; manifest: SnapshotManifest }
  | { kind: 'version'; manifest: TableManifest; versionIds: Map<string, string> };

export interface HeldPoint {
  point: TablePoint;
  source?: PointSource;
}

export interface TableHistory {
  table: string;
  uri: string;
  versioning: VersioningState;
  /** Newest first. */
  points: HeldPoint[];
  /** Newest first. */
  drops: TableDrop[];
  notes: string[];
}

/**
 * Every point a table can be brought back to, newest first: its current generation, its
 * complete backups and checkpoints (of its location; with a manifest key, only those it
 * authenticates), and — when the table's bucket keeps versions — every earlier generation
 * whose manifest is still a noncurrent version, restorable when each of its files still
 * has a version with the ETag the manifest records.
 */
export async function tableHistory(store: S3Store, config: Pick<Config, 'backups' | 'checkpoints' | 'manifestKey'>, table: TableRef): Promise<TableHistory> {
  const versioning = await versioningOf(store, table.location.bucket);
  const points: HeldPoint[] = [];
  const drops: TableDrop[] = [];
  const notes: string[] = [];
  if (versioning.status === 'Enabled' || versioning.status === 'Suspended') {
    const found = await versionPoints(store, table);
    points.push(...found.points);
    drops.push(...found.drops);
    notes.push(...found.notes);
  } else {
    const current = await currentPoint(store, table);
    if (current) points.push(current);
  }
  for (const repo of [backupRepository(config), checkpointRepository(config)]) {
    for (const manifest of await completeSnapshots(store, repo, table.location)) {
      points.push({
        point: {
          kind: repo.kind, id: manifest.id, at: manifest.createdAt, generation: manifest.source.generation, rows: manifest.totals.rows,
          contentDigest: manifest.contentDigest, restorable: true, uri: snapshotUri(repo, folderOf(manifest), manifest.id),
        },
        source: { kind: 'snapshot', repo, manifest },
      });
    }
  }
  points.sort((a, b) => Date.parse(b.point.at) - Date.parse(a.point.at));
  drops.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return { table: table.name, uri: table.uri, versioning, points, drops, notes };
}

async function versioningOf(store: S3Store, bucket: string): Promise<VersioningState> {
  const setting = await bucketVersioning(store, bucket);
  if (setting.state === 'present') return { bucket, status: setting.value.status };
  if (setting.state === 'unsupported') return { bucket, status: 'unsupported', detail: `the server does not implement versioning (${setting.detail})` };
  return { bucket, status: 'unreadable', detail: setting.detail };
}

/** The table as it is, in force since its manifest was written. */
async function currentPoint(store: S3Store, table: TableRef): Promise<HeldPoint | undefined> {
  const manifest = await readTableManifest(store, table.location);
  if (!manifest) return undefined;
  const head = await store.head(table.location.bucket, table.location.prefix + TABLE_MANIFEST);
  const at = head?.lastModified?.toISOString() ?? manifest.createdAt;
  return { point: tablePoint('current', 'current', at, manifest, table.uri), source: { kind: 'table', manifest } };
}

function tablePoint(kind: 'current' | 'version', id: string, at: string, manifest: TableManifest, uri: string, missing?: string): TablePoint {
  return {
    kind, id, at, generation: manifest.generation, rows: manifest.totals.rows, contentDigest: manifest.contentDigest,
    restorable: missing === undefined, ...(missing !== undefined ? { reason: missing } : {}), uri,
  };
}

/**
 * The versions of everything under the table prefix, read once: the manifest's versions
 * are the table's generations (the latest stored one is the current table, a delete marker
 * a drop), the files' versions say which generations can still be brought back.
 */
async function versionPoints(store: S3Store, table: TableRef): Promise<{ points: HeldPoint[]; drops: TableDrop[]; notes: string[] }> {
  const { bucket, prefix } = table.location;
  const manifestKey = prefix + TABLE_MANIFEST;
  const byKey = new Map<string, ObjectVersion[]>();
  for await (const version of listObjectVersions(store, bucket, prefix)) {
    const list = byKey.get(version.key) ?? [];
    list.push(version);
    byKey.set(version.key, list);
  }
  const points: HeldPoint[] = [];
  const drops: TableDrop[] = [];
  const notes: string[] = [];
  for (const version of byKey.get(manifestKey) ?? []) {
    if (version.deleteMarker) {
      drops.push({ at: version.lastModified.toISOString(), versionId: version.versionId });
      continue;
    }
    const where = `s3://${bucket}/${manifestKey} version ${version.versionId}`;
    let manifest: TableManifest;
    try {
      manifest = parseTableManifest(Buffer.from(await getObjectVersion(store, bucket, manifestKey, version.versionId)).toString('utf8'), where);
    } catch (error) {
      // One bad old manifest (hand-edited, of a newer format) is not a point; the others still are.
      if (!(error instanceof IntegrityError)) throw error;
      notes.push(`${error.message}: not a point the table can be brought back to`);
      continue;
    }
    const versionIds = new Map<string, string>();
    let missing: string | undefined;
    for (const file of manifest.files) {
      const held = (byKey.get(prefix + file.key) ?? []).find((v) => !v.deleteMarker && v.etag === file.etag && v.size === file.bytes);
      if (held) versionIds.set(file.key, held.versionId);
      else missing ??= `${file.key} is no longer held (no version with ETag ${file.etag})`;
    }
    const at = version.lastModified.toISOString();
    if (version.isLatest) {
      points.push({ point: tablePoint('current', 'current', at, manifest, table.uri), source: { kind: 'table', manifest } });
    } else {
      points.push({
        point: tablePoint('version', version.versionId, at, manifest, table.uri, missing),
        ...(missing === undefined ? { source: { kind: 'version' as const, manifest, versionIds } } : {}),
      });
    }
  }
  return { points, drops, notes };
}
