import { ConflictError, IntegrityError, UnsupportedError } from '../errors';
import { addDigests } from '../digest/bag';
import { describePrefix } from '../lake/describe';
import { describeEncryption, requireEncryption } from '../store/encryption-check';
import { formatS3Uri, type Location } from '../store/location';
import type { EncryptionOptions, ObjectInfo, ObjectStore } from '../store/types';
import { newId } from '../table/naming';
import type { TableRef } from '../table/table-ref';
import { abandon, readJournal, removeJournal, stagingPrefix, writeJournal, type CompactionJournal } from './journal';
import { planCompaction, type CompactInput } from './plan';
import { backupNote, DEFAULT_FILE_TIMEOUT_MS, DEFAULT_ROW_GROUP_ROWS, nothingToDo, partitionLines, targetOf, totalsOf, type CompactOptions, type CompactResult, type Recovered } from './report';
import { rewriteGroups } from './rewrite';
import { encryptionOf } from './table';
import { verifyWritten } from './verify';

/**
 * Compacts a prefix lakevault did not write (Spark, Hive, DuckDB output), partition by
 * partition: the files of each `col=value/` directory are merged into fewer files in that
 * same directory, its name untouched byte for byte. Such a prefix has no manifest to switch
 * at once, so the new files are staged under `_lakevault/compact/<generation>/` (skipped
 * by engines), read back and checked; then they are copied into place and the old files
 * deleted. Between those two steps a reader of the prefix could see both: the report says
 * how long that was. A kill -9 at any point is finished (after the switch began) or undone
 * (before) by the next `table compact`, from the journal.
 */
