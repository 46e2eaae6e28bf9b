import { ConflictError, IntegrityError, NotFoundError } from '../errors';
import { formatS3Uri } from '../store/location';
import { copyObjects, type CopyItem } from '../store/prefix-copy';
import type { ObjectInfo, ObjectStore } from '../store/types';
import { TOOL_VERSION } from '../version';
import { validateFileSet, type ValidationLevel } from '../validate';
import { authenticationStatus, signManifest } from './authentication';
import { listRepository, listSeries, readSeries, type OrphanEntry, type SeriesContents, type SnapshotEntry } from './catalog';
import { snapshotFileSet } from './file-set';
import { isSeriesName, sameFamily, sameLocation, seriesName, type SourceIdentity } from './identity';
import { withLock } from './locks';
import {
  writeJson, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MANIFEST, SNAPSHOT_PENDING, SNAPSHOT_RETAINED,
  type PendingMarker, type RetainedMarker, type SnapshotManifest,
} from './manifest';
import type { SnapshotRepository } from './repository';
import { newRepositoryMarker, readRepositoryMarker, writeRepositoryMarker, REPOSITORY_FORMAT_VERSION } from './repository-format';

/**
 * `lakevault repo upgrade`: moves a repository's layout-1 folders (lakevault 0.1.0:
 * `<root>/<table's last segment>/<id>/`, where namesake tables shared a folder) to layout 2
 * (`<root>/<name>-<hash>/<id>/`, one folder per source location), in place:
 *
 *  1. under the repository's exclusive lock, every complete snapshot is validated;
 *  2. the repository is marked as upgrading (no other write until the upgrade finishes);
 *  3. every object of each layout-1 snapshot (complete, incomplete, or kept for others by a
 *     retained marker) is copied server-side to its new folder, pinned to its ETag;
 *  4. then each one's manifest or marker is written there, format 2, every key it names
 *     moved with it (manifests elsewhere that reference moved files are rewritten too);
 *  5. every snapshot is validated again: one that validated before must still validate;
 *  6. only then are the layout-1 objects removed (data first, markers last), and the mark
 *     cleared.
 * Killed at any point, the repository reads as complete (a snapshot found in both folders
 * is read from its new one) and the same command finishes the job. Nothing is ever deleted
 * before its copy exists and has been validated.
 */
export interface UpgradeOptions {
  dryRun: boolean;
  concurrency: number;
  /** How snapshots are validated before and after (default quick). */
  level?: ValidationLevel;
  onStep?: (step: string) => void;
}

export interface UpgradeMove {
  id: string;
  state: 'complete' | 'incomplete' | 'retained';
  /** The source location, when known. */
  source?: string;
  from: string;
  to: string;
  /** Moved already by an earlier, interrupted run (only its layout-1 objects are left to remove). */
  alreadyCopied: boolean;
}

export interface UpgradeResult {
  repository: string;
  dryRun: boolean;
  /** The repository's format before: 1 = no format marker (lakevault 0.1.0). */
  formatBefore: number;
  formatAfter: number;
  moves: UpgradeMove[];
  /** Manifests outside layout-1 folders rewritten because they reference moved files. */
  rewritten: string[];
  /** Files of deleted snapshots that no snapshot references any more, removed. */
  collected: number;
  /** Layout-1 folders holding neither manifest nor marker: left as they are (`delete <id>` removes them). */
  orphaned: OrphanEntry[];
  validation: { id: string; source: string; before: boolean; after?: boolean }[];
  ok: boolean;
  elapsedMs: number;
}

/** One layout-1 snapshot folder to move. */
interface Move extends UpgradeMove {
  oldSeries: string;
  newSeries: string;
  oldPrefix: string;
  newPrefix: string;
  entry?: SnapshotEntry;
  retained?: RetainedMarker;
  home?: SourceIdentity;
}

interface Survey {
  family: SeriesContents[];
  moves: Move[];
  garbage: { series: string; id: string; marker: RetainedMarker }[];
  orphaned: OrphanEntry[];
}

