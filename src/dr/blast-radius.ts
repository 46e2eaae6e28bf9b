import { ConflictError } from '../errors';
import type { ObjectStore } from '../store/types';
import type { TableVersion } from '../sources/table-source';
import type { TableRef } from '../table/table-ref';
import { destroysBucket, type DisasterKind, type DoomedObject } from './disasters';

/**
 * Every object the disaster will destroy, from a listing taken now: the drill compares it
 * with what its checkpoint holds before anything happens, and the disaster then touches
 * exactly these objects.
 */
export async function plannedDestruction(store: ObjectStore, table: TableRef, version: TableVersion, kind: DisasterKind): Promise<DoomedObject[]> {
  const { bucket, prefix } = table.location;
  const listed: DoomedObject[] = [];
  for await (const object of store.list(bucket, destroysBucket(kind) ? '' : prefix)) {
    listed.push({ bucket, key: object.key, size: object.size, etag: object.etag });
  }
  switch (kind) {
    case 'delete-prefix':
    case 'drop-bucket':
    case 'lose-site':
      return listed;
    case 'delete-objects': {
      const data = new Set(dataFiles(version).map((file) => prefix + file.key));
      return listed.filter((object) => data.has(object.key));
    }
    case 'corrupt-object': {
      const victim = dataFiles(version)[0];
      return listed.filter((object) => victim !== undefined && object.key === prefix + victim.key);
    }
  }
}

/**
 * The doomed objects the table's checkpoint will not bring back: anything that is not one
 * of the files of the table's version with the same size and ETag. The object that names the
 * version (a lakevault table's manifest) is written anew by the recovery.
 */
export function beyondCheckpoint(doomed: readonly DoomedObject[], table: TableRef, version: TableVersion): DoomedObject[] {
  const held = new Map(version.files.map((file) => [table.location.prefix + file.key, file]));
  return doomed.filter((object) => {
    if (version.manifestKey !== undefined && object.key === table.location.prefix + version.manifestKey) return false;
    const file = held.get(object.key);
    return !file || file.bytes !== object.size || file.etag !== object.etag;
  });
}

/**
 * What the disaster will destroy, after refusing — before anything is done — a disaster that
 * would destroy what a checkpoint of this version cannot bring back.
 */
export async function recoverableDestruction(store: ObjectStore, table: TableRef, version: TableVersion, kind: DisasterKind): Promise<DoomedObject[]> {
  const doomed = await plannedDestruction(store, table, version, kind);
  const lost = beyondCheckpoint(doomed, table, version);
  if (!lost.length) return doomed;
  const named = lost.slice(0, 5).map(uri).join(', ') + (lost.length > 5 ? ` and ${lost.length - 5} more` : '');
  throw new ConflictError(`refusing the ${kind} disaster: its checkpoint of table ${table.name} would not bring back ${lost.length} object(s) it destroys (not part of the table${version.manifestKey === undefined ? '\'s current version' : '\'s manifest'}, or changed since): ${named}; nothing was done`);
}

/**
 * Refuses to go on when the checkpoint holds another generation than the one checked, or
 * what the disaster would destroy now differs from what was checked (a writer came in
 * between): nothing is destroyed on a stale plan.
 */
export async function refuseChangedPlan(store: ObjectStore, table: TableRef, version: TableVersion, kind: DisasterKind, planned: readonly DoomedObject[], checkpointGeneration: string): Promise<void> {
  const fingerprint = (objects: readonly DoomedObject[]) => objects.map((o) => `${o.bucket}/${o.key} ${o.size} ${o.etag}`).sort().join('\n');
  if (checkpointGeneration === version.generation && fingerprint(planned) === fingerprint(await plannedDestruction(store, table, version, kind))) return;
  throw new ConflictError(`table ${table.name} changed while the drill took its checkpoint; no disaster was simulated (run the drill again)`);
}

export interface RecoveryAccount {
  /** What the disaster destroyed, as s3:// URIs. */
  destroyed: string[];
  /** The objects that hold the destroyed content after the recovery (a lakevault table's files come back under new generation keys). */
  recovered: string[];
  /** Destroyed objects whose content is not back. */
  missing: string[];
}

/**
 * Accounts, after the recovery, for every destroyed object: a data file of a lakevault
 * table is back when the recovered manifest lists a stored file with its content digest and
 * size (restored in place, it has a new generation key); any other object is back under its
 * own key with its size and ETag (or the new ETag of a multipart copy). The recovered
 * table's validation checks the content; this checks that nothing destroyed was left out.
 */
export async function accountForRecovery(store: ObjectStore, table: TableRef, destroyed: readonly DoomedObject[], original: TableVersion, recovered: TableVersion): Promise<RecoveryAccount> {
  const { bucket, prefix } = table.location;
  const present = new Map<string, { size: number; etag: string }>();
  for await (const object of store.list(bucket, prefix)) present.set(object.key, object);
  const originalFiles = new Map(original.files.map((file) => [prefix + file.key, file]));
  const account: RecoveryAccount = { destroyed: destroyed.map(uri), recovered: [], missing: [] };
  for (const object of destroyed) {
    const back = recoveredKey(object, originalFiles.get(object.key)?.digest, recovered, prefix, present);
    if (back) account.recovered.push(`s3://${bucket}/${back}`);
    else account.missing.push(uri(object));
  }
  return account;
}

function recoveredKey(object: DoomedObject, digest: string | undefined, recovered: TableVersion, prefix: string, present: Map<string, { size: number; etag: string }>): string | undefined {
  if (recovered.manifestKey !== undefined && object.key === prefix + recovered.manifestKey) return present.has(object.key) ? object.key : undefined;
  if (digest) {
    const file = recovered.files.find((candidate) => candidate.digest === digest && candidate.bytes === object.size && present.get(prefix + candidate.key)?.size === object.size);
    return file ? prefix + file.key : undefined;
  }
  const now = present.get(object.key);
  return now && now.size === object.size && (now.etag === object.etag || MULTIPART_ETAG.test(now.etag)) ? object.key : undefined;
}

/** A copy above the multipart threshold gets a new ETag of the form "<md5 of part md5s>-<parts>". */
const MULTIPART_ETAG = /-\d+$/;

function uri(object: DoomedObject): string {
  return `s3://${object.bucket}/${object.key}`;
}

/** A version of a table lakevault did not write lists its metadata objects too (Delta log, _SUCCESS …): disasters aim at data. */
function dataFiles(version: TableVersion): TableVersion['files'] {
  return version.files.filter((file) => file.kind === 'data');
}