export async function compactPrefix(store: ObjectStore, ref: TableRef, options: CompactOptions): Promise<CompactResult> {
  const started = Date.now();
  const { bucket, prefix } = ref.location;
  const recovered = await recoverInterruptedPrefix(store, ref);
  const description = await describePrefix(store, ref.location);
  if (description.format === 'delta' || description.format === 'iceberg') {
    throw new UnsupportedError(`${ref.uri} is a${description.format === 'iceberg' ? 'n Iceberg' : ' Delta'} table: compact it with its own engine (OPTIMIZE / rewrite_data_files), which records the change in its log; lakevault compacts lakevault tables and plain (Hive-style) Parquet prefixes`);
  }
  const data = description.files.filter((file) => file.kind === 'data');
  const unreadable = data.filter((file) => file.error);
  if (unreadable.length) throw new IntegrityError(`${unreadable.length} data file(s) of ${ref.uri} have no readable footer (first: ${unreadable[0]!.relativeKey}: ${unreadable[0]!.error}): nothing was done`);
  // A file whose schema drifted from the others' is left as it is: only files of one schema are merged.
  const drifted = data.filter((file) => file.schema);
  const inputs: CompactInput[] = data.filter((file) => !file.schema).map((file) => ({
    relativeKey: file.relativeKey, bucket, key: file.key, size: file.size, etag: file.etag, rows: file.rows ?? 0,
  }));
  const generation = newId();
  const plan = planCompaction(inputs, options.target, generation);
  plan.kept.push(...drifted.map((file) => ({ relativeKey: file.relativeKey, bucket, key: file.key, size: file.size, etag: file.etag, rows: file.rows ?? 0 })));
  const base = { table: ref.name, uri: ref.uri, mode: 'prefix' as const, target: targetOf(options.target), ...(recovered ? { recovered } : {}) };
  const driftNote = drifted.length ? [`${drifted.length} file(s) with a schema of their own were left as they are (first: ${drifted[0]!.relativeKey})`] : [];
  if (plan.groups.length === 0) {
    const result = nothingToDo(base, plan, undefined, started);
    return { ...result, notes: [...result.notes, ...driftNote] };
  }

  const staging = stagingPrefix(generation);
  const replaced = plan.groups.flatMap((group) => group.inputs);
  const encryption = await encryptionOf(store, replaced[0]!);
  const journal: CompactionJournal = {
    format: 'lakevault.compaction', formatVersion: 1, generation, from: description.generation, startedAt: new Date().toISOString(),
    mode: 'prefix', state: 'writing',
    writes: [...plan.groups.flatMap((group) => group.outputs.map((output) => staging + output.relativeKey)), ...(encryption ? [staging + ENCRYPTION_PROBE] : [])],
    replaces: replaced.map((file) => ({ key: file.relativeKey, size: file.size, etag: file.etag })),
    ...(encryption ? { encryption: { sse: encryption.sse!, ...(encryption.kmsKeyId ? { kmsKeyId: encryption.kmsKeyId } : {}) } } : {}),
  };
  const totalRows = replaced.reduce((sum, file) => sum + file.rows, 0);
  const fileTimeoutMs = options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  await writeJournal(store, ref.location, journal);

  let written;
  let digest: string;
  try {
    written = await rewriteGroups(store, plan.groups, {
      bucket, prefix, writeKey: (output) => staging + output.relativeKey, rowGroupRows: options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS,
      ...(encryption ? { encryption } : {}), fileTimeoutMs,
      onProgress: (p) => options.onProgress?.({ ...p, totalRows, totalFiles: journal.writes.length }),
    });
    const staged = written.flat();
    // No digest was recorded for these files: the rows as decoded are the content, and the new files must read back as them.
    digest = addDigests(staged.map((file) => file.digest));
    await verifyWritten(store, staged.map((file) => ({ file, bucket, key: prefix + file.key })), formatS3Uri({ bucket, prefix: prefix + staging }), description.schema, digest, fileTimeoutMs);
    if (encryption) await requireEncryptedCopies(store, ref, staged[0]!.key, staging, encryption);
    const conflict = await changedSince(store, ref, journal);
    if (conflict) throw conflict;
  } catch (error) {
    await abandon(store, ref.location, journal);
    // A file that vanished or changed under the reader: another writer, said as such.
    throw (await changedSince(store, ref, journal, error).catch(() => undefined)) ?? error;
  }

  const staged = written.flat();
  const finals = plan.groups.flatMap((group) => group.outputs);
  const switching: CompactionJournal = {
    ...journal,
    state: 'switching',
    moves: staged.map((file, index) => ({ staged: file.key, key: finals[index]!.relativeKey, size: file.bytes, etag: file.etag })),
  };
  await writeJournal(store, ref.location, switching);
  const switched = await finishSwitch(store, ref, switching);
  const newFiles = staged.map((file, index) => ({ ...file, key: finals[index]!.relativeKey }));
  const after = [...plan.kept.map((file) => ({ rows: file.rows, size: file.size })), ...newFiles.map((file) => ({ rows: file.rows, size: file.bytes }))];
  return {
    ...base,
    compacted: true,
    generation,
    before: totalsOf([...inputs, ...drifted.map((file) => ({ rows: file.rows ?? 0, size: file.size }))]),
    after: totalsOf(after),
    partitions: partitionLines(plan.groups, written),
    keptFiles: plan.kept.length,
    removedFiles: switched.removedFiles,
    contentDigest: { before: digest, after: digest, verified: true },
    switchMs: switched.switchMs,
    notes: [
      `a prefix has no manifest to switch at once: for ${switched.switchMs} ms (copying the new files into place, then deleting the old) a reader of the prefix could see both`,
      backupNote(newFiles, plan.kept),
      ...driftNote,
    ],
    elapsedMs: Date.now() - started,
    rowsPerSecond: Math.round(totalRows / Math.max(1, Date.now() - started) * 1000),
  };
}

/** What a listing says about the prefix's objects, by key relative to it. */
async function objectsUnder(store: ObjectStore, location: Location): Promise<Map<string, ObjectInfo>> {
  const objects = new Map<string, ObjectInfo>();
  for await (const object of store.list(location.bucket, location.prefix)) objects.set(object.key.slice(location.prefix.length), object);
  return objects;
}

/** A conflict when a file to be replaced is gone or different now: another writer was at work. */
async function changedSince(store: ObjectStore, ref: TableRef, journal: CompactionJournal, cause?: unknown): Promise<ConflictError | undefined> {
  const objects = await objectsUnder(store, ref.location);
  for (const file of journal.replaces) {
    const now = objects.get(file.key);
    const change = !now ? 'was deleted' : now.size !== file.size || now.etag !== file.etag ? 'was rewritten' : undefined;
    if (change) return new ConflictError(`${ref.uri} changed during the compaction (${file.key} ${change}); nothing was switched`, cause === undefined ? undefined : { cause });
  }
  return undefined;
}

