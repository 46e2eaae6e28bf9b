import type { Config } from '../config/config';
import { childLocation, formatS3Uri, isS3Uri, parseS3Uri, type Location } from '../store/location';
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
