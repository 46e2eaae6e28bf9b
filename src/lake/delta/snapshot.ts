import { IntegrityError, UsageError } from '../../errors';
import type { Location } from '../../store/location';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import { runPool } from '../../util/pool';
import { fileIdentity, parseCommit, type DeltaAction, type DeltaMetadata, type DeltaProtocol, type FileAction } from './actions';
import { readCheckpointActions } from './checkpoint';
import { commitKey, completeCheckpoints, parseLogFile, SIDECARS, type LogFile } from './log-files';
import { deletionVectorKey, relativeKeyOfPath } from './paths';

/** One live file of a Delta version. */
export interface LiveFile {
  /** Object key relative to the table prefix (the log's path, decoded). */
  relativeKey: string;
  /** Size the log records (checked against the object). */
  size?: number;
  partitionValues?: Record<string, string | null>;
  /** The deletion vector's own file, relative to the table prefix, when it has one. */
  deletionVectorKey?: string;
}

/** A Delta table as of one version: its live files and the log files up to that version. */
export interface DeltaSnapshot {
  version: number;
  /** The newest version the listing showed (a writer may have committed more since). */
  latestVersion: number;
  live: LiveFile[];
  /** Log objects (relative keys) a restored table needs to read as this version. */
  logKeys: string[];
  metadata?: DeltaMetadata;
  protocol?: DeltaProtocol;
  /** Where replay started: a checkpoint's version, or -1 for the first commit. */
  replayedFrom: number;
  notes: string[];
}

/**
 * Reconstructs version `version` (default: the newest listed) of a Delta table from the
 * log objects of ONE listing: the newest complete checkpoint at or below the version,
 * then every commit after it, in order. Commits are immutable (a writer creates each
 * version once, put-if-absent), so a writer committing meanwhile cannot change what this
 * version holds; the reads are also pinned to the ETags the listing showed.
 */
export async function readDeltaSnapshot(store: ObjectStore, table: Location, logObjects: ObjectInfo[], version?: number): Promise<DeltaSnapshot> {
  const uri = `s3://${table.bucket}/${table.prefix}`;
  const files = logObjects.map((o) => parseLogFile(o.key.slice(table.prefix.length)));
  const objects = new Map(logObjects.map((o) => [o.key.slice(table.prefix.length), o]));
  const commits = new Set(files.filter((f) => f.kind === 'commit').map((f) => f.version!));
  if (commits.size === 0) throw new IntegrityError(`${uri} has a _delta_log/ without any commit: not a readable Delta table`);
  const latestVersion = Math.max(...commits);
  const target = version ?? latestVersion;
  if (!commits.has(target)) {
    // Only a version the caller asked for can be missing: naming one the log lacks is a usage error.
    throw new UsageError(target > latestVersion
      ? `Delta table ${uri} has no version ${target} (latest is ${latestVersion})`
      : `Delta table ${uri}: the commit of version ${target} is gone (log cleaned up); versions ${Math.min(...commits)}..${latestVersion} are readable`);
  }

  const checkpoint = completeCheckpoints(files).find((c) => c.version <= target);
  const replayedFrom = checkpoint?.version ?? -1;
  const missing: number[] = [];
  for (let v = replayedFrom + 1; v <= target; v++) if (!commits.has(v)) missing.push(v);
  if (missing.length) {
    throw new IntegrityError(`version ${target} of Delta table ${uri} cannot be reconstructed: commits ${range(missing)} are missing${checkpoint ? ` after checkpoint ${checkpoint.version}` : ' and no checkpoint precedes them'}`);
  }

  // Checkpoint (and its sidecars) first, then commits in version order: later actions win.
  const batches: DeltaAction[][] = [];
  const sidecarKeys: string[] = [];
  if (checkpoint) {
    const read = (relativeKey: string, what: string) => {
      const object = objects.get(relativeKey);
      if (!object) throw new IntegrityError(`Delta table ${uri}: checkpoint ${checkpoint.version} needs ${what} ${relativeKey}, which is not under the prefix`);
      return readCheckpointActions(store, table.bucket, object);
    };
    const parts = (await Promise.all(checkpoint.parts.map((part) => read(part.relativeKey, 'part')))).flat();
    for (const action of parts) if (action.type === 'sidecar') sidecarKeys.push(sidecarKey(action.path, table, uri));
    batches.push(parts);
    const sidecars: DeltaAction[][] = new Array(sidecarKeys.length);
    await runPool(sidecarKeys.map((key, i) => ({ key, i })), 16, async ({ key, i }) => { sidecars[i] = await read(key, 'sidecar file'); });
    batches.push(...sidecars);
  }
  const versions = Array.from({ length: target - replayedFrom }, (_, i) => replayedFrom + 1 + i);
  const commitActions: DeltaAction[][] = new Array(versions.length);
  await runPool(versions.map((v, i) => ({ v, i })), 16, async ({ v, i }) => {
    const object = objects.get(commitKey(v))!;
    const bytes = await store.getRange(table.bucket, object.key, 0, object.size, { etag: object.etag });
    commitActions[i] = parseCommit(Buffer.from(bytes).toString('utf8'), `s3://${table.bucket}/${object.key}`);
  });
  batches.push(...commitActions);

  const live = new Map<string, FileAction>();
  let metadata: DeltaMetadata | undefined;
  let protocol: DeltaProtocol | undefined;
  for (const actions of batches) {
    for (const action of actions) {
      if (action.type === 'add') live.set(fileIdentity(action.file), action.file);
      else if (action.type === 'remove') live.delete(fileIdentity(action.file));
      else if (action.type === 'metaData') metadata = action.metadata;
      else if (action.type === 'protocol') protocol = action.protocol;
    }
  }

  const notes: string[] = [];
  const liveFiles = [...live.values()].map((file) => toLiveFile(file, table, uri));
  const logKeys = chooseLogKeys(files, target, await lastCheckpointVersion(store, table, objects), notes);
  for (const key of sidecarKeys) if (!logKeys.includes(key)) logKeys.push(key);
  logKeys.sort(compare);
  return { version: target, latestVersion, live: liveFiles.sort((a, b) => compare(a.relativeKey, b.relativeKey)), logKeys, ...(metadata ? { metadata } : {}), ...(protocol ? { protocol } : {}), replayedFrom, notes };
}