export async function upgradeRepository(store: ObjectStore, repo: SnapshotRepository, options: UpgradeOptions): Promise<UpgradeResult> {
  const started = Date.now();
  const repository = formatS3Uri(repo.root);
  if (!(await store.bucketExists(repo.root.bucket))) throw new NotFoundError(`no repository at ${repository} (its bucket does not exist)`);
  const run = async (): Promise<UpgradeResult> => {
    const marker = await readRepositoryMarker(store, repo);
    const formatBefore = marker ? marker.formatVersion : 1;
    options.onStep?.('survey');
    const survey = await surveyRepository(store, repo);
    const rewrites = referencingOutside(survey);
    refuseUnsignable(repo, [...survey.moves.flatMap((m) => (m.entry?.manifest && !m.alreadyCopied ? [m.entry.manifest] : [])), ...rewrites.flatMap((e) => (e.manifest ? [e.manifest] : []))]);
    options.onStep?.('validate before');
    const validation = (await validateAll(store, repo, options.level ?? 'quick')).map((v) => ({ id: v.id, source: v.source, before: v.ok }));
    const result: UpgradeResult = {
      repository, dryRun: options.dryRun, formatBefore, formatAfter: options.dryRun ? formatBefore : REPOSITORY_FORMAT_VERSION,
      moves: survey.moves.map(publicMove), rewritten: rewrites.map((e) => formatS3Uri(repo.snapshotLocation(e.series, e.id))),
      collected: 0, orphaned: survey.orphaned, validation, ok: validation.every((v) => v.before), elapsedMs: 0,
    };
    if (options.dryRun) return { ...result, elapsedMs: Date.now() - started };

    await writeRepositoryMarker(store, repo, { ...(marker ?? newRepositoryMarker()), upgrading: { from: formatBefore, startedAt: new Date().toISOString(), toolVersion: TOOL_VERSION } });
    options.onStep?.('copy');
    for (const move of survey.moves.filter((m) => !m.alreadyCopied)) await copyFolder(store, repo, move, options.concurrency);
    options.onStep?.('write manifests');
    const moved = (key: string) => movedKey(survey.moves, key);
    for (const move of survey.moves.filter((m) => !m.alreadyCopied)) await writeMoved(store, repo, move, moved);
    for (const entry of rewrites) await rewriteInPlace(store, repo, entry, moved);

    options.onStep?.('validate after');
    const after = new Map((await validateAll(store, repo, options.level ?? 'quick')).map((v) => [v.id + v.source, v.ok]));
    for (const v of result.validation) v.after = after.get(v.id + v.source) ?? false;
    const broken = result.validation.filter((v) => v.before && !v.after);
    if (broken.length) {
      throw new IntegrityError(`upgrade of ${repository} stopped before removing anything: ${broken.length} snapshot(s) that validated before do not after (${broken.map((v) => v.id).join(', ')}); the layout-1 copies are untouched and the repository stays marked as upgrading`);
    }
    options.onStep?.('remove layout-1 objects');
    for (const move of survey.moves) await removeOld(store, repo, move);
    result.collected = await collectGarbage(store, repo, survey.garbage);
    await writeRepositoryMarker(store, repo, { ...(marker ?? newRepositoryMarker()), formatVersion: REPOSITORY_FORMAT_VERSION, upgrading: undefined });
    return { ...result, ok: result.validation.every((v) => v.after || !v.before), elapsedMs: Date.now() - started };
  };
  if (options.dryRun) return run();
  return withLock(store, repo, { mode: 'exclusive', scope: '*', operation: `repo upgrade ${repository}` }, run);
}

function publicMove(move: Move): UpgradeMove {
  return { id: move.id, state: move.state, ...(move.source ? { source: move.source } : {}), from: move.from, to: move.to, alreadyCopied: move.alreadyCopied };
}

/**
 * Reads every folder and decides what moves where. A snapshot is in layout 1 when its
 * folder is not its location's series; a retained marker moves with the snapshots that
 * reference its files (a layout-1 marker does not say whose they were), and one nothing
 * references any more is garbage, collected at the end.
 */
