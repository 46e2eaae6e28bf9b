import { z } from 'zod';
import { IntegrityError } from '../errors';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { checkRelativeKey } from '../store/key-boundary';

/**
 * The compaction journal, `_lakevault/compaction.json` under the table prefix: written
 * before the first new file, removed after the last old one. It names every key the
 * compaction writes and every file it replaces, so an interrupted compaction (kill -9) is
 * finished or undone from this record — never from a listing — by the next `table compact`.
 * Engines skip `_lakevault/` (a path segment starting with '_').
 */
export const COMPACTION_JOURNAL = '_lakevault/compaction.json';

/** Where a prefix compaction stages its new files, out of engines' sight, before the switch. */
export function stagingPrefix(generation: string): string {
  return `_lakevault/compact/${generation}/`;
}

const replacedSchema = z.object({ key: z.string(), size: z.number().int().nonnegative(), etag: z.string() });

export const journalSchema = z.object({
  format: z.literal('lakevault.compaction'),
  formatVersion: z.literal(1),
  /** The generation the compaction writes (new file names carry it). */
  generation: z.string(),
  /** The table generation it compacts (a manifest), or the listing it read (a prefix). */
  from: z.string(),
  startedAt: z.string(),
  /**
   * manifest: a lakevault table, switched by writing its manifest.
   * prefix: a prefix without one, switched by copying staged files into place, then deleting the old.
   */
  mode: z.enum(['manifest', 'prefix']),
  /** writing: nothing visible has changed. switching (prefix only): every staged file was verified. */
  state: z.enum(['writing', 'switching']),
  /** Relative keys this compaction writes: the new files (manifest), the staged copies (prefix). */
  writes: z.array(z.string()),
  /** Prefix, once switching: staged key → the key it is copied to, with what was staged. */
  moves: z.array(z.object({ staged: z.string(), key: z.string(), size: z.number().int().nonnegative(), etag: z.string() })).optional(),
  /** Prefix: how the new files are stored (what the replaced ones reported), for the copies into place. */
  encryption: z.object({ sse: z.enum(['AES256', 'aws:kms']), kmsKeyId: z.string().optional() }).optional(),
  /** The files it replaces, as they were read. */
  replaces: z.array(replacedSchema),
});

export type CompactionJournal = z.infer<typeof journalSchema>;

export async function readJournal(store: ObjectStore, table: Location): Promise<CompactionJournal | undefined> {
  const key = table.prefix + COMPACTION_JOURNAL;
  if (!(await store.head(table.bucket, key))) return undefined;
  const text = Buffer.from(await store.getBytes(table.bucket, key)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`compaction journal s3://${table.bucket}/${key} is not valid JSON (${(error as Error).message}): remove it by hand once the table is checked`);
  }
  const parsed = journalSchema.safeParse(json);
  if (!parsed.success) throw new IntegrityError(`compaction journal s3://${table.bucket}/${key} is invalid (${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}): remove it by hand once the table is checked`);
  for (const relative of [...parsed.data.writes, ...parsed.data.replaces.map((r) => r.key), ...(parsed.data.moves ?? []).flatMap((m) => [m.staged, m.key])]) {
    checkRelativeKey(relative, `compaction journal s3://${table.bucket}/${key} (nothing was done)`, 'the table prefix');
  }
  return parsed.data;
}

export async function writeJournal(store: ObjectStore, table: Location, journal: CompactionJournal): Promise<void> {
  await store.put(table.bucket, table.prefix + COMPACTION_JOURNAL, JSON.stringify(journal, null, 2) + '\n', { contentType: 'application/json' });
}

export async function removeJournal(store: ObjectStore, table: Location): Promise<void> {
  const removed = await store.deleteKeys(table.bucket, [table.prefix + COMPACTION_JOURNAL]);
  if (removed.errors.length) throw new IntegrityError(`could not remove the compaction journal: ${removed.errors[0]!.code} ${removed.errors[0]!.message}`);
}

/** Before a switch: what the compaction wrote goes (only that: the journal names it), then the journal. */
export async function abandon(store: ObjectStore, table: Location, journal: CompactionJournal): Promise<void> {
  await store.deleteKeys(table.bucket, journal.writes.map((key) => table.prefix + key)).catch(() => undefined);
  await removeJournal(store, table).catch(() => undefined);
}
