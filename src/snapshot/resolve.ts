import type { Config } from '../config/config';
import { ConflictError, IntegrityError } from '../errors';
import { isS3Uri, parseS3Uri, type Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { checkTableName } from '../table/naming';
import { resolveTable } from '../table/table-ref';
import { requireAuthentic } from './authentication';
import { findSnapshot, referenceByLabel, usableSnapshot, type SnapshotReference } from './catalog';
import { readSnapshotManifest, type SnapshotManifest } from './manifest';
import { backupRepository, checkpointRepository, isSnapshotId, snapshotRepository, type SnapshotRepository } from './repository';

/** A snapshot's name as given on the command line, parsed (parseSnapshotReference). */
export type ParsedSnapshotName = { root?: Location; reference: SnapshotReference; label?: undefined } | { label: string; root?: undefined; reference?: undefined };

/**
 * How a snapshot is named on the command line, parsed:
 *  - `<id>`: searched for in the whole repository;
 *  - `<table>/<id>`: a snapshot of the warehouse table `<table>` — of its location, not of
 *    whatever else has that name;
 *  - `s3://bucket/.../<series>/<id>/`: the snapshot's own folder (its repository is the rest);
 *  - anything else that is no s3:// URI: a label (`--name`), looked up in the repository.
 * Undefined when the text is none of these.
 */
export function parseSnapshotReference(config: Pick<Config, 'warehouse'>, text: string): ParsedSnapshotName | undefined {
  if (isS3Uri(text)) {
    const at = parseS3Uri(text);
    const segments = at.prefix.split('/').filter(Boolean);
    if (segments.length < 2 || !isSnapshotId(segments[segments.length - 1]!)) return undefined;
    const [series, id] = segments.slice(-2) as [string, string];
    return { root: { bucket: at.bucket, prefix: segments.slice(0, -2).map((s) => s + '/').join('') }, reference: { id, series } };
  }
  const slash = text.lastIndexOf('/');
  const id = text.slice(slash + 1);
  if (!isSnapshotId(id)) return text.trim() ? { label: text } : undefined;
  if (slash < 0) return { reference: { id } };
  return { reference: { id, of: resolveTable(config, checkTableName(text.slice(0, slash))).location } };
}

/**
 * A complete snapshot named by `<id>`, `<table>/<id>`, the s3:// URI of its folder or (unless
 * `labels` is false) its label, looked up in the backups, then the checkpoints (or only
 * `kinds`). Undefined when none matches; one that is incomplete, orphaned or not
 * authenticated by the manifest key is an error (it is never used), and so is a label
 * that names more than one snapshot.
 */
export async function resolveSnapshot(store: ObjectStore, config: Config, text: string, kinds: SnapshotRepository['kind'][] = ['backup', 'checkpoint'], { labels = true } = {}): Promise<{ repo: SnapshotRepository; manifest: SnapshotManifest } | undefined> {
  const key = config.manifestKey;
  const parsed = parseSnapshotReference(config, text);
  if (!parsed || (parsed.label !== undefined && !labels)) return undefined;
  const repos = kinds.map((kind) => (kind === 'backup' ? backupRepository(config) : checkpointRepository(config)));
  if (parsed.label !== undefined) return resolveLabel(store, repos, parsed.label);
  const { root, reference } = parsed;
  if (root) {
    for (const kind of kinds) {
      const repo = snapshotRepository(kind, root, kind === 'backup', key);
      const manifest = await readSnapshotManifest(store, repo, reference.series!, reference.id).catch((error: unknown) => {
        // Read as a repository of another kind, a manifest may not fit (its own copies are elsewhere).
        if (error instanceof IntegrityError && kinds.length > 1) return undefined;
        throw error;
      });
      if (manifest && manifest.kind === kind) {
        requireAuthentic(manifest, key, text);
        return { repo, manifest };
      }
    }
    return undefined;
  }
  for (const repo of repos) {
    const found = await findSnapshot(store, repo, reference);
    if (found) return { repo, manifest: usableSnapshot(repo, reference, found) };
  }
  return undefined;
}

/** The one complete snapshot a label names across these repositories (a backup and a checkpoint sharing it are ambiguous too). */
async function resolveLabel(store: ObjectStore, repos: SnapshotRepository[], label: string): Promise<{ repo: SnapshotRepository; manifest: SnapshotManifest } | undefined> {
  const matches: { repo: SnapshotRepository; reference: SnapshotReference }[] = [];
  for (const repo of repos) {
    const reference = await referenceByLabel(store, repo, label);
    if (reference) matches.push({ repo, reference });
  }
  if (matches.length > 1) throw new ConflictError(`label "${label}" names a backup and a checkpoint (${matches.map((m) => m.reference.id).join(', ')}): name one by its id`);
  const [match] = matches;
  if (!match) return undefined;
  return { repo: match.repo, manifest: usableSnapshot(match.repo, match.reference, await findSnapshot(store, match.repo, match.reference)) };
}
