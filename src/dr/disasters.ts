import { ConflictError, UsageError } from '../errors';
import type { ObjectStore } from '../store/types';
import type { TableVersion } from '../sources/table-source';
import type { TableRef } from '../table/table-ref';

/** The disasters a drill can simulate. */
export const DISASTERS = ['delete-prefix', 'delete-objects', 'corrupt-object', 'drop-bucket', 'lose-site'] as const;
export type DisasterKind = (typeof DISASTERS)[number];

/** An object a disaster will destroy (delete or damage), as it is stored before the disaster (dr/blast-radius.ts plans them). */
export interface DoomedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
}

export interface DisasterOutcome {
  disaster: DisasterKind;
  objectsAffected: number;
  detail: string;
  at: string;
}

export function parseDisaster(raw: string | undefined): DisasterKind {
  const kind = raw ?? 'delete-prefix';
  if (!(DISASTERS as readonly string[]).includes(kind)) throw new UsageError(`--disaster must be one of ${DISASTERS.join(', ')}, got "${kind}"`);
  return kind as DisasterKind;
}

/** Disasters that delete the table's whole bucket: the bucket dropped, or the whole primary site lost. */
export function destroysBucket(kind: DisasterKind): boolean {
  return kind === 'drop-bucket' || kind === 'lose-site';
}

/**
 * Refuses, before anything is done, a disaster that would reach beyond the drilled table:
 * dropping a bucket that holds anything else (or where the checkpoint would be kept). Losing
 * the site needs checkpoints kept on another endpoint (`offsite`): the drill recovers from
 * there, and reads nothing the lost site held.
 */
export async function checkDisaster(store: ObjectStore, table: TableRef, kind: DisasterKind, checkpointBucket: string, offsite = false): Promise<void> {
  if (kind === 'lose-site' && !offsite) {
    throw new UsageError('the lose-site disaster needs the checkpoints on another endpoint (LAKEVAULT_CHECKPOINTS_ENDPOINT or LAKEVAULT_CHECKPOINTS_PROFILE): a site lost takes its own checkpoints with it');
  }
  if (!destroysBucket(kind)) return;
  const { bucket, prefix } = table.location;
  if (checkpointBucket === bucket && !offsite) {
    throw new ConflictError(`refusing ${kind}: checkpoints are kept in the same bucket (${bucket}) as table ${table.name}`);
  }
  for await (const object of store.list(bucket, '')) {
    if (!object.key.startsWith(prefix) || prefix === '') {
      throw new ConflictError(`refusing ${kind}: bucket ${bucket} holds ${object.key}, which is not part of table ${table.name}`);
    }
  }
}

/**
 * Simulates the disaster on exactly the objects planned (plannedDestruction), which the
 * drill has checked against its checkpoint: nothing else is touched.
 */
export async function simulateDisaster(store: ObjectStore, table: TableRef, version: TableVersion, kind: DisasterKind, doomed: readonly DoomedObject[]): Promise<DisasterOutcome> {
  const { bucket, prefix } = table.location;
  const done = (objectsAffected: number, detail: string): DisasterOutcome => ({ disaster: kind, objectsAffected, detail, at: new Date().toISOString() });
  const keys = doomed.map((object) => object.key);
  switch (kind) {
    case 'delete-prefix': {
      const result = await store.deleteKeys(bucket, keys);
      return done(result.deleted.length, `deleted every object under s3://${bucket}/${prefix}`);
    }
    case 'delete-objects': {
      const result = await store.deleteKeys(bucket, keys);
      return done(result.deleted.length, `deleted the table's ${result.deleted.length} data files, kept its ${version.manifestKey === undefined ? 'metadata (log, markers)' : 'manifest'}`);
    }
    case 'corrupt-object': {
      const victim = doomed[0];
      if (!victim) return done(0, 'the table has no data file to corrupt');
      // A drill's simulated bit rot: 4 KiB inverted in the middle, same size, same key.
      const bytes = Buffer.from(await store.getBytes(bucket, victim.key));
      const start = Math.max(0, Math.floor(bytes.length / 2) - 2048);
      for (let i = start; i < Math.min(bytes.length, start + 4096); i++) bytes[i] = bytes[i]! ^ 0xff;
      await store.put(bucket, victim.key, bytes);
      return done(1, `inverted 4 KiB at byte ${start} of ${victim.key.slice(prefix.length)}`);
    }
    case 'drop-bucket': {
      const result = await store.deleteKeys(bucket, keys);
      await store.deleteBucket(bucket);
      return done(result.deleted.length, `deleted bucket ${bucket} and its ${result.deleted.length} objects`);
    }
    case 'lose-site': {
      // What this site held of the table: its bucket (checked to hold nothing else). Its
      // checkpoints are elsewhere by construction (checkDisaster).
      const result = await store.deleteKeys(bucket, keys);
      await store.deleteBucket(bucket);
      return done(result.deleted.length, `primary site lost: bucket ${bucket} and its ${result.deleted.length} objects gone; recovery from the off-site checkpoints`);
    }
  }
}
