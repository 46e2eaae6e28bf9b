import { NotFoundError, UsageError } from '../../errors';
import { formatS3Uri, type Location } from '../../store/location';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import { parseMetadataBytes, type MetadataDocument } from './json';
import { readTableMetadata, type TableMetadata } from './metadata';
import { TablePaths } from './paths';

/** An Iceberg table read from one metadata file: what every other reader starts from. */
export interface IcebergTable {
  /** Where the table lives now (its prefix may differ from the location its metadata records). */
  location: Location;
  /** The metadata file the read started from, relative to the prefix. */
  metadataKey: string;
  /** How it was chosen: given by the caller, named by metadata/version-hint.text, or the newest listed. */
  foundBy: 'given' | 'version-hint' | 'newest';
  document: MetadataDocument;
  metadata: TableMetadata;
  paths: TablePaths;
  notes: string[];
}

export interface OpenOptions {
  /** A metadata file to start from: a path as a catalog records it, or a key relative to the prefix. */
  metadataLocation?: string;
  /** The prefix's listing, when the caller already has it (saves a LIST). */
  listing?: ObjectInfo[];
}

const METADATA_JSON = /^metadata\/[^/]+\.metadata\.json(\.gz)?$|^metadata\/[^/]+\.gz\.metadata\.json$/;
/** Hadoop tables: v<N>.metadata.json, v<N>.gz.metadata.json, legacy v<N>.metadata.json.gz. */
const HADOOP_VERSION = /^metadata\/v(\d+)(?:\.gz)?\.metadata\.json(?:\.gz)?$/;
/** Catalog tables (Java, pyiceberg, Trino): <NNNNN>-<uuid>.metadata.json. */
const CATALOG_VERSION = /^metadata\/(\d+)-[^/]*\.metadata\.json(?:\.gz)?$/;

export function isMetadataJsonKey(relativeKey: string): boolean {
  return METADATA_JSON.test(relativeKey);
}

/** Reads the table's metadata: the file given, else the one version-hint.text names, else the newest listed. */
export async function openIcebergTable(store: ObjectStore, location: Location, options: OpenOptions = {}): Promise<IcebergTable> {
  const uri = formatS3Uri(location);
  const notes: string[] = [];
  let metadataKey: string;
  let foundBy: IcebergTable['foundBy'];
  let listing = options.listing;
  const list = async (): Promise<ObjectInfo[]> => {
    if (!listing) {
      listing = [];
      for await (const object of store.list(location.bucket, location.prefix + 'metadata/')) listing.push(object);
    }
    return listing;
  };
  const relative = (object: ObjectInfo) => object.key.slice(location.prefix.length);

  if (options.metadataLocation !== undefined) {
    metadataKey = givenMetadataKey(options.metadataLocation, location);
    foundBy = 'given';
  } else {
    const keys = (await list()).map(relative).filter(isMetadataJsonKey);
    if (keys.length === 0) throw new NotFoundError(`no Iceberg metadata under ${uri}metadata/ (no *.metadata.json)`);
    const hinted = await versionHint(store, location, keys, notes);
    if (hinted) {
      metadataKey = hinted;
      foundBy = 'version-hint';
    } else {
      metadataKey = await newestMetadata(store, location, keys);
      foundBy = 'newest';
    }
  }

  const bytes = await store.getBytes(location.bucket, location.prefix + metadataKey).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
    const message = `Iceberg metadata file ${uri}${metadataKey} does not exist`;
    // A file the caller named that is not there is a mistake in the call; one a hint or listing named has vanished.
    throw foundBy === 'given' ? new UsageError(message) : new NotFoundError(message);
  });
  return icebergTableOf(location, metadataKey, foundBy, bytes, notes);
}

/** The table one metadata file describes, from its bytes (read wherever they are: the table, a backup). */
export function icebergTableOf(location: Location, metadataKey: string, foundBy: IcebergTable['foundBy'], bytes: Uint8Array, notes: string[] = []): IcebergTable {
  const document = parseMetadataBytes(bytes, metadataKey);
  const metadata = readTableMetadata(document, metadataKey);
  return { location, metadataKey, foundBy, document, metadata, paths: new TablePaths(metadata.location), notes };
}

/**
 * A metadata location the user gave: a key relative to the prefix (`metadata/v3.metadata.json`),
 * an s3:// URI under the prefix, or a path as another engine wrote it whose tail is
 * `metadata/<file>` (the table may have been copied here from elsewhere).
 */
function givenMetadataKey(given: string, location: Location): string {
  const s3 = /^s3:\/\/([^/]+)\/(.*)$/.exec(given);
  if (s3 && s3[1] === location.bucket && s3[2]!.startsWith(location.prefix)) return checkedKey(s3[2]!.slice(location.prefix.length), given);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(given) && !given.startsWith('/')) return checkedKey(given, given);
  const tail = /(?:^|\/)(metadata\/[^/]+)$/.exec(given);
  if (tail) return checkedKey(tail[1]!, given);
  throw new UsageError(`metadata location ${given} is not under s3://${location.bucket}/${location.prefix} and does not end in metadata/<file>`);
}

function checkedKey(key: string, given: string): string {
  if (!isMetadataJsonKey(key)) throw new UsageError(`metadata location ${given} is not a metadata/*.metadata.json file of the table`);
  return key;
}

/** The metadata file version-hint.text names, when it names one that exists. */
async function versionHint(store: ObjectStore, location: Location, keys: string[], notes: string[]): Promise<string | undefined> {
  let text: string;
  try {
    text = Buffer.from(await store.getBytes(location.bucket, location.prefix + 'metadata/version-hint.text')).toString('utf8').trim();
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
  const version = /^\d+$/.test(text) ? Number(text) : undefined;
  const named = keys.find((key) => {
    const match = HADOOP_VERSION.exec(key) ?? CATALOG_VERSION.exec(key);
    return match && version !== undefined && Number(match[1]) === version;
  }) ?? keys.find((key) => key === `metadata/${text}`);
  if (!named) notes.push(`metadata/version-hint.text says "${text.slice(0, 40)}", which names no metadata file here: the newest metadata file is read instead`);
  return named;
}

/**
 * The newest metadata file by its version number (v<N> or <NNNNN>-uuid); files without one
 * are read and the one updated last wins.
 */
async function newestMetadata(store: ObjectStore, location: Location, keys: string[]): Promise<string> {
  const numbered = keys
    .map((key) => ({ key, match: HADOOP_VERSION.exec(key) ?? CATALOG_VERSION.exec(key) }))
    .filter((k) => k.match)
    .map((k) => ({ key: k.key, version: Number(k.match![1]) }))
    .sort((a, b) => b.version - a.version);
  if (numbered.length === keys.length && (numbered.length < 2 || numbered[0]!.version !== numbered[1]!.version)) return numbered[0]!.key;
  let newest: { key: string; updated: bigint; sequence: bigint } | undefined;
  for (const key of keys) {
    const metadata = readTableMetadata(parseMetadataBytes(await store.getBytes(location.bucket, location.prefix + key), key), key);
    const candidate = { key, updated: metadata.lastUpdatedMs ?? 0n, sequence: metadata.lastSequenceNumber ?? 0n };
    if (!newest || candidate.sequence > newest.sequence || (candidate.sequence === newest.sequence && candidate.updated > newest.updated)) newest = candidate;
  }
  return newest!.key;
}