/**
 * The switch of a prefix, from the journal (so that a rerun after a kill does the same):
 * each staged file copied to its key (server-side, pinned to the staged ETag) unless a
 * copy is there already; then the replaced files still as they were read are deleted,
 * then the staged copies, then the journal.
 */
async function finishSwitch(store: ObjectStore, ref: TableRef, journal: CompactionJournal): Promise<{ removedFiles: number; switchMs: number }> {
  const { bucket, prefix } = ref.location;
  const started = Date.now();
  const objects = await objectsUnder(store, ref.location);
  const encryption: EncryptionOptions | undefined = journal.encryption;
  for (const move of journal.moves ?? []) {
    if (objects.get(move.key)?.size === move.size) continue; // copied before an interruption
    const staged = objects.get(move.staged);
    if (!staged || staged.etag !== move.etag) throw new IntegrityError(`cannot finish the compaction of ${ref.uri}: the staged file ${move.staged} is missing or changed; the journal _lakevault/compaction.json is kept`);
    await store.copy(bucket, prefix + move.staged, bucket, prefix + move.key, { sourceEtag: move.etag, sourceSize: move.size, ...(encryption ? { encryption } : {}) });
  }
  const stale = journal.replaces.filter((file) => {
    const now = objects.get(file.key);
    return now !== undefined && now.size === file.size && now.etag === file.etag;
  });
  const removed = await store.deleteKeys(bucket, stale.map((file) => prefix + file.key));
  const switchMs = Date.now() - started;
  if (removed.errors.length) throw new IntegrityError(`the new files of ${ref.uri} are in place but ${removed.errors.length} old file(s) could not be deleted (first: ${removed.errors[0]!.key}: ${removed.errors[0]!.code}); rerun table compact to finish`);
  const cleaned = await store.deleteKeys(bucket, journal.writes.map((key) => prefix + key));
  if (cleaned.errors.length === 0) await removeJournal(store, ref.location);
  return { removedFiles: removed.deleted.length, switchMs };
}

const ENCRYPTION_PROBE = 'encryption-probe';

/**
 * The switch copies the staged files into place, asking for the encryption the replaced
 * files have. Some servers store such a copy unencrypted without a word (Ceph RGW 16 with
 * SSE-KMS): one probe copy, checked, before anything becomes visible.
 */
async function requireEncryptedCopies(store: ObjectStore, ref: TableRef, stagedKey: string, staging: string, encryption: EncryptionOptions): Promise<void> {
  const { bucket, prefix } = ref.location;
  const probe = `${prefix}${staging}${ENCRYPTION_PROBE}`;
  try {
    await store.copy(bucket, prefix + stagedKey, bucket, probe, { encryption });
    await requireEncryption(store, bucket, probe, encryption);
  } catch (error) {
    throw new UnsupportedError(`the new files of ${ref.uri} cannot be copied into place with ${describeEncryption(encryption)}, as the files they replace are stored (${(error as Error).message}); nothing was switched`, { cause: error });
  } finally {
    await store.deleteKeys(bucket, [probe]).catch(() => undefined);
  }
}

/** An interrupted prefix compaction: undone before its switch began, finished after. */
async function recoverInterruptedPrefix(store: ObjectStore, ref: TableRef): Promise<Recovered | undefined> {
  const journal = await readJournal(store, ref.location);
  if (!journal) return undefined;
  if (journal.mode !== 'prefix') throw new IntegrityError(`${ref.uri} has no lakevault manifest but holds the journal of a table compaction (${journal.generation}): check the prefix and remove ${ref.uri}_lakevault/compaction.json by hand`);
  if (journal.state === 'writing') {
    const removed = await store.deleteKeys(ref.location.bucket, journal.writes.map((key) => ref.location.prefix + key));
    if (removed.errors.length) throw new IntegrityError(`could not remove what an interrupted compaction staged (${removed.errors[0]!.key}: ${removed.errors[0]!.code})`);
    await removeJournal(store, ref.location);
    return { generation: journal.generation, outcome: 'rolled back', removedObjects: removed.deleted.length };
  }
  const finished = await finishSwitch(store, ref, journal);
  return { generation: journal.generation, outcome: 'finished', removedObjects: finished.removedFiles + journal.writes.length };
}