/** A sidecar action's path: a file name (URI-encoded) under _delta_log/_sidecars/, or an absolute URI. */
function sidecarKey(path: string, table: Location, uri: string): string {
  const where = `Delta table ${uri} sidecar`;
  return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path) ? relativeKeyOfPath(path, table, where) : SIDECARS + relativeKeyOfPath(path, table, where);
}

function toLiveFile(file: FileAction, table: Location, uri: string): LiveFile {
  const where = `Delta table ${uri}`;
  const out: LiveFile = { relativeKey: relativeKeyOfPath(file.path, table, where) };
  if (file.size !== undefined) out.size = Number(file.size);
  if (file.partitionValues) out.partitionValues = file.partitionValues;
  const dvKey = file.deletionVector ? deletionVectorKey(file.deletionVector, table, where) : undefined;
  if (dvKey) out.deletionVectorKey = dvKey;
  return out;
}

/**
 * The log a restored table needs to read as `version`: every commit, checkpoint, checksum
 * and compaction up to it — nothing later, so the restored table's newest version is
 * this one. `_last_checkpoint` only when it names a checkpoint the copy includes
 * (readers fall back to listing without it). Checkpoints' sidecars come along.
 */
function chooseLogKeys(files: LogFile[], version: number, lastCheckpoint: number | undefined, notes: string[]): string[] {
  const keys: string[] = [];
  // Sidecars belong to V2 checkpoints — UUID-named, or classic-named ones that name sidecars:
  // with any checkpoint in the copy, its sidecars come along (extra ones are harmless).
  const checkpointIncluded = files.some((f) => (f.kind === 'checkpoint-v2' || f.kind === 'checkpoint') && f.version! <= version);
  for (const file of files) {
    if (file.kind === 'last-checkpoint') {
      if (lastCheckpoint !== undefined && lastCheckpoint <= version) keys.push(file.relativeKey);
    } else if (file.kind === 'sidecar') {
      if (checkpointIncluded) keys.push(file.relativeKey);
    } else if (file.kind === 'staged-commit') {
      continue;
    } else if (file.version === undefined || file.version <= version) {
      keys.push(file.relativeKey);
    }
  }
  if (files.some((f) => f.kind === 'staged-commit')) notes.push('_delta_log/_commits/ (coordinated commits) was left out: its staged commits are not part of a published version');
  return keys.sort(compare);
}

async function lastCheckpointVersion(store: ObjectStore, table: Location, objects: Map<string, ObjectInfo>): Promise<number | undefined> {
  const object = objects.get('_delta_log/_last_checkpoint');
  if (!object) return undefined;
  try {
    const bytes = await store.getRange(table.bucket, object.key, 0, object.size, { etag: object.etag });
    const version = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { version?: unknown }).version;
    return typeof version === 'number' ? version : undefined;
  } catch {
    return undefined; // unreadable hint: left out, readers list the log instead
  }
}

function range(versions: number[]): string {
  return versions.length === 1 ? String(versions[0]) : `${versions[0]}..${versions[versions.length - 1]}`;
}

/** Byte order of keys, as S3 lists them. */
export function compare(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}
