import { UsageError } from '../../errors';
import { isMetadataJsonKey } from '../../lake/iceberg';
import { DELTA_LOG } from '../../lake/delta/log-files';
import type { TableKind } from '../table-source';
import { icebergOrigin } from './origin';
import { icebergRestorer } from './restore';
import { IcebergSource } from './source';
import { openPinned } from './version';

/**
 * Apache Iceberg tables: a prefix with `metadata/*.metadata.json`. A version is one
 * snapshot and the files it needs, read from one metadata file (the one version-hint.text
 * names, the newest, or the one the pin gives); the pin's snapshot or ref must exist — a
 * usage error otherwise, before anything is written. A restore writes the metadata anew,
 * pinned to that snapshot, and rewritten for a new location (src/lake/iceberg).
 */
export const icebergKind: TableKind<IcebergSource> = {
  name: 'iceberg',

  async open(store, table, probe, pin) {
    const listed = await probe.listing();
    const relative = (key: string) => key.slice(table.location.prefix.length);
    if (listed.some((object) => relative(object.key).startsWith(DELTA_LOG))) return undefined;
    if (!listed.some((object) => isMetadataJsonKey(relative(object.key)))) return undefined;
    if (pin.deltaVersion !== undefined) throw new UsageError(`--delta-version applies to Delta tables; ${table.uri} is an Iceberg table`);
    if (pin.iceberg && (pin.iceberg.snapshotId !== undefined || pin.iceberg.ref !== undefined || pin.iceberg.metadataLocation !== undefined)) {
      await openPinned(store, table, pin.iceberg, listed);
    }
    return new IcebergSource(store, table, pin, listed);
  },

  restorer(snapshot) {
    return icebergOrigin(snapshot) ? icebergRestorer : undefined;
  },
};
