import { UsageError } from '../../errors';
import { describePrefix } from '../../lake/describe';
import type { SnapshotManifest } from '../../snapshot/manifest';
import type { ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import type { SnapshotRestorer } from '../table-source';

/**
 * Restores a snapshot of a prefix lakevault did not write: every object back under its own
 * key, byte for byte, and NO lakevault manifest — the restored prefix is what the engine
 * wrote, nothing more. The target must be empty, or forced: then objects with the same keys
 * are overwritten and nothing is deleted (so nothing is undone on failure either). The
 * restored prefix is validated as a fresh description of it. `checkReplace` adds the
 * kind's refusals for a target that holds something (a Delta log that runs further).
 */
export function keyForKeyRestorer(checkReplace?: (store: ObjectStore, target: TableRef) => Promise<void>): SnapshotRestorer {
  return {
    async plan(store, _repo, snapshot, target) {
      refuseInsideSource(snapshot, target);
      const occupant = await firstObject(store, target);
      return {
        ...(occupant !== undefined ? { occupied: `${target.uri} is not empty (found ${occupant.slice(target.location.prefix.length)}); use --force to restore into it anyway` } : {}),
        mode: occupant !== undefined ? 'replace' : 'new',
        ...(occupant !== undefined && checkReplace ? { checkReplace: () => checkReplace(store, target) } : {}),
        copies: snapshot.files.map((file) => ({ file, key: file.relativeKey })),
        writes: [],
        undoOnFailure: false,
        async commit() {
          const restored = await describePrefix(store, target.location);
          return {
            generation: snapshot.source.generation, removedObjects: 0,
            rows: snapshot.totals.rows, objects: snapshot.files.length, bytes: snapshot.totals.bytes,
            restored: restored.fileSet,
          };
        },
      };
    },
  };
}

/** A restore into a sub-prefix of the source would put files inside the source table, where its engines read them. */
export function refuseInsideSource(snapshot: SnapshotManifest, target: TableRef): void {
  const source = snapshot.source.uri;
  if (target.uri !== source && target.uri.startsWith(source)) {
    throw new UsageError(`restoring into ${target.uri} would put files inside the source table ${source} (its engines would read them): choose a prefix outside it`);
  }
}

/** The first key under the target, or undefined when it is empty. */
export async function firstObject(store: ObjectStore, target: TableRef): Promise<string | undefined> {
  for await (const object of store.list(target.location.bucket, target.location.prefix)) return object.key;
  return undefined;
}
