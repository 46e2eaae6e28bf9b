import type { Config } from '../config/config';
import { childLocation, formatS3Uri, isS3Uri, parseS3Uri, type Location } from '../store/location';
import { refuseTableLocation } from '../store/overlap';
import { checkTableName } from './naming';

/** A table as the user named it, and where it lives. */
export interface TableRef {
  /** The warehouse name, or the last prefix segment of an s3:// URI. */
  name: string;
  location: Location;
  uri: string;
}

/** `vendas` → <warehouse>/vendas/; `s3://bucket/path/t` → that prefix. */
export function resolveTable(config: Pick<Config, 'warehouse'>, nameOrUri: string): TableRef {
  if (isS3Uri(nameOrUri)) {
    const location = parseS3Uri(nameOrUri);
    const segments = location.prefix.split('/').filter(Boolean);
    return { name: segments[segments.length - 1] ?? location.bucket, location, uri: formatS3Uri(location) };
  }
  const name = checkTableName(nameOrUri);
  const location = childLocation(config.warehouse, name);
  return { name, location, uri: formatS3Uri(location) };
}

/**
 * A table that a command writes, replaces or drops — `table create/write/compact/drop`, and
 * the target of a restore or a recovery: resolved, then refused before any request
 * (`refuseTableLocation`) when it overlaps the backups or checkpoints, or holds the warehouse.
 */
export function writableTable(config: Pick<Config, 'warehouse' | 'backups' | 'checkpoints'>, nameOrUri: string, role = 'table'): TableRef {
  const ref = resolveTable(config, nameOrUri);
  refuseTableLocation({ name: `${role} ${ref.name}`, location: ref.location }, [
    { name: 'LAKEVAULT_BACKUPS', location: config.backups }, { name: 'LAKEVAULT_CHECKPOINTS', location: config.checkpoints },
  ], { name: 'LAKEVAULT_WAREHOUSE', location: config.warehouse });
  return ref;
}