async function surveyRepository(store: ObjectStore, repo: SnapshotRepository): Promise<Survey> {
  const family: SeriesContents[] = [];
  for (const series of await listSeries(store, repo)) family.push(await readSeries(store, repo, series));
  const entries = family.flatMap((c) => c.entries);
  const placed = (source: SourceIdentity, id: string) => entries.find((e) => e.id === id && sameLocation(e.source, source) && e.series === seriesName(source));
  const survey: Survey = { family, moves: [], garbage: [], orphaned: [] };
  for (const contents of family) {
    for (const entry of contents.entries) {
      if (entry.series === seriesName(entry.source)) continue;
      const copy = placed(entry.source, entry.id);
      survey.moves.push(move(repo, contents.series, entry.id, entry.manifest ? 'complete' : 'incomplete', entry.source, copy !== undefined && (copy.manifest !== undefined || !entry.manifest), { entry }));
    }
    for (const { id, marker } of contents.retained) {
      const home = marker.source ? recordedHome(marker) : referencingSource(entries, repo, contents.series, id);
      if (!home) { survey.garbage.push({ series: contents.series, id, marker }); continue; }
      if (contents.series === seriesName(home)) continue;
      const copied = family.some((c) => c.series === seriesName(home) && c.retained.some((r) => r.id === id));
      survey.moves.push(move(repo, contents.series, id, 'retained', home, copied, { retained: marker }));
    }
    if (!isSeriesName(contents.series)) survey.orphaned.push(...contents.orphans);
  }
  return survey;
}

function move(repo: SnapshotRepository, oldSeries: string, id: string, state: Move['state'], home: SourceIdentity, alreadyCopied: boolean, what: Pick<Move, 'entry' | 'retained'>): Move {
  const newSeries = seriesName(home);
  const from = repo.snapshotLocation(oldSeries, id);
  const to = repo.snapshotLocation(newSeries, id);
  return {
    id, state, source: home.uri, from: formatS3Uri(from), to: formatS3Uri(to), alreadyCopied,
    oldSeries, newSeries, oldPrefix: from.prefix, newPrefix: to.prefix, home, ...what,
  };
}

function recordedHome(marker: RetainedMarker): SourceIdentity {
  const location = marker.source!.location;
  const uri = marker.source!.uri;
  return location ? { bucket: location.bucket, prefix: location.prefix, uri, endpoint: location.endpoint } : { ...parseUri(uri), uri };
}

function parseUri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri)!;
  return { bucket: match[1]!, prefix: match[2]! };
}

/** The location whose snapshots reference a retained folder's files (at its old place or at that location's new one). */
function referencingSource(entries: SnapshotEntry[], repo: SnapshotRepository, series: string, id: string): SourceIdentity | undefined {
  const old = repo.snapshotLocation(series, id).prefix;
  for (const entry of [...entries].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!sameFamily(entry.series, series)) continue;
    const moved = repo.snapshotLocation(seriesName(entry.source), id).prefix;
    const keys = [...(entry.manifest?.files.map((f) => f.key) ?? []), ...(entry.pending?.references.map((r) => r.key) ?? [])];
    if (keys.some((key) => key.startsWith(old) || key.startsWith(moved))) return entry.source;
  }
  return undefined;
}

/** Snapshots in layout-2 folders whose manifests or markers name files that move. */
function referencingOutside(survey: Survey): SnapshotEntry[] {
  const moving = survey.moves.map((m) => m.oldPrefix);
  return survey.family.flatMap((c) => c.entries).filter((entry) => {
    if (entry.series !== seriesName(entry.source)) return false;
    const keys = [...(entry.manifest?.files.map((f) => f.key) ?? []), ...(entry.pending?.references.map((r) => r.key) ?? [])];
    return keys.some((key) => moving.some((prefix) => key.startsWith(prefix)));
  });
}

/**
 * A manifest the upgrade must rewrite keeps its authentication only if the configured key
 * made it: one signed by another key (or with no key configured) would lose its MAC, so the
 * upgrade is refused before anything is written.
 */
