import { IntegrityError, NotFoundError } from '../errors';
import type { SnapshotManifest } from '../snapshot/manifest';
import type { HeadResult, ObjectInfo, ObjectStore } from '../store/types';
import { TABLE_MANIFEST } from '../table/manifest';
import type { TableRef } from '../table/table-ref';
import { deltaKind } from './delta';
import { icebergKind } from './iceberg';
import { lakevaultKind } from './lakevault';
import { prefixKind } from './prefix';
import type { Probe, SnapshotRestorer, VersionPin } from './table-source';

/**
 * Every kind of table lakevault reads, in the order they are tried: the first that
 * recognises what is stored at a location reads it. A new kind is a folder under
 * src/sources/ and one line here (before `prefixKind`, which takes any prefix that holds
 * objects).
 */
const KINDS = [lakevaultKind, deltaKind, icebergKind, prefixKind] as const;

/** A source of any registered kind. */
export type KnownSource = NonNullable<Awaited<ReturnType<(typeof KINDS)[number]['open']>>>;
/** What `table inspect` reports, for any registered kind. */
export type TableInspection = Awaited<ReturnType<KnownSource['inspect']>>;

/**
 * Opens the table at `table` as the kind of table it is — chosen here, once, from what is
 * stored there: a lakevault manifest (one HEAD), else what the prefix's listing holds. A pin
 * the kind cannot honour is a UsageError; a location that holds nothing is a NotFoundError.
 */
export async function openTableSource(store: ObjectStore, table: TableRef, pin: VersionPin = {}): Promise<KnownSource> {
  const probe = probeOnce(store, table);
  for (const kind of KINDS) {
    const source = await kind.open(store, table, probe, pin);
    if (source) return source;
  }
  throw new NotFoundError(`table "${table.name}" not found (no lakevault manifest and no objects under ${table.uri})`);
}

/** How a snapshot goes back into a table: as the kind that took it restores. */
export function snapshotRestorer(snapshot: SnapshotManifest): SnapshotRestorer {
  for (const kind of KINDS) {
    const restorer = kind.restorer(snapshot);
    if (restorer) return restorer;
  }
  throw new IntegrityError(`${snapshot.kind} ${snapshot.id}: no kind of table lakevault knows took it`);
}

/** What the kinds ask about a location, each read at most once. */
function probeOnce(store: ObjectStore, table: TableRef): Probe {
  const { bucket, prefix } = table.location;
  let manifest: Promise<HeadResult | undefined> | undefined;
  let listing: Promise<ObjectInfo[]> | undefined;
  return {
    manifest: () => (manifest ??= store.head(bucket, prefix + TABLE_MANIFEST)),
    listing: () => (listing ??= (async () => {
      const listed: ObjectInfo[] = [];
      for await (const object of store.list(bucket, prefix)) listed.push(object);
      return listed;
    })()),
  };
}
