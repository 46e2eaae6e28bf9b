import type { Config } from '../config/config';
import { UsageError } from '../errors';
import type { ObjectStore } from '../store/types';
import { snapshotFileSet } from '../snapshot/file-set';
import { type FileSet } from '../model/file-set';
import { resolveSnapshot } from '../snapshot/resolve';
import type { KeyedConfig } from '../snapshot/repository';
import { readTableManifest } from '../table/manifest';
import { resolveTable, type TableRef } from '../table/table-ref';
import { describePrefix } from './describe';
import { inspectForeignPrefix, type ForeignInspectResult } from './inspect';

/**
 * `--delta-version N` for commands that read a table as it is now (`table inspect`,
 * `validate`): the table is read as version N of its Delta log — only that version's live
 * files count. A lakevault table or a prefix without `_delta_log/` is a usage error, and
 * so is a version the log does not have (src/lake/delta/snapshot.ts).
 */
export async function inspectDeltaVersion(store: ObjectStore, table: TableRef, version: number, concurrency?: number): Promise<ForeignInspectResult> {
  await refuseLakevaultTable(store, table);
  return inspectForeignPrefix(store, table, { version, ...(concurrency !== undefined ? { concurrency } : {}) });
}

/**
 * The FileSets of `validate`'s operands with `--delta-version N`: backups and checkpoints
 * as they are (they hold one version already), table prefixes as version N. At least one
 * operand must be a table.
 */
export async function resolveFileSetsAtDeltaVersion(store: ObjectStore, config: KeyedConfig, references: string[], version: number): Promise<FileSet[]> {
  const sets: FileSet[] = [];
  let tables = 0;
  for (const reference of references) {
    const snapshot = await resolveSnapshot(store, config, reference);
    if (snapshot) {
      sets.push(snapshotFileSet(snapshot.repo, snapshot.manifest));
      continue;
    }
    tables++;
    const table = resolveTable(config, reference);
    await refuseLakevaultTable(store, table);
    sets.push((await describePrefix(store, table.location, { version })).fileSet);
  }
  if (tables === 0) throw new UsageError('--delta-version applies to a Delta table (s3:// prefix), not to a backup or checkpoint: they hold one version already');
  return sets;
}

async function refuseLakevaultTable(store: ObjectStore, table: TableRef): Promise<void> {
  if (await readTableManifest(store, table.location)) {
    throw new UsageError(`--delta-version applies to Delta tables; ${table.uri} is a lakevault table`);
  }
}

/** A library caller's version number: a whole number ≥ 0 (the CLI parses its flag the same way). */
export function checkDeltaVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 0) throw new UsageError(`deltaVersion must be a whole number ≥ 0, got ${version}`);
  return version;
}
