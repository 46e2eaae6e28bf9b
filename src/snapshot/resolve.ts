import type { Config } from '../config/config';
import { NotFoundError } from '../errors';
import { isS3Uri, parseS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import { readTableManifest } from '../table/manifest';
import { resolveTable } from '../table/table-ref';
import { describePrefix } from '../lake/describe';
import { findSnapshot, requireCompleteSnapshot } from './catalog';
import { snapshotFileSet, tableFileSet, type FileSet } from './file-set';
import { readSnapshotManifest, type SnapshotManifest } from './manifest';
import { backupRepository, checkpointRepository, isSnapshotId, snapshotRepository, type SnapshotRepository } from './repository';

/** `<id>` or `<table>/<id>`: how backups and checkpoints are named on the command line. */
function looksLikeSnapshotId(reference: string): boolean {
  const last = reference.slice(reference.lastIndexOf('/') + 1);
  return isSnapshotId(last) && !isS3Uri(reference);
}

/**
 * A snapshot named by `<id>`, `<table>/<id>` or the s3:// URI of its prefix, looked up in
 * the backups, then the checkpoints (or only `kinds`). Undefined when none matches; an
 * incomplete one is an error (it is never used).
 */
export async function resolveSnapshot(store: ObjectStore, config: Config, reference: string, kinds: SnapshotRepository['kind'][] = ['backup', 'checkpoint']): Promise<{ repo: SnapshotRepository; manifest: SnapshotManifest } | undefined> {
  if (isS3Uri(reference)) {
    const at = parseS3Uri(reference);
    const segments = at.prefix.split('/').filter(Boolean);
    if (segments.length < 2 || !isSnapshotId(segments[segments.length - 1]!)) return undefined;
    const [table, id] = segments.slice(-2) as [string, string];
    const root = { bucket: at.bucket, prefix: segments.slice(0, -2).map((s) => s + '/').join('') };
    for (const kind of kinds) {
      const repo = snapshotRepository(kind, root, kind === 'backup');
      const manifest = await readSnapshotManifest(store, repo, table, id);
      if (manifest && manifest.kind === kind) return { repo, manifest };
    }
    return undefined;
  }
  if (!looksLikeSnapshotId(reference)) return undefined;
  for (const kind of kinds) {
    const repo = kind === 'backup' ? backupRepository(config) : checkpointRepository(config);
    if (await findSnapshot(store, repo, reference)) return { repo, manifest: await requireCompleteSnapshot(store, repo, reference) };
  }
  return undefined;
}

/**
 * Finds what a user named on the command line — a table name, a backup or checkpoint id
 * (`<id>` or `<table>/<id>`), or an s3:// URI of a table or snapshot — and returns it as
 * a FileSet.
 */
export async function resolveFileSet(store: ObjectStore, config: Config, reference: string): Promise<FileSet> {
  const snapshot = await resolveSnapshot(store, config, reference);
  if (snapshot) return snapshotFileSet(snapshot.repo, snapshot.manifest);
  if (isS3Uri(reference) || /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(reference)) {
    const table = resolveTable(config, reference);
    const manifest = await readTableManifest(store, table.location);
    if (manifest) return tableFileSet(table, manifest);
    // A prefix lakevault did not write (Spark, DuckDB, Delta…): described by listing it (src/lake).
    if (isS3Uri(reference)) return (await describePrefix(store, table.location)).fileSet;
  }
  throw new NotFoundError(`"${reference}" is not a table, backup or checkpoint that lakevault knows`);
}
