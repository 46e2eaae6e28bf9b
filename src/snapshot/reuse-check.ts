import type { ObjectStore } from '../store/types';
import { runPool } from '../util/pool';

/** An object an earlier snapshot recorded: where it is, and the size and ETag it had. */
export interface RecordedObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
}

/** A listing returns up to this many keys a request (ListObjectsV2's page). */
const KEYS_PER_PAGE = 1000;

/**
 * Which recorded objects are still there with the size and ETag recorded for them: an
 * incremental snapshot may reference only those (the same ETag and size are the same bytes;
 * an object deleted or rewritten since is copied again instead).
 *
 * What the server says of an object is read from a listing of its folder, where the listing
 * takes fewer requests than one HEAD per object (a table of many small files reused whole:
 * one page per 1,000 files instead of 1,000 HEADs), and by HEAD otherwise (a few files
 * reused from a large snapshot). `recordedKeys` — every key the earlier snapshots recorded —
 * tells how many pages a folder's listing will take.
 *
 * Returns the confirmed objects as `objectId`s.
 */
export async function confirmRecorded(
  store: ObjectStore,
  wanted: Iterable<RecordedObject>,
  recordedKeys: Iterable<{ bucket: string; key: string }>,
  concurrency: number,
): Promise<Set<string>> {
  const byId = new Map<string, RecordedObject>();
  for (const object of wanted) byId.set(objectId(object), object);
  const folders = new ListingFolders([...byId.values()]);
  const recordedPerFolder = new Map<string, number>();
  for (const object of recordedKeys) {
    const folder = folders.folderOf(object);
    if (folder) recordedPerFolder.set(folder, (recordedPerFolder.get(folder) ?? 0) + 1);
  }
  const wantedPerFolder = new Map<string, RecordedObject[]>();
  for (const object of byId.values()) {
    const folder = folders.folderOf(object)!;
    const list = wantedPerFolder.get(folder);
    if (list) list.push(object);
    else wantedPerFolder.set(folder, [object]);
  }

  type Job = { list: { bucket: string; prefix: string; objects: RecordedObject[] } } | { head: RecordedObject };
  const jobs: Job[] = [];
  for (const [folder, objects] of wantedPerFolder) {
    const pages = Math.max(1, Math.ceil((recordedPerFolder.get(folder) ?? 0) / KEYS_PER_PAGE));
    const { bucket, prefix } = ListingFolders.parse(folder);
    if (pages < objects.length) jobs.push({ list: { bucket, prefix, objects } });
    else for (const object of objects) jobs.push({ head: object });
  }

  const confirmed = new Set<string>();
  const same = (object: RecordedObject, found: { size: number; etag: string } | undefined) => {
    if (found && found.size === object.size && found.etag === object.etag) confirmed.add(objectId(object));
  };
  await runPool(jobs, concurrency, async (job) => {
    if ('head' in job) {
      same(job.head, await store.head(job.head.bucket, job.head.key));
      return;
    }
    const { bucket, prefix, objects } = job.list;
    const sought = new Map(objects.map((object) => [object.key, object]));
    for await (const found of store.list(bucket, prefix)) {
      const object = sought.get(found.key);
      if (object) same(object, found);
    }
  });
  return confirmed;
}

export function objectId(object: { bucket: string; key: string }): string {
  return `${object.bucket}\n${object.key}`;
}

/**
 * The folders (key prefixes ending in '/') to list: each object's own folder, unless an
 * ancestor folder is listed anyway (a partitioned table's files: `data/` holds `data/x=1/`).
 */
class ListingFolders {
  private readonly roots = new Set<string>();

  constructor(objects: { bucket: string; key: string }[]) {
    const own = new Set(objects.map((object) => ListingFolders.folder(object.bucket, object.key)));
    for (const folder of own) {
      if (!ListingFolders.ancestors(folder).some((ancestor) => ancestor !== folder && own.has(ancestor))) this.roots.add(folder);
    }
  }

  /** The listed folder that holds this object, if any. */
  folderOf(object: { bucket: string; key: string }): string | undefined {
    return ListingFolders.ancestors(ListingFolders.folder(object.bucket, object.key)).find((folder) => this.roots.has(folder));
  }

  static parse(folder: string): { bucket: string; prefix: string } {
    const at = folder.indexOf('\n');
    return { bucket: folder.slice(0, at), prefix: folder.slice(at + 1) };
  }

  private static folder(bucket: string, key: string): string {
    return `${bucket}\n${key.slice(0, key.lastIndexOf('/') + 1)}`;
  }

  /** The folder and every folder above it in its bucket, outermost first. */
  private static ancestors(folder: string): string[] {
    const { bucket, prefix } = ListingFolders.parse(folder);
    const out = [`${bucket}\n`];
    for (let at = prefix.indexOf('/'); at >= 0; at = prefix.indexOf('/', at + 1)) out.push(`${bucket}\n${prefix.slice(0, at + 1)}`);
    return out;
  }
}
