import { UsageError, type LakevaultError } from '../errors';
import { formatS3Uri, type Location } from './location';

/** A location with the name a user knows it by: `the source`, `LAKEVAULT_BACKUPS`, `--to`. */
export interface NamedLocation {
  name: string;
  location: Location;
}

/**
 * Do two locations share any key? Same bucket and one prefix inside the other — the
 * whole-bucket prefix '' holds every other. Prefixes end with '/' (parseS3Uri), so
 * `s3://b/t/` and `s3://b/t2/` do not overlap.
 */
export function locationsOverlap(a: Location, b: Location): boolean {
  return a.bucket === b.bucket && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
}

/** The first two of `places` that overlap, if any. */
export function findOverlap(places: readonly NamedLocation[]): [NamedLocation, NamedLocation] | undefined {
  for (let i = 0; i < places.length; i++) {
    for (let j = i + 1; j < places.length; j++) {
      if (locationsOverlap(places[i]!.location, places[j]!.location)) return [places[i]!, places[j]!];
    }
  }
  return undefined;
}

/**
 * Refuses locations that overlap, before anything is written: a copy into its own source
 * grows without end, and a backup inside its table is deleted with the table. A usage
 * error (exit 2) unless the caller makes another (configuration errors).
 */
export function refuseOverlap(places: readonly NamedLocation[], makeError: (message: string) => LakevaultError = (message) => new UsageError(message)): void {
  const pair = findOverlap(places);
  if (!pair) return;
  const [a, b] = pair;
  throw makeError(`${a.name} (${formatS3Uri(a.location)}) and ${b.name} (${formatS3Uri(b.location)}) overlap: one lies inside the other; choose separate locations`);
}

/**
 * Where a table may not be written or dropped: overlapping a backup or checkpoint location
 * (a drop or overwrite would delete snapshots, bypassing their locks and retention), or
 * holding the warehouse — every table — in its prefix. A usage error before any request.
 */
export function refuseTableLocation(table: NamedLocation, repositories: readonly NamedLocation[], warehouse: NamedLocation): void {
  for (const repository of repositories) refuseOverlap([table, repository]);
  const { location } = table;
  if (location.bucket === warehouse.location.bucket && warehouse.location.prefix.startsWith(location.prefix)) {
    throw new UsageError(`${table.name} (${formatS3Uri(location)}) holds ${warehouse.name} (${formatS3Uri(warehouse.location)}), and with it every table: name the table itself`);
  }
}
