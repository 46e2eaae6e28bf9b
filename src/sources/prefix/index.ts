import { UsageError } from '../../errors';
import { foreignOrigin } from '../foreign/origin';
import { keyForKeyRestorer } from '../foreign/restore';
import { DescribedSource } from '../foreign/source';
import type { TableKind } from '../table-source';

/**
 * Any other prefix that holds objects: Spark/Hive-partitioned output, DuckDB or pyarrow
 * files, and (read as a prefix, with its metadata described) an Iceberg table. A version
 * is every object under the prefix, named by a digest of the listing; a restore puts every
 * object back under its key.
 */
export const prefixKind: TableKind<DescribedSource> = {
  name: 'prefix',

  async open(store, table, probe, pin) {
    const listed = await probe.listing();
    if (listed.length === 0) return undefined;
    if (pin.deltaVersion !== undefined) throw new UsageError(`--delta-version applies to Delta tables; ${table.uri} has no _delta_log/`);
    return new DescribedSource('prefix', store, table, pin, listed);
  },

  restorer(snapshot) {
    const origin = foreignOrigin(snapshot);
    return origin && origin.format !== 'delta' ? keyForKeyRestorer() : undefined;
  },
};
