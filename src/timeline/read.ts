import type { Config } from '../config/config';
import type { FileSet } from '../model/file-set';
import { snapshotFileSet } from '../snapshot/file-set';
import type { S3Store } from '../store/s3-store';
import { tableFileSet } from '../table/file-set';
import { resolveTable } from '../table/table-ref';
import { parseAsOf, pointAsOf } from './as-of';
import { tableHistory } from './history';

/**
 * A table as of a time (or a point of its history), as the FileSet validate and diff read:
 * the table itself when that generation is still in force, else a backup or checkpoint
 * holding it. A generation held only as object versions is not read in place: the error
 * says how to bring it back first.
 */
export async function fileSetAsOf(store: S3Store, config: Pick<Config, 'warehouse' | 'backups' | 'checkpoints' | 'manifestKey'>, table: string, asOf: string): Promise<FileSet> {
  const parsed = parseAsOf(asOf);
  const ref = resolveTable(config, table);
  const history = await tableHistory(store, config, ref);
  const choice = pointAsOf(history, parsed, (held) => (held.source?.kind === 'version'
    ? `it is held only as object versions of ${ref.uri}, which are not read in place: bring it back first with \`table restore ${table} --as-of ${parsed.text} --to <new table>\``
    : undefined));
  const source = choice.chosen.source!;
  return source.kind === 'snapshot' ? snapshotFileSet(source.repo, source.manifest) : tableFileSet(ref, source.manifest);
}