function refuseUnsignable(repo: SnapshotRepository, manifests: SnapshotManifest[]): void {
  for (const manifest of manifests) {
    if (!manifest.authentication) continue;
    if (!repo.key || authenticationStatus(manifest, repo.key) !== 'authentic') {
      throw new ConflictError(`${manifest.kind} ${manifest.id} carries a MAC (key ${manifest.authentication.keyId}) that ${repo.key ? 'the configured manifest key does not reproduce' : 'cannot be renewed without the manifest key'}; the upgrade rewrites it: configure the key that signed it (LAKEVAULT_MANIFEST_KEY) and run the upgrade again — nothing was changed`);
    }
  }
}

/** The key a file has after the upgrade: moved with its folder, or unchanged. */
function movedKey(moves: Move[], key: string): string {
  const move = moves.find((m) => key.startsWith(m.oldPrefix));
  return move ? move.newPrefix + key.slice(move.oldPrefix.length) : key;
}

const isMarker = (relative: string) => [SNAPSHOT_MANIFEST, SNAPSHOT_PENDING, SNAPSHOT_RETAINED].includes(relative);

async function listUnder(store: ObjectStore, bucket: string, prefix: string): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  for await (const object of store.list(bucket, prefix)) objects.push(object);
  return objects;
}

/** Copies a folder's objects (not its markers) to the new folder, server-side, pinned to their ETags. */
async function copyFolder(store: ObjectStore, repo: SnapshotRepository, move: Move, concurrency: number): Promise<void> {
  const { bucket } = repo.root;
  const items: CopyItem[] = (await listUnder(store, bucket, move.oldPrefix))
    .map((object) => ({ object, relativeKey: object.key.slice(move.oldPrefix.length) }))
    .filter(({ relativeKey }) => !isMarker(relativeKey))
    .map(({ object, relativeKey }) => ({ source: { ...object, bucket }, dstBucket: bucket, dstKey: move.newPrefix + relativeKey, relativeKey }));
  const copied = await copyObjects(store, items, { concurrency });
  for (const object of copied.objects) {
    const source = items.find((i) => i.relativeKey === object.relativeKey)!.source;
    if (object.size !== source.size || (!object.multipart && object.etag !== source.etag)) {
      throw new IntegrityError(`copy of s3://${bucket}/${source.key} does not match its source (size ${object.size}/${source.size}, ETag ${object.etag}/${source.etag})`);
    }
  }
}

/** The source location as format 2 records it; the endpoint layout 1 never recorded stays unknown. */
function location(source: SourceIdentity): { endpoint: string; bucket: string; prefix: string } {
  return { endpoint: source.endpoint ?? 'unrecorded', bucket: source.bucket, prefix: source.prefix };
}

/** Writes a moved folder's manifest or marker, format 2, at its new place: the last write of its move. */
async function writeMoved(store: ObjectStore, repo: SnapshotRepository, move: Move, moved: (key: string) => string): Promise<void> {
  const at = { bucket: repo.root.bucket, prefix: move.newPrefix };
  if (move.retained) {
    const marker: RetainedMarker = {
      ...move.retained, formatVersion: SNAPSHOT_FORMAT_VERSION, toolVersion: TOOL_VERSION,
      source: { uri: move.home!.uri, location: location(move.home!) }, keys: move.retained.keys.map(moved),
    };
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_RETAINED, marker);
    return;
  }
  const { entry } = move;
  if (entry!.manifest) {
    const manifest = withMovedKeys(entry!.manifest, entry!.source, moved);
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, resign(repo, entry!.manifest, manifest));
  } else {
    const pending = entry!.pending!;
    const marker: PendingMarker = {
      ...pending, formatVersion: SNAPSHOT_FORMAT_VERSION, toolVersion: pending.toolVersion ?? TOOL_VERSION,
      source: { ...pending.source, location: location(entry!.source) },
      ownKeys: pending.ownKeys.map(moved), references: pending.references.map((r) => ({ bucket: r.bucket, key: moved(r.key) })),
    };
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_PENDING, marker);
  }
}

