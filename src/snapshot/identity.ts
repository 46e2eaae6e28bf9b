import { createHash } from 'node:crypto';
import { IntegrityError } from '../errors';
import { formatS3Uri, parseS3Uri, type Location } from '../store/location';
import type { ObjectStore } from '../store/types';

/**
 * What a snapshot was taken of: the table's location (bucket + prefix) in the store, and the
 * store's endpoint. Snapshots are filed and selected by the location — never by a short
 * name — so two tables whose prefixes end in the same segment never share a snapshot.
 *
 * The endpoint is recorded (without user info or query) for provenance and for repositories
 * copied to another store; it is not part of the selection key: lakevault writes into a
 * repository only snapshots of tables of the store the repository lives in (one store per
 * run), and the same store is often reached under several URLs (http and https, a proxy,
 * a load balancer). Selecting by URL would start a new series — and make `recover --latest`
 * find nothing — whenever that URL changed.
 */
export interface SourceIdentity extends Location {
  /** s3://bucket/prefix/ */
  uri: string;
  /** The store's endpoint identity when the snapshot was taken; absent in layout-1 manifests. */
  endpoint?: string;
}

/** The same table: the same bucket and prefix. */
export function sameLocation(a: Location, b: Location): boolean {
  return a.bucket === b.bucket && a.prefix === b.prefix;
}

/**
 * A store's endpoint as snapshots record it: the embedded server is `embedded` (its URL
 * changes port every run), AWS is `aws`, any other endpoint its origin — scheme, host, port,
 * never user info, path or query.
 */
export function endpointIdentity(store: Pick<ObjectStore, 'endpoint' | 'identity'>): string {
  if (store.identity) return store.identity;
  try {
    const url = new URL(store.endpoint);
    return url.origin === 'null' ? 'unknown' : url.origin;
  } catch {
    return store.endpoint.startsWith('AWS S3') ? 'aws' : 'unknown';
  }
}

/**
 * The location a stored manifest or marker names: `source.location` (layout 2) or its
 * `source.uri` (layout 1 recorded only that); an unreadable one is an integrity error.
 */
export function recordedSource(source: { uri: string; location?: { bucket: string; prefix: string; endpoint?: string } }, where: string): SourceIdentity {
  let fromUri: Location;
  try {
    fromUri = parseS3Uri(source.uri);
  } catch (error) {
    throw new IntegrityError(`${where}: source ${JSON.stringify(source.uri)} is not a valid s3:// location: ${(error as Error).message}`);
  }
  const uri = formatS3Uri(fromUri);
  if (!source.location) return { ...fromUri, uri };
  if (!sameLocation(source.location, fromUri)) {
    throw new IntegrityError(`${where}: source.location (s3://${source.location.bucket}/${source.location.prefix}) and source.uri (${source.uri}) disagree`);
  }
  return { ...fromUri, uri, ...(source.location.endpoint ? { endpoint: source.location.endpoint } : {}) };
}

/** How many hex digits of the location's sha256 a series name carries (48 bits). */
const HASH_DIGITS = 12;

/**
 * The folder under a repository root that holds the snapshots of one location (layout 2):
 * a readable name — the prefix's last segment, or the bucket — and a short stable hash of
 * the location: `vendas-3f9c0a1b2c4d`. Two locations never share one (the hash tells them
 * apart; a collision would still be caught, as every manifest records its location).
 */
export function seriesName(location: Location): string {
  const hash = createHash('sha256').update(formatS3Uri(location)).digest('hex').slice(0, HASH_DIGITS);
  return `${readable(lastSegment(location))}-${hash}`;
}

/** Is this folder name a layout-2 series (a name, `-`, the hash's digits)? A layout-1 table name can look like one too. */
export function isSeriesName(folder: string): boolean {
  return new RegExp(`-[0-9a-f]{${HASH_DIGITS}}$`).test(folder);
}

/** The folder layout 1 (lakevault up to 0.1.0, ced7bb3) used: the prefix's last segment. */
export function legacySeriesName(location: Location): string {
  return lastSegment(location);
}

/**
 * The folders that can hold, or be referenced by, snapshots of the same readable name: a
 * layout-1 folder and the layout-2 folders of every location whose last segment it is.
 * Files are only ever shared within such a family, so a delete that reads a whole family
 * knows every reference to the files it would remove.
 */
export function sameFamily(a: string, b: string): boolean {
  const names = familyNames(b);
  return familyNames(a).some((name) => names.includes(name));
}

/** A folder's family: the readable part of a layout-2 name; a layout-1 name as layout 2 spells it (both, when it could be either). */
function familyNames(folder: string): string[] {
  const series = new RegExp(`^(.+)-[0-9a-f]{${HASH_DIGITS}}$`).exec(folder);
  return series ? [series[1]!, readable(folder)] : [readable(folder)];
}

function readable(segment: string): string {
  return segment.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[._-]+/, '').slice(0, 64) || 'table';
}

function lastSegment(location: Location): string {
  const segments = location.prefix.split('/').filter(Boolean);
  return segments[segments.length - 1] ?? location.bucket;
}
