import { ConflictError, NotFoundError } from '../errors';
import { formatS3Uri, type Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { requireAuthentic, authenticationStatus } from './authentication';
import { childNames } from './children';
import { legacySeriesName, sameLocation, seriesName, type SourceIdentity } from './identity';
import {
  holdsNoData, readPendingMarker, readRetainedMarker, readSnapshotManifest, sourceOf,
  type PendingMarker, type RetainedMarker, type SnapshotManifest,
} from './manifest';
import { idTime, isSnapshotId, REPOSITORY_FOLDER, snapshotUri, type SnapshotRepository } from './repository';
import { checkReadable } from './repository-format';
import { runPool } from '../util/pool';

/** One snapshot as `backup list` / `checkpoint list` show it. */
export interface SnapshotSummary {
  id: string;
  kind: SnapshotRepository['kind'];
  /** The source table's readable name (its last segment); `source` says which table it is. */
  table: string;
  /** The source table's location, s3://bucket/prefix/: what the snapshot belongs to. */
  source: string;
  /** The source's endpoint as recorded (absent for layout-1 snapshots). */
  endpoint?: string;
  uri: string;
  /** The folder under the repository root; layout 1 = a folder of lakevault 0.1.0 (`repo upgrade` moves it). */
  series: string;
  layout: 1 | 2;
  state: 'complete' | 'incomplete';
  createdAt: string;
  label?: string;
  tags?: string[];
  rows?: number;
  objects?: number;
  bytes?: number;
  lockedUntil?: string;
  lockMode?: string;
  /** Set when the snapshot holds no data files (taken with --allow-empty, or by a lakevault before it refused them). */
  empty?: true;
  /** Files referenced from earlier snapshots (incremental). */
  reusedObjects?: number;
  generation?: string;
  /** With a manifest key configured: does it authenticate this snapshot's manifest? */
  authenticated?: boolean;
}

/** A snapshot found in a repository, with its manifest or (when incomplete) its marker. */
export interface SnapshotEntry {
  id: string;
  /** The folder under the repository root that holds it. */
  series: string;
  /** Its source as its manifest or marker records it. */
  source: SourceIdentity;
  /** The source's readable name. */
  table: string;
  manifest?: SnapshotManifest;
  pending?: PendingMarker;
}

/**
 * A snapshot folder with neither manifest, pending marker nor retained marker: what a
 * delete killed after it removed the manifest leaves. Nothing references its files (a
 * delete that keeps files for others writes its retained marker first); `backup delete
 * <id>` removes it.
 */
export interface OrphanEntry {
  id: string;
  series: string;
  uri: string;
  objects: number;
  bytes: number;
}

/** What one series folder holds. */
export interface SeriesContents {
  series: string;
  entries: SnapshotEntry[];
  orphans: OrphanEntry[];
  retained: { id: string; marker: RetainedMarker }[];
}

/** The series folders of a repository (its own `_lakevault/` folder is not one). */
export async function listSeries(store: ObjectStore, repo: SnapshotRepository): Promise<string[]> {
  if (!(await checkReadable(store, repo))) return [];
  return (await childNames(store, repo.root.bucket, repo.root.prefix)).filter((name) => name !== REPOSITORY_FOLDER);
}

/** The folders a location's snapshots may be in: its own (layout 2), and the layout-1 one. */
export function seriesOf(location: Location): string[] {
  return [...new Set([seriesName(location), legacySeriesName(location)])];
}

async function readEntry(store: ObjectStore, repo: SnapshotRepository, series: string, id: string): Promise<SnapshotEntry | undefined> {
  const manifest = await readSnapshotManifest(store, repo, series, id);
  const record = manifest ?? (await readPendingMarker(store, repo, series, id));
  if (!record) return undefined;
  const source = sourceOf(record);
  return { id, series, source, table: record.source.table, ...(manifest ? { manifest } : { pending: record as PendingMarker }) };
}

/**
 * Everything in one series folder, read whole (a failed listing or read throws). Its
 * snapshots' manifests are read a few at a time: every incremental backup reads them all.
 */
export async function readSeries(store: ObjectStore, repo: SnapshotRepository, series: string): Promise<SeriesContents> {
  const root = repo.seriesLocation(series);
  const ids = (await childNames(store, root.bucket, root.prefix)).filter(isSnapshotId);
  type Found = { entry: SnapshotEntry } | { retained: { id: string; marker: RetainedMarker } } | { orphan: OrphanEntry } | undefined;
  const found: Found[] = new Array<Found>(ids.length);
  await runPool(ids, MANIFESTS_IN_FLIGHT, async (id, index) => {
    const entry = await readEntry(store, repo, series, id);
    if (entry) { found[index] = { entry }; return; }
    const marker = await readRetainedMarker(store, repo, series, id);
    if (marker) { found[index] = { retained: { id, marker } }; return; }
    const orphan = await readOrphan(store, repo, series, id);
    if (orphan) found[index] = { orphan };
  });
  const contents: SeriesContents = { series, entries: [], orphans: [], retained: [] };
  for (const item of found) {
    if (!item) continue;
    if ('entry' in item) contents.entries.push(item.entry);
    else if ('retained' in item) contents.retained.push(item.retained);
    else contents.orphans.push(item.orphan);
  }
  return contents;
}

/** Snapshot manifests read at once: each is a GET and a parse of up to a few MB. */
const MANIFESTS_IN_FLIGHT = 4;

async function readOrphan(store: ObjectStore, repo: SnapshotRepository, series: string, id: string): Promise<OrphanEntry | undefined> {
  const at = repo.snapshotLocation(series, id);
  let objects = 0;
  let bytes = 0;
  for await (const object of store.list(at.bucket, at.prefix)) { objects += 1; bytes += object.size; }
  return objects ? { id, series, uri: formatS3Uri(at), objects, bytes } : undefined;
}

/**
 * A repository's snapshots, oldest first: every one, or those of one source location —
 * selected by the location each manifest or marker records, in the location's own folder
 * and the layout-1 folder it shares with namesakes. Complete ones (manifest) and incomplete
 * ones (pending marker); a snapshot found in both folders (an interrupted upgrade) once,
 * from its layout-2 folder. Prefixes of deleted snapshots that only keep files for others
 * (retained marker) are not snapshots and are not listed; orphans are listed apart.
 */
export async function listSnapshots(store: ObjectStore, repo: SnapshotRepository, of?: Location): Promise<SnapshotEntry[]> {
  return (await listRepository(store, repo, of)).entries;
}

export async function listRepository(store: ObjectStore, repo: SnapshotRepository, of?: Location): Promise<{ entries: SnapshotEntry[]; orphans: OrphanEntry[] }> {
  if (!(await checkReadable(store, repo))) return { entries: [], orphans: [] };
  const folders = of ? seriesOf(of) : await listSeries(store, repo);
  const unique = new Map<string, SnapshotEntry>();
  const orphans: OrphanEntry[] = [];
  for (const series of folders) {
    const contents = await readSeries(store, repo, series);
    for (const entry of contents.entries) {
      if (of && !sameLocation(entry.source, of)) continue;
      const key = `${entry.source.uri}\u0000${entry.id}`;
      const known = unique.get(key);
      if (!known || preferred(entry, known)) unique.set(key, entry);
    }
    orphans.push(...contents.orphans);
  }
  const entries = [...unique.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const listed = new Set(entries.map((e) => `${e.series}/${e.id}`));
  return { entries, orphans: orphans.filter((o) => !listed.has(`${o.series}/${o.id}`)).sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

/** Of two copies of one snapshot (an interrupted upgrade), the complete one, then the one in its layout-2 folder. */
function preferred(candidate: SnapshotEntry, known: SnapshotEntry): boolean {
  if (Boolean(candidate.manifest) !== Boolean(known.manifest)) return Boolean(candidate.manifest);
  return candidate.series === seriesName(candidate.source) && known.series !== seriesName(known.source);
}

export function summarize(repo: SnapshotRepository, entry: SnapshotEntry): SnapshotSummary {
  const base = {
    id: entry.id, kind: repo.kind, table: entry.table, source: entry.source.uri,
    ...(entry.source.endpoint ? { endpoint: entry.source.endpoint } : {}),
    uri: snapshotUri(repo, entry.series, entry.id), series: entry.series,
    layout: entry.series === seriesName(entry.source) ? 2 as const : 1 as const,
  };
  const m = entry.manifest;
  if (m) {
    return {
      ...base,
      state: 'complete',
      createdAt: m.createdAt,
      ...(m.label ? { label: m.label } : {}),
      ...(m.tags?.length ? { tags: m.tags } : {}),
      rows: m.totals.rows,
      objects: m.totals.files,
      bytes: m.totals.bytes,
      reusedObjects: m.transfer.reusedObjects,
      ...(holdsNoData(m.files) ? { empty: true as const } : {}),
      generation: m.source.generation,
      ...(m.lock ? { lockedUntil: m.lock.retainUntil, lockMode: m.lock.mode } : {}),
      ...(repo.key ? { authenticated: authenticationStatus(m, repo.key) === 'authentic' } : {}),
    };
  }
  const p = entry.pending!;
  return { ...base, state: 'incomplete', createdAt: p.createdAt, ...(p.label ? { label: p.label } : {}), ...(p.tags?.length ? { tags: p.tags } : {}), generation: p.source.generation };
}

/**
 * Complete snapshots of a location, newest first — only those the configured manifest key
 * authenticates, when one is configured (what an incremental backup may build on and
 * `recover --latest` may choose).
 */
export async function completeSnapshots(store: ObjectStore, repo: SnapshotRepository, of: Location): Promise<SnapshotManifest[]> {
  const entries = await listSnapshots(store, repo, of);
  return entries
    .flatMap((entry) => (entry.manifest ? [entry.manifest] : []))
    .filter((manifest) => !repo.key || authenticationStatus(manifest, repo.key) === 'authentic')
    .reverse();
}

/** How a snapshot is named: its id, optionally with the location it was taken of or the folder it is in. */
export interface SnapshotReference {
  id: string;
  /** The source location (`<table>/<id>` on the command line). */
  of?: Location;
  /** The series folder (an s3:// URI of the snapshot's own prefix). */
  series?: string;
}

export type FoundSnapshot = { entry: SnapshotEntry; orphan?: undefined } | { entry?: undefined; orphan: OrphanEntry };

/**
 * Finds a snapshot by id — in the given folder, among the given location's snapshots, or
 * anywhere in the repository. Two snapshots of different locations with one id (ids are
 * random, so only a copied or forged folder can do that) are refused as ambiguous rather
 * than guessed between. Returns complete, incomplete or orphaned ones; callers decide.
 */
export async function findSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: SnapshotReference): Promise<FoundSnapshot | undefined> {
  if (!isSnapshotId(reference.id) || !(await checkReadable(store, repo))) return undefined;
  const folders = reference.series ? [reference.series] : reference.of ? seriesOf(reference.of) : await listSeries(store, repo);
  const found: SnapshotEntry[] = [];
  for (const series of folders) {
    const entry = await readEntry(store, repo, series, reference.id);
    if (entry && (!reference.of || sameLocation(entry.source, reference.of))) found.push(entry);
  }
  const sources = new Set(found.map((entry) => entry.source.uri));
  if (sources.size > 1) {
    throw new ConflictError(`${repo.kind} id ${reference.id} names snapshots of ${sources.size} tables (${[...sources].join(', ')}): name it by the s3:// URI of its folder`);
  }
  if (found.length) return { entry: found.reduce((best, entry) => (preferred(entry, best) ? entry : best)) };
  for (const series of folders) {
    if (await readRetainedMarker(store, repo, series, reference.id)) continue;
    const orphan = await readOrphan(store, repo, series, reference.id);
    if (orphan) return { orphan };
  }
  return undefined;
}

/**
 * The snapshot a label (`--name`) names, as a reference by id and folder: labels are for
 * people, so one that two snapshots carry is refused as ambiguous rather than guessed
 * between. Undefined when no snapshot (complete or incomplete) carries it.
 */
export async function referenceByLabel(store: ObjectStore, repo: SnapshotRepository, label: string, of?: Location): Promise<SnapshotReference | undefined> {
  const { entries } = await listRepository(store, repo, of);
  const carrying = entries.filter((entry) => (entry.manifest?.label ?? entry.pending?.label) === label);
  if (carrying.length > 1) {
    throw new ConflictError(`label "${label}" names ${carrying.length} ${repo.kind}s (${carrying.map((entry) => entry.id).join(', ')}): name one by its id`);
  }
  const [entry] = carrying;
  return entry ? { id: entry.id, series: entry.series } : undefined;
}

function describe(repo: SnapshotRepository, reference: SnapshotReference): string {
  return `${repo.kind} ${reference.id}${reference.of ? ` of ${formatS3Uri(reference.of)}` : ''}`;
}

/**
 * A complete snapshot by id, ready to be trusted (restore, recover, validate), or a clear
 * error: not found, incomplete or orphaned (never usable), or not authenticated by the
 * configured manifest key.
 */
export async function requireCompleteSnapshot(store: ObjectStore, repo: SnapshotRepository, reference: SnapshotReference): Promise<SnapshotManifest> {
  return usableSnapshot(repo, reference, await findSnapshot(store, repo, reference));
}

/** What findSnapshot found, if it can be trusted (see requireCompleteSnapshot). */
export function usableSnapshot(repo: SnapshotRepository, reference: SnapshotReference, found: FoundSnapshot | undefined): SnapshotManifest {
  if (!found) throw new NotFoundError(`${describe(repo, reference)} not found in s3://${repo.root.bucket}/${repo.root.prefix}`);
  if (found.orphan) throw new NotFoundError(`${repo.kind} ${reference.id} is orphaned (no manifest, no pending marker: a delete of it was interrupted); \`${repo.kind} delete ${reference.id}\` removes what is left`);
  const { entry } = found;
  if (!entry.manifest) {
    throw new NotFoundError(`${repo.kind} ${entry.id} of ${entry.source.uri} is incomplete (no manifest: it was interrupted); it cannot be used — resume it with \`${repo.kind} create ${entry.source.uri} --resume ${entry.id}\` or delete it`);
  }
  requireAuthentic(entry.manifest, repo.key, snapshotUri(repo, entry.series, entry.id));
  return entry.manifest;
}

/** Age of a snapshot at a moment, in ms (its id's timestamp when createdAt is unreadable). */
export function snapshotAgeMs(manifest: SnapshotManifest, at: Date): number {
  const created = Date.parse(manifest.createdAt);
  return at.getTime() - (Number.isNaN(created) ? idTime(manifest.id).getTime() : created);
}