function withMovedKeys(manifest: SnapshotManifest, source: SourceIdentity, moved: (key: string) => string): SnapshotManifest {
  const { authentication: _authentication, ...rest } = manifest;
  return {
    ...rest, formatVersion: SNAPSHOT_FORMAT_VERSION,
    source: { ...manifest.source, location: manifest.source.location ?? location(source) },
    files: manifest.files.map((file) => ({ ...file, key: moved(file.key) })),
  };
}

/** A rewritten manifest is signed again when the configured key authenticated the original (refuseUnsignable saw to the rest). */
function resign(repo: SnapshotRepository, original: SnapshotManifest, rewritten: SnapshotManifest): SnapshotManifest {
  return repo.key && original.authentication && authenticationStatus(original, repo.key) === 'authentic' ? signManifest(rewritten, repo.key) : rewritten;
}

/** A layout-2 snapshot that references moved files: its manifest or marker rewritten where it is (one PUT). */
async function rewriteInPlace(store: ObjectStore, repo: SnapshotRepository, entry: SnapshotEntry, moved: (key: string) => string): Promise<void> {
  const at = repo.snapshotLocation(entry.series, entry.id);
  if (entry.manifest) {
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_MANIFEST, resign(repo, entry.manifest, withMovedKeys(entry.manifest, entry.source, moved)));
  } else {
    const pending = entry.pending!;
    await writeJson(store, at.bucket, at.prefix + SNAPSHOT_PENDING, { ...pending, references: pending.references.map((r) => ({ bucket: r.bucket, key: moved(r.key) })) });
  }
}

/**
 * Removes a moved folder's layout-1 objects: each data object only where its copy is in the
 * new folder with the same size, then the markers — the manifest last, so a kill leaves a
 * folder that still reads as the (already copied) snapshot, and the next run finishes it.
 */
async function removeOld(store: ObjectStore, repo: SnapshotRepository, move: Move): Promise<void> {
  const { bucket } = repo.root;
  const copies = new Map((await listUnder(store, bucket, move.newPrefix)).map((o) => [o.key.slice(move.newPrefix.length), o.size]));
  const old = await listUnder(store, bucket, move.oldPrefix);
  const data = old.filter((o) => {
    const relative = o.key.slice(move.oldPrefix.length);
    return !isMarker(relative) && copies.get(relative) === o.size;
  });
  await deleteAll(store, bucket, data.map((o) => o.key));
  for (const marker of [SNAPSHOT_PENDING, SNAPSHOT_RETAINED, SNAPSHOT_MANIFEST]) await deleteAll(store, bucket, [move.oldPrefix + marker]);
}

async function deleteAll(store: ObjectStore, bucket: string, keys: string[]): Promise<void> {
  const result = await store.deleteKeys(bucket, keys);
  if (result.errors.length) throw new IntegrityError(`removing layout-1 objects: ${result.errors.length} could not be deleted, first ${result.errors[0]!.key}: ${result.errors[0]!.code}`);
}

/** Retained files nothing references any more (the snapshots that needed them are gone). */
async function collectGarbage(store: ObjectStore, repo: SnapshotRepository, garbage: Survey['garbage']): Promise<number> {
  let collected = 0;
  for (const { series, id, marker } of garbage) {
    const at = repo.snapshotLocation(series, id);
    const result = await store.deleteKeys(at.bucket, marker.keys);
    collected += result.deleted.length;
    await deleteAll(store, at.bucket, [at.prefix + SNAPSHOT_RETAINED]);
  }
  return collected;
}

/** Validates every complete snapshot the repository lists (a snapshot in both layouts, once: from its new folder). */
async function validateAll(store: ObjectStore, repo: SnapshotRepository, level: ValidationLevel): Promise<{ id: string; source: string; ok: boolean }[]> {
  const { entries } = await listRepository(store, repo);
  const out: { id: string; source: string; ok: boolean }[] = [];
  for (const entry of entries) {
    if (!entry.manifest) continue;
    const report = await validateFileSet(store, snapshotFileSet(repo, entry.manifest), { level });
    out.push({ id: entry.id, source: entry.source.uri, ok: report.ok });
  }
  return out;
}
