import { z } from 'zod';
import { ConflictError } from '../errors';
import { formatS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import { parseStoredJson } from '../util/stored-json';
import { TOOL_VERSION } from '../version';
import { writeJson } from './manifest';
import { REPOSITORY_FOLDER, type SnapshotRepository } from './repository';

/**
 * A repository states its format in <root>/_lakevault/repository.json. Format 2 files each
 * source location's snapshots under `<name>-<hash>/`; format 1 (lakevault 0.1.0, which
 * wrote no such file) filed them under the table's last segment. A repository's format is
 * the layout new snapshots are written in: lakevault reads both layouts, writes format 2,
 * and refuses a repository of a newer format than it knows. `lakevault repo upgrade`
 * moves format-1 folders; while an upgrade is under way (or was interrupted) the file says
 * so, and nothing but the upgrade writes to the repository.
 */
export const REPOSITORY_FORMAT_VERSION = 2;
export const REPOSITORY_MARKER = `${REPOSITORY_FOLDER}/repository.json`;

export const repositoryMarkerSchema = z.object({
  format: z.literal('lakevault.repository'),
  formatVersion: z.literal(REPOSITORY_FORMAT_VERSION),
  toolVersion: z.string(),
  createdAt: z.string(),
  /** Set while `repo upgrade` moves format-1 folders; cleared when it has finished. */
  upgrading: z.object({ from: z.number().int(), startedAt: z.string(), toolVersion: z.string() }).optional(),
});
export type RepositoryMarker = z.infer<typeof repositoryMarkerSchema>;

/** The repository's format marker; undefined when there is none (a new or a format-1 repository). */
export async function readRepositoryMarker(store: ObjectStore, repo: SnapshotRepository): Promise<RepositoryMarker | undefined> {
  const key = repo.root.prefix + REPOSITORY_MARKER;
  if (!(await store.head(repo.root.bucket, key))) return undefined;
  const text = Buffer.from(await store.getBytes(repo.root.bucket, key)).toString('utf8');
  return parseStoredJson(repositoryMarkerSchema, text, `s3://${repo.root.bucket}/${key}`, { format: 'lakevault.repository', newest: REPOSITORY_FORMAT_VERSION }).value;
}

export async function writeRepositoryMarker(store: ObjectStore, repo: SnapshotRepository, marker: RepositoryMarker): Promise<void> {
  await writeJson(store, repo.root.bucket, repo.root.prefix + REPOSITORY_MARKER, marker);
}

export function newRepositoryMarker(): RepositoryMarker {
  return { format: 'lakevault.repository', formatVersion: REPOSITORY_FORMAT_VERSION, toolVersion: TOOL_VERSION, createdAt: new Date().toISOString() };
}

/**
 * Refuses to read a repository of a newer format (the marker's parse says which lakevault
 * wrote it); false when its bucket does not exist (nothing to read).
 */
export async function checkReadable(store: ObjectStore, repo: SnapshotRepository): Promise<boolean> {
  if (!(await store.bucketExists(repo.root.bucket))) return false;
  await readRepositoryMarker(store, repo);
  return true;
}

/** Before a snapshot is deleted: the repository is one this lakevault writes, and no upgrade is under way. */
export async function refuseDuringUpgrade(store: ObjectStore, repo: SnapshotRepository): Promise<RepositoryMarker | undefined> {
  const marker = await readRepositoryMarker(store, repo);
  if (marker?.upgrading) {
    throw new ConflictError(`the repository ${formatS3Uri(repo.root)} is being upgraded (started ${marker.upgrading.startedAt} by lakevault ${marker.upgrading.toolVersion}); if that upgrade was interrupted, run \`lakevault repo upgrade ${formatS3Uri(repo.root)}\` again to finish it`);
  }
  return marker;
}

/** Before a snapshot is written: as for a delete, and the repository states its format (written on first use). */
export async function prepareForWriting(store: ObjectStore, repo: SnapshotRepository): Promise<void> {
  if (!(await refuseDuringUpgrade(store, repo))) await writeRepositoryMarker(store, repo, newRepositoryMarker());
}
