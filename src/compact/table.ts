import { ConflictError, IntegrityError, UnsupportedError } from '../errors';
import { addDigests, isBagDigest } from '../digest/bag';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import { readTableManifest, writeTableManifest, type DataFile, type TableManifest } from '../table/manifest';
import { newId } from '../table/naming';
import type { TableRef } from '../table/table-ref';
import { TOOL_VERSION } from '../version';
import { abandon, readJournal, removeJournal, writeJournal, type CompactionJournal } from './journal';
import { planCompaction, type CompactInput } from './plan';
import { backupNote, DEFAULT_FILE_TIMEOUT_MS, DEFAULT_ROW_GROUP_ROWS, nothingToDo, partitionLines, targetOf, totalsOf, type CompactOptions, type CompactResult, type Recovered } from './report';
import { rewriteGroups } from './rewrite';
import { verifyWritten } from './verify';

/**
 * Compacts a lakevault table the way a restore replaces one: the new files are written
 * under new generation-named keys beside the live ones, read back and checked, and only
 * then does the manifest switch to them; the files they replace are removed after. A
 * reader (or a kill -9) sees the old generation or the new one, never a mix. The check
 * before the switch: the content digest of the rewritten rows equals the digest the
 * manifest records for the files they came from, and the new files decode to it.
 */
export async function compactManifestTable(store: ObjectStore, ref: TableRef, options: CompactOptions): Promise<CompactResult> {
  const started = Date.now();
  const { bucket, prefix } = ref.location;
  const manifest = await readTableManifest(store, ref.location);
  if (!manifest) throw new IntegrityError(`table ${ref.uri} has no manifest`);
  const recovered = await recoverInterrupted(store, ref, manifest);
  const inputs: CompactInput[] = manifest.files.map((file) => ({
    relativeKey: file.key, bucket, key: prefix + file.key, size: file.bytes, etag: file.etag, rows: file.rows, digest: file.digest,
  }));
  const generation = newId();
  const plan = planCompaction(inputs, options.target, generation);
  const base = { table: ref.name, uri: ref.uri, mode: 'manifest' as const, target: targetOf(options.target), ...(recovered ? { recovered } : {}) };
  if (plan.groups.length === 0) return nothingToDo(base, plan, manifest.contentDigest, started);

  const replaced = plan.groups.flatMap((group) => group.inputs);
  const journal: CompactionJournal = {
    format: 'lakevault.compaction', formatVersion: 1, generation, from: manifest.generation, startedAt: new Date().toISOString(),
    mode: 'manifest', state: 'writing',
    writes: plan.groups.flatMap((group) => group.outputs.map((output) => output.relativeKey)),
    replaces: replaced.map((file) => ({ key: file.relativeKey, size: file.size, etag: file.etag })),
  };
  const totalRows = replaced.reduce((sum, file) => sum + file.rows, 0);
  const totalFiles = journal.writes.length;
  const fileTimeoutMs = options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  const encryption = await encryptionOf(store, replaced[0]!);
  await writeJournal(store, ref.location, journal);

  let written: DataFile[][];
  let next: TableManifest;
  try {
    written = await rewriteGroups(store, plan.groups, {
      bucket, prefix, writeKey: (output) => output.relativeKey, rowGroupRows: options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS,
      schema: manifest.schema, ...(encryption ? { encryption } : {}), fileTimeoutMs,
      onProgress: (p) => options.onProgress?.({ ...p, totalRows, totalFiles }),
    });
    const newFiles = written.flat();
    // The rows as decoded must be the rows the manifest recorded (sum of the files' digests) …
    const recorded = replaced.every((file) => isBagDigest(file.digest)) ? addDigests(replaced.map((file) => file.digest!)) : undefined;
    const rewritten = addDigests(newFiles.map((file) => file.digest));
    if (recorded && rewritten !== recorded) {
      throw new IntegrityError(`the rows read from the ${replaced.length} files to compact have content ${rewritten}, their manifest records ${recorded}: a file does not hold what was written (lakevault validate ${ref.uri} --level full names it); nothing was switched`);
    }
    // … and the new files must decode to them.
    await verifyWritten(store, newFiles.map((file) => ({ file, bucket, key: prefix + file.key })), ref.uri, manifest.schema, rewritten, fileTimeoutMs);
    next = nextManifest(manifest, generation, [...kept(manifest, plan.kept), ...newFiles]);
    if (next.contentDigest !== manifest.contentDigest) {
      throw new IntegrityError(`the compacted table's content digest ${next.contentDigest} differs from the table's ${manifest.contentDigest} (its manifest's digest is not the sum of its files'): nothing was switched`);
    }
    const conflict = await changedSince(store, ref, manifest);
    if (conflict) throw conflict;
  } catch (error) {
    // A file that vanished or changed under the reader usually means another writer replaced the table: say so.
    await abandon(store, ref.location, journal);
    throw (await changedSince(store, ref, manifest, error).catch(() => undefined)) ?? error;
  }

  await writeTableManifest(store, ref.location, next); // the switch
  // A failed removal leaves an unreferenced file (the journal stays and the next compaction removes it), never a broken table.
  const removed = await store.deleteKeys(bucket, replaced.map((file) => file.key));
  if (removed.errors.length === 0) await removeJournal(store, ref.location);
  const newFiles = written.flat();
  return {
    ...base,
    compacted: true,
    generation,
    replacedGeneration: manifest.generation,
    before: totalsOf(inputs),
    after: { files: next.totals.files, rows: next.totals.rows, bytes: next.totals.bytes },
    partitions: partitionLines(plan.groups, written),
    keptFiles: plan.kept.length,
    removedFiles: removed.deleted.length,
    contentDigest: { before: manifest.contentDigest, after: next.contentDigest, verified: true },
    notes: [
      backupNote(newFiles, plan.kept),
      ...(removed.errors.length ? [`${removed.errors.length} replaced file(s) could not be removed (first: ${removed.errors[0]!.key}: ${removed.errors[0]!.code}); the next compaction removes them`] : []),
    ],
    elapsedMs: Date.now() - started,
    rowsPerSecond: Math.round(totalRows / Math.max(1, Date.now() - started) * 1000),
  };
}

