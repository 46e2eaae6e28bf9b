import type { Config } from '../config/config';
import { NotFoundError, UsageError } from '../errors';
import type { FileSet } from '../model/file-set';
import { snapshotFileSet } from '../snapshot/file-set';
import { resolveSnapshot } from '../snapshot/resolve';
import { openTableSource } from '../sources/registry';
import type { VersionPin } from '../sources/table-source';
import { isS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import { resolveTable } from '../table/table-ref';

/**
 * What a user named on the command line — a table name, a backup or checkpoint id (`<id>`
 * or `<table>/<id>`), or an s3:// URI of a table, prefix or snapshot — as a FileSet. A name
 * is a lakevault table of the warehouse; a prefix lakevault did not write is named by its
 * s3:// URI. With a pin (a Delta version) tables are read as that version: backups and
 * checkpoints hold one version already.
 */
export async function resolveFileSet(store: ObjectStore, config: Config, reference: string, pin: VersionPin = {}): Promise<FileSet> {
  const snapshot = await resolveSnapshot(store, config, reference, undefined, { labels: false });
  if (snapshot) return snapshotFileSet(snapshot.repo, snapshot.manifest);
  if (pinned(pin)) return (await openTableSource(store, resolveTable(config, reference), pin)).fileSet();
  // A prefix lakevault did not write (Spark, DuckDB, Delta…) is described by listing it: named by its URI.
  if (isS3Uri(reference)) return (await openTableSource(store, resolveTable(config, reference))).fileSet();
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(reference)) {
    const source = await openTableSource(store, resolveTable(config, reference)).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (source?.kind === 'lakevault') return source.fileSet();
  }
  // A label is looked up last: a table's name never costs a listing of the repositories.
  const labelled = await resolveSnapshot(store, config, reference);
  if (labelled) return snapshotFileSet(labelled.repo, labelled.manifest);
  throw new NotFoundError(`"${reference}" is not a table, backup or checkpoint that lakevault knows`);
}

/** The version options of a call as a pin; at most one kind of version, each checked. */
export function versionPin(options: { deltaVersion?: number | undefined; iceberg?: VersionPin['iceberg'] | undefined }): VersionPin {
  if (options.deltaVersion !== undefined && options.iceberg) throw new UsageError('--delta-version and Iceberg options do not go together');
  if (options.deltaVersion !== undefined) {
    if (!Number.isSafeInteger(options.deltaVersion) || options.deltaVersion < 0) throw new UsageError(`deltaVersion must be a whole number ≥ 0, got ${options.deltaVersion}`);
    return { deltaVersion: options.deltaVersion };
  }
  return options.iceberg ? { iceberg: options.iceberg } : {};
}

export function pinned(pin: VersionPin): boolean {
  return pin.deltaVersion !== undefined || pin.iceberg !== undefined;
}
