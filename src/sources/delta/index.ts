import { ConflictError, UsageError } from '../../errors';
import { DELTA_LOG, parseLogFile } from '../../lake/delta/log-files';
import type { ObjectStore } from '../../store/types';
import type { TableRef } from '../../table/table-ref';
import { foreignOrigin } from '../foreign/origin';
import { keyForKeyRestorer } from '../foreign/restore';
import { DescribedSource } from '../foreign/source';
import type { TableKind } from '../table-source';

/**
 * Delta Lake tables: a prefix with a `_delta_log/`. A version is the live files of one
 * commit of the log (the newest, or the one `deltaVersion` pins) plus the log up to it;
 * a restore puts every object back under its key, and refuses a target whose log already
 * runs past the snapshot's version (its newer commits would hide the restored one).
 */
export const deltaKind: TableKind<DescribedSource> = {
  name: 'delta',

  async open(store, table, probe, pin) {
    const listed = await probe.listing();
    if (!listed.some((object) => object.key.slice(table.location.prefix.length).startsWith(DELTA_LOG))) return undefined;
    if (pin.iceberg) throw new UsageError(`Iceberg options apply to Iceberg tables; ${table.uri} has no metadata/*.metadata.json`);
    return new DescribedSource('delta', store, table, pin, listed);
  },

  restorer(snapshot) {
    const origin = foreignOrigin(snapshot);
    if (origin?.format !== 'delta') return undefined;
    const version = origin.deltaVersion;
    return keyForKeyRestorer(version === undefined ? undefined : (store, target) => refuseNewerDeltaLog(store, target, version));
  },
};

async function refuseNewerDeltaLog(store: ObjectStore, target: TableRef, version: number): Promise<void> {
  const log = { bucket: target.location.bucket, prefix: target.location.prefix + DELTA_LOG };
  for await (const object of store.list(log.bucket, log.prefix)) {
    const file = parseLogFile(object.key.slice(target.location.prefix.length));
    if (file.kind === 'commit' && file.version! > version) {
      throw new ConflictError(`${target.uri} is a Delta table at version ${file.version} or later; restoring version ${version} over it would leave its newer commits in charge — restore to a new prefix instead`);
    }
  }
}
