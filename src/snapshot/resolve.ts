import type { Config } from '../config/config';
import { NotFoundError } from '../errors';
import { isS3Uri } from '../store/location';
import type { ObjectStore } from '../store/types';
import { readTableManifest } from '../table/manifest';
import { resolveTable } from '../table/table-ref';
import { tableFileSet, type FileSet } from './file-set';

/**
 * Finds what a user named on the command line — a table name, a backup or checkpoint id,
 * or an s3:// URI — and returns it as a FileSet.
 * (Backups and checkpoints are resolved by their module; prefixes without a lakevault
 * manifest are described by listing them.)
 */
export async function resolveFileSet(store: ObjectStore, config: Config, reference: string): Promise<FileSet> {
  if (isS3Uri(reference) || /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(reference)) {
    const table = resolveTable(config, reference);
    const manifest = await readTableManifest(store, table.location);
    if (manifest) return tableFileSet(table, manifest);
  }
  throw new NotFoundError(`"${reference}" is not a table, backup or checkpoint that lakevault knows`);
}
