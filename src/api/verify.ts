import { NotFoundError, UsageError } from '../errors';
import { opsArea } from '../history/area';
import type { FileSet } from '../model/file-set';
import { resolveFileSet } from './subjects';
import type { ValidationLevel } from '../validate';
import { formatS3Uri, isS3Uri, parseS3Uri } from '../store/location';
import { chooseObjects, newCycleState, recordRun, withBudget, type CycleBudget, type CycleObject, type CycleProgress } from '../verify/cycle';
import { readCycleState, writeCycleState } from '../verify/state';
import { BackupApi } from './backups';
import { validate, type ValidateOptions } from './checks';
import type { ApiContext, CallOptions } from './context';
import { formatBytes, formatCount } from '../util/units';
import { report, type Report } from './report';
import { checkLevel } from './validation-failure';
import type { Difference, FileError } from '../validate';

export interface CycleOptions extends CallOptions {
  /** Verify one of this many key-hash slices per run (restic's n/t, rotated for you). */
  slices?: number;
  /** Or: verify up to this many bytes per run. */
  maxBytes?: number;
  /** full (default): every row group read and digested; quick: objects, sizes, ETags, footers. */
  level?: ValidationLevel;
  /** The time between runs (a plan knows it); otherwise taken from the runs seen so far. */
  cadenceMs?: number;
  workers?: number;
}

export type CycleReport = Report<{
  subject: string;
  level: ValidationLevel;
  ok: boolean;
  budget: CycleBudget;
  /** Slices mode: the slice this run verified (0-based). */
  slice?: number;
  cycle: CycleProgress;
  run: { objects: number; bytes: number; verified: string[]; failed: string[] };
  bytesRead: number;
  differences: Difference[];
  fileErrors: FileError[];
  notes: string[];
  elapsedMs: number;
}>;

/** What a cycle covers: each object once, with the subject (table, backup) that lists it. */
interface Inventory {
  subject: string;
  objects: (CycleObject & { owner: string; relativeKey: string })[];
}

/**
 * `validate <subject> --cycle`: verifies this run's slice of a table, a backup, or a backup
 * repository (its root, or `<root>/<table>/` for one table's backups), and remembers in the
 * repository what the current cycle has verified (src/verify/cycle.ts says how coverage is
 * guaranteed). Found problems are answers (`ok: false`), as in `validate`.
 */
export async function verifyCycle(context: ApiContext, subject: string, options: CycleOptions = {}): Promise<CycleReport> {
  const started = Date.now();
  const budget = checkBudget(options);
  const level = checkLevel(options.level ?? 'full');
  const inventory = await inventoryOf(context, subject);
  const area = opsArea(context.config.backups);
  const now = new Date();
  const stored = await readCycleState(context.store, area, inventory.subject);
  const state = stored ? withBudget(stored, budget) : newCycleState(inventory.subject, budget, now);
  const { chosen, slice } = chooseObjects(state, inventory.objects);
  const progress = context.progress('validate', options.onProgress);

  const byOwner = new Map<string, Inventory['objects']>();
  for (const object of chosen as Inventory['objects']) byOwner.set(object.owner, [...(byOwner.get(object.owner) ?? []), object]);
  const verified: CycleObject[] = [];
  const failed: { object: CycleObject; message: string }[] = [];
  const differences: Difference[] = [];
  const fileErrors: FileError[] = [];
  const notes: string[] = [];
  let bytesRead = 0;
  let done = 0;
  for (const [owner, objects] of byOwner) {
    progress(`verify ${inventory.subject}: ${formatCount(done)}/${formatCount(chosen.length)} objects, ${formatBytes(bytesRead)} read`, { files: done, totalFiles: chosen.length, bytes: bytesRead });
    const validateOptions: ValidateOptions & { files: string[] } = { level, files: objects.map((o) => o.relativeKey), ...(options.workers ? { workers: options.workers } : {}) };
    let result;
    try {
      result = await validate(context, owner, undefined, validateOptions);
    } catch (error) {
      // Deleted since the inventory (a prune meanwhile): not there to verify; gone from the next inventory.
      if (error instanceof NotFoundError) { notes.push(`${owner}: no longer there (${error.message})`); continue; }
      throw error;
    }
    bytesRead += result.bytesRead;
    differences.push(...result.differences);
    fileErrors.push(...result.fileErrors);
    notes.push(...result.notes);
    const bad = new Map<string, string>();
    for (const problem of [...result.differences, ...result.fileErrors.map((e) => ({ file: e.file, message: e.error }))]) {
      // A problem that names no file (the subject as a whole) fails every object of the group.
      for (const object of problem.file === undefined ? objects : objects.filter((o) => o.relativeKey === problem.file)) {
        if (!bad.has(object.id)) bad.set(object.id, problem.message);
      }
    }
    for (const object of objects) {
      const message = bad.get(object.id);
      if (message === undefined) verified.push(object); else failed.push({ object, message });
    }
    done += objects.length;
  }

  const { state: next, progress: cycle } = recordRun(state, inventory.objects, { verified, failed, ...(slice !== undefined ? { slice } : {}) }, now, options.cadenceMs);
  await writeCycleState(context.store, area, next);
  const uriOf = (object: CycleObject) => `s3://${object.id}`;
  return report({
    subject: inventory.subject,
    level,
    ok: failed.length === 0,
    budget,
    ...(slice !== undefined ? { slice } : {}),
    cycle,
    run: {
      objects: verified.length + failed.length,
      bytes: [...verified, ...failed.map((f) => f.object)].reduce((sum, o) => sum + o.size, 0),
      verified: verified.map(uriOf),
      failed: failed.map((f) => uriOf(f.object)),
    },
    bytesRead,
    differences,
    fileErrors,
    notes,
    elapsedMs: Date.now() - started,
  });
}