/** A conflict when the table's manifest is no longer the one compacted. */
async function changedSince(store: ObjectStore, ref: TableRef, manifest: TableManifest, cause?: unknown): Promise<ConflictError | undefined> {
  const now = await readTableManifest(store, ref.location);
  if (now?.generation === manifest.generation) return undefined;
  return new ConflictError(`table ${ref.uri} was changed by another writer during the compaction (generation ${manifest.generation} → ${now?.generation ?? 'none'}); nothing was switched`, cause === undefined ? undefined : { cause });
}

function kept(manifest: TableManifest, files: CompactInput[]): DataFile[] {
  const keys = new Set(files.map((file) => file.relativeKey));
  return manifest.files.filter((file) => keys.has(file.key));
}

function nextManifest(manifest: TableManifest, generation: string, files: DataFile[]): TableManifest {
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    ...manifest,
    generation,
    createdAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
    files,
    totals: { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.bytes, 0) },
    contentDigest: addDigests(files.map((file) => file.digest)),
    source: { ...(manifest.source ?? {}), compactedFrom: manifest.generation },
  };
}

/**
 * An earlier compaction killed mid-way left its journal: whatever it wrote or replaced that
 * the manifest does not list now is removed. Before its switch that is its new files (the
 * table is the old one); after, the files it replaced (the table is the new one).
 */
async function recoverInterrupted(store: ObjectStore, ref: TableRef, manifest: TableManifest): Promise<Recovered | undefined> {
  const journal = await readJournal(store, ref.location);
  if (!journal) return undefined;
  if (journal.mode !== 'manifest') throw new IntegrityError(`${ref.uri} holds a lakevault manifest and the journal of a prefix compaction (${journal.generation}): check the table and remove ${ref.uri}_lakevault/compaction.json by hand`);
  const listed = new Set(manifest.files.map((file) => file.key));
  const stale = [...journal.writes, ...journal.replaces.map((file) => file.key)].filter((key) => !listed.has(key));
  const removed = await store.deleteKeys(ref.location.bucket, stale.map((key) => ref.location.prefix + key));
  if (removed.errors.length) throw new IntegrityError(`could not remove what an interrupted compaction left (${removed.errors[0]!.key}: ${removed.errors[0]!.code})`);
  await removeJournal(store, ref.location);
  return { generation: journal.generation, outcome: manifest.generation === journal.generation ? 'finished' : 'rolled back', removedObjects: removed.deleted.length };
}

/**
 * New files are stored as the files they replace are: SSE-S3 or SSE-KMS (with its key) as
 * the first of them reports. SSE-C files cannot even be read without their key.
 */
export async function encryptionOf(store: ObjectStore, file: CompactInput): Promise<EncryptionOptions | undefined> {
  const head = await store.head(file.bucket, file.key);
  if (!head) throw new ConflictError(`s3://${file.bucket}/${file.key} is gone: the table changed; nothing was done`);
  if (head.sseCustomerAlgorithm) throw new UnsupportedError(`s3://${file.bucket}/${file.key} is encrypted with a customer key (SSE-C): compaction cannot read it`);
  if (head.serverSideEncryption === 'aws:kms') return { sse: 'aws:kms', ...(head.kmsKeyId ? { kmsKeyId: head.kmsKeyId } : {}) };
  if (head.serverSideEncryption === 'AES256') return { sse: 'AES256' };
  return undefined;
}
