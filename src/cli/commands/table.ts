import { Command } from 'commander';
import { createSalesTable, MAX_ROWS, MAX_ROWS_PER_FILE } from '../../table/create';
import { inspectTable } from '../../table/inspect';
import { formatForeignInspect, type ForeignInspectResult } from '../../lake/inspect';
import { dropTable, listTables } from '../../table/catalog';
import { resolveTable } from '../../table/table-ref';
import { StoreError } from '../../errors';
import { parseInteger, withStore } from '../context';
import { formatBytes, formatCount, formatTable } from '../output';
import { encryptionFromFlags, addEncryptionOptions, encryptionWarning, type EncryptionFlags } from '../encryption-flags';

export function tableCommand(): Command {
  const table = new Command('table').description('create, inspect, list and drop tables');

  addEncryptionOptions(table.command('create <name>')
    .description('write a generated sales table (the seed\'s vendas) as Parquet with a manifest')
    .option('--rows <n>', 'rows to generate', '50000')
    .option('--seed <n>', 'generator seed (same seed, same rows)', '42')
    .option('--rows-per-file <n>', 'rows per Parquet file', '1000000')
    .option('--row-group-rows <n>', 'rows per Parquet row group', '262144')
    .option('--overwrite', 'replace an existing table'))
    .action(async (name: string, flags: { rows: string; seed: string; rowsPerFile: string; rowGroupRows: string; overwrite?: boolean } & EncryptionFlags, command: Command) => {
      const rows = parseInteger('--rows', flags.rows, 1, MAX_ROWS);
      const seed = parseInteger('--seed', flags.seed, 0, 2 ** 31 - 1);
      const rowsPerFile = parseInteger('--rows-per-file', flags.rowsPerFile, 1, MAX_ROWS_PER_FILE);
      const rowGroupRows = parseInteger('--row-group-rows', flags.rowGroupRows, 1, 1_048_576);
      const encryption = encryptionFromFlags(flags);
      await withStore(command, async ({ config, output, open }) => {
        const ref = resolveTable(config, name);
        const result = await createSalesTable(open.store, ref, {
          rows, seed, rowsPerFile, rowGroupRows, overwrite: flags.overwrite === true,
          ...(encryption ? { encryption } : {}),
          onProgress: (p) => output.progress(`table create ${ref.name}: ${formatCount(p.rows)}/${formatCount(p.totalRows)} rows, ${p.files} files`),
        });
        const downgrade = encryption ? await encryptionWarning(open.store, ref.location, encryption) : undefined;
        if (downgrade) output.warn(downgrade);
        output.result(result, (r: typeof result) =>
          `created ${r.uri}: ${formatCount(r.rows)} rows in ${r.files} files (${formatBytes(r.bytes)}), generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${r.removedFiles} old files` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  table.command('inspect <table>')
    .description('files, rows (from Parquet footers), bytes and schema of a table or s3:// prefix')
    .action(async (name: string, _flags: unknown, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const result = await inspectTable(open.store, resolveTable(config, name), config.concurrency);
        output.result(result, (r: typeof result) => [
          `${r.uri}${r.hasManifest ? ` (generation ${r.generation}, created ${r.createdAt})` : ' (no lakevault manifest)'}`,
          `${formatCount(r.totals.rows)} rows, ${r.totals.files} files, ${formatBytes(r.totals.bytes)}`,
          'schema: ' + r.schema.map((f) => `${f.name} ${f.type}${f.nullable ? '' : ' not null'}`).join(', '),
          formatTable(['file', 'rows', 'row groups', 'bytes'], r.files.map((f) => [f.key, f.error ? `error: ${f.error}` : formatCount(f.rows), f.rowGroups, formatBytes(f.bytes)])),
          ...(r.otherObjects.length ? [`other objects: ${r.otherObjects.join(', ')}`] : []),
          ...('format' in r ? formatForeignInspect(r as ForeignInspectResult) : []),
          ...(r.problems.length ? ['problems:', ...r.problems.map((p) => `  ${p}`)] : []),
        ].join('\n'));
      });
    });

  table.command('list')
    .description('tables in the warehouse')
    .action(async (_flags: unknown, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const tables = await listTables(open.store, config.warehouse);
        output.result({ warehouse: `s3://${config.warehouse.bucket}/${config.warehouse.prefix}`, tables }, (r: { tables: typeof tables }) =>
          r.tables.length === 0 ? 'no tables' : formatTable(['name', 'rows', 'files', 'bytes', 'created'], r.tables.map((t) =>
            [t.name, t.error ? `error: ${t.error}` : formatCount(t.rows ?? 0), t.files ?? '', t.bytes !== undefined ? formatBytes(t.bytes) : '', t.createdAt ?? ''])));
      });
    });

  table.command('drop <table>')
    .description('delete a table: its manifest, its files and anything else under its prefix')
    .option('--force', 'empty the prefix even when it holds no lakevault manifest')
    .action(async (name: string, flags: { force?: boolean }, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const result = await dropTable(open.store, resolveTable(config, name), { force: flags.force === true });
        if (result.errors.length) {
          throw new StoreError(`drop ${result.uri}: ${result.errors.length} objects could not be deleted, first: ${result.errors[0]!.key}: ${result.errors[0]!.code}`);
        }
        output.result(result, (r: typeof result) => `dropped ${r.uri}: ${r.deletedObjects} objects deleted`);
      });
    });

  return table;
}