function checkBudget(options: CycleOptions): CycleBudget {
  if (options.slices !== undefined && options.maxBytes !== undefined) throw new UsageError('give either slices or maxBytes for a verification cycle, not both');
  if (options.maxBytes !== undefined) {
    if (!Number.isSafeInteger(options.maxBytes) || options.maxBytes < 1) throw new UsageError(`maxBytes must be a whole number of bytes ≥ 1, got ${options.maxBytes}`);
    return { maxBytes: options.maxBytes };
  }
  const slices = options.slices ?? 7;
  if (!Number.isSafeInteger(slices) || slices < 1 || slices > 10_000) throw new UsageError(`slices must be a whole number from 1 to 10,000, got ${slices}`);
  return { slices };
}

/**
 * The objects of a subject. A backup repository (the configured one, `<root>/` or
 * `<root>/<table>/`) holds every complete backup's files; an object several backups share
 * is one object, verified through the backup that stored it.
 */
async function inventoryOf(context: ApiContext, subject: string): Promise<Inventory> {
  const { config, store } = context;
  const root = config.backups;
  if (isS3Uri(subject)) {
    const at = parseS3Uri(subject);
    const rest = at.bucket === root.bucket && at.prefix.startsWith(root.prefix) ? at.prefix.slice(root.prefix.length) : undefined;
    if (rest !== undefined && /^([^/]+\/)?$/.test(rest)) return repositoryInventory(context, formatS3Uri(at), rest ? rest.slice(0, -1) : undefined);
  }
  const set = await resolveFileSet(store, config, subject);
  return { subject, objects: objectsOf(set, subject) };
}

async function repositoryInventory(context: ApiContext, subject: string, table?: string): Promise<Inventory> {
  const { config, store } = context;
  const listed = await new BackupApi(context).list(table);
  const objects = new Map<string, Inventory['objects'][number]>();
  for (const backup of listed.backups) {
    if (backup.state !== 'complete') continue;
    let set: FileSet;
    try {
      set = await resolveFileSet(store, config, backup.uri);
    } catch (error) {
      if (error instanceof NotFoundError) continue; // deleted since it was listed
      throw error;
    }
    for (const object of objectsOf(set, backup.uri)) {
      const known = objects.get(object.id);
      // The backup whose prefix holds the object is the one that stored it: verify it through that one.
      if (!known || (!known.id.startsWith(ownerPrefix(known.owner)) && object.id.startsWith(ownerPrefix(object.owner)))) objects.set(object.id, object);
    }
  }
  return { subject, objects: [...objects.values()] };
}

function objectsOf(set: FileSet, owner: string): Inventory['objects'] {
  return set.files.map((file) => ({ id: `${file.bucket}/${file.key}`, size: file.size, etag: file.etag, owner, relativeKey: file.relativeKey }));
}

function ownerPrefix(owner: string): string {
  return owner.startsWith('s3://') ? owner.slice('s3://'.length) : '\0';
}
