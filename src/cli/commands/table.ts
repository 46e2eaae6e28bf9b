import { Command } from 'commander';
import { UsageError } from '../../errors';
import { MAX_ROWS, MAX_ROWS_PER_FILE } from '../../table/limits';
import { lazyModule } from '../../util/lazy';
import { parseInteger } from '../context';
import { icebergChoice } from '../iceberg-flags';
import { formatBytes, formatCount, formatTable, plural } from '../output';
import { encryptionFromFlags, addEncryptionOptions, type EncryptionFlags } from '../encryption-flags';
import { printResult, withClient } from '../with-client';

const foreignInspect = lazyModule((): typeof import('../../sources/foreign/inspect') => require('../../sources/foreign/inspect'));

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
      await withClient(command, async ({ lv, output }) => {
        const result = await lv.table.create(name, {
          rows, seed, rowsPerFile, rowGroupRows, overwrite: flags.overwrite === true,
          ...(encryption ? { encryption } : {}),
        });
        output.result(result, (r: typeof result) =>
          `created ${r.uri}: ${plural(r.rows, 'row')} in ${plural(r.files, 'file')} (${formatBytes(r.bytes)}), generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${plural(r.removedFiles, 'old file')}` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  table.command('inspect <table>')
    .description('files, rows (from Parquet footers), bytes and schema of a table or s3:// prefix')
    .option('--delta-version <n>', 'Delta tables: inspect this version (default: the newest)')
    .option('--iceberg-snapshot <id>', 'Iceberg tables: inspect this snapshot (default: the current one)')
    .option('--ref <name>', 'Iceberg tables: inspect the snapshot of this branch or tag')
    .option('--metadata-location <path>', 'Iceberg tables: read this metadata file (default: the one version-hint.text names, else the newest)')
    .action(async (name: string, flags: { deltaVersion?: string; icebergSnapshot?: string; ref?: string; metadataLocation?: string }, command: Command) => {
      const deltaVersion = flags.deltaVersion !== undefined ? parseInteger('--delta-version', flags.deltaVersion, 0, Number.MAX_SAFE_INTEGER) : undefined;
      const iceberg = icebergChoice(flags);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.inspect(name, { ...(deltaVersion !== undefined ? { deltaVersion } : {}), ...(iceberg ? { iceberg } : {}) }), (r) => [
          `${r.uri}${r.hasManifest ? ` (generation ${r.generation}, created ${r.createdAt})` : ' (no lakevault manifest)'}`,
          `${plural(r.totals.rows, 'row')}, ${plural(r.totals.files, 'file')}, ${formatBytes(r.totals.bytes)}`,
          'schema: ' + r.schema.map((f) => `${f.name} ${f.type}${f.nullable ? '' : ' not null'}`).join(', '),
          formatTable(['file', 'rows', 'row groups', 'bytes'], r.files.map((f) => [f.key, f.error ? `error: ${f.error}` : formatCount(f.rows), f.rowGroups, formatBytes(f.bytes)])),
          ...(r.otherObjects.length ? [`other objects: ${r.otherObjects.join(', ')}`] : []),
          ...(r.hasManifest ? [] : foreignInspect().formatForeignInspect(r)),
          ...(r.problems.length ? ['problems:', ...r.problems.map((p) => `  ${p}`)] : []),
        ].join('\n'));
      });
    });

  table.command('history <table>')
    .description('every point the table can be brought back to, newest first: current generation, backups, checkpoints, earlier generations a versioned bucket holds')
    .action(async (name: string, _flags: object, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.history(name), (r) => [
          `${r.uri}: versioning ${r.versioning.status}${r.versioning.detail ? ` (${r.versioning.detail})` : ''} on bucket ${r.versioning.bucket}`,
          formatTable(['at', 'point', 'id', 'generation', 'rows', 'restorable'], [
            ...r.points.map((p) => [p.at, p.kind, p.id, p.generation, formatCount(p.rows), p.restorable ? 'yes' : `no: ${p.reason}`]),
            ...r.drops.map((d) => [d.at, 'dropped', d.versionId, '', '', '']),
          ].sort((x, y) => (x[0]! < y[0]! ? 1 : x[0]! > y[0]! ? -1 : 0))),
          ...r.notes.map((note) => `note: ${note}`),
        ].join('\n'));
      });
    });

  table.command('restore <table>')
    .description('bring the table back as it was at a time (the generation in force then) or at a point of `table history`; ends with a validation')
    .requiredOption('--as-of <time|point>', 'ISO 8601 time with its zone (a date alone is its midnight UTC), or a point id that `table history` lists')
    .option('--to <table>', 'restore into this table (name or s3:// URI) instead of in place')
    .option('--force', 'replace an existing table (in place: the table itself) or write into a non-empty prefix')
    .option('--level <level>', 'validation after the restore: quick or full', 'quick')
    .action(async (name: string, flags: { asOf: string; to?: string; force?: boolean; level: string }, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.restore(name, { asOf: flags.asOf, level, force: flags.force === true, ...(flags.to !== undefined ? { to: flags.to } : {}) }), (r) => {
          const from = `${r.asOf.from.kind} ${r.asOf.from.id} (generation ${r.asOf.from.generation}, ${r.asOf.from.at})`;
          if (!r.restore) return `${r.uri} already is generation ${r.asOf.inForce.generation}, in force as of ${r.asOf.requested}: nothing to restore`;
          return `restored ${r.uri} as of ${r.asOf.requested} from ${from}: ${formatCount(r.restore.rows)} rows, ${r.restore.objects} objects, generation ${r.restore.generation}` +
            (r.restore.replacedGeneration ? `; replaced ${r.restore.replacedGeneration}, removed ${r.restore.removedObjects} old files` : '') +
            `\nvalidation (${level}): ${r.restore.ok ? 'OK' : 'FAILED'}`;
        });
      });
    });

  table.command('compact <table>')
    .description('rewrite many small files into fewer of the target size; the content digest is proven equal before the switch')
    .option('--target-rows <n>', 'rows per new file (default: 1,000,000, as table create writes)')
    .option('--target-file-mb <n>', 'size per new file in MB instead (turned into rows at the bytes per row of the files merged)')
    .option('--row-group-rows <n>', 'rows per Parquet row group of the new files', '262144')
    .option('--file-timeout <seconds>', 'fail a file whose reader makes no progress for this long', '60')
    .action(async (name: string, flags: { targetRows?: string; targetFileMb?: string; rowGroupRows: string; fileTimeout: string }, command: Command) => {
      if (flags.targetRows !== undefined && flags.targetFileMb !== undefined) throw new UsageError('--target-rows and --target-file-mb each set the file size: give one');
      const targetRows = flags.targetRows !== undefined ? parseInteger('--target-rows', flags.targetRows, 1, MAX_ROWS_PER_FILE) : undefined;
      const targetFileMb = flags.targetFileMb !== undefined ? parseInteger('--target-file-mb', flags.targetFileMb, 1, 4096) : undefined;
      const rowGroupRows = parseInteger('--row-group-rows', flags.rowGroupRows, 1, 1_048_576);
      const fileTimeoutMs = parseInteger('--file-timeout', flags.fileTimeout, 1, 86_400) * 1000;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.compact(name, { rowGroupRows, fileTimeoutMs, ...(targetRows !== undefined ? { targetRows } : {}), ...(targetFileMb !== undefined ? { targetFileMb } : {}) }), (r) => [
          r.compacted
            ? `compacted ${r.uri}: ${formatCount(r.before.files)} → ${formatCount(r.after.files)} files, ${formatCount(r.after.rows)} rows, ${formatBytes(r.before.bytes)} → ${formatBytes(r.after.bytes)}${r.generation ? `, generation ${r.generation}` : ''} in ${(r.elapsedMs / 1000).toFixed(1)} s`
            : `${r.uri}: nothing to compact (${plural(r.before.files, 'file')})`,
          ...(r.recovered ? [`an interrupted compaction (${r.recovered.generation}) was ${r.recovered.outcome}: ${plural(r.recovered.removedObjects, 'object')} removed`] : []),
          ...(r.compacted ? [`content ${r.contentDigest.after} read back from the new files, equal to the content before`] : []),
          ...(r.partitions.length > 1 ? [formatTable(['directory', 'files', 'new files', 'rows', 'bytes'], r.partitions.map((p) => [p.directory || '(root)', p.inputFiles, p.outputFiles, formatCount(p.rows), `${formatBytes(p.bytesBefore)} → ${formatBytes(p.bytesAfter)}`]))] : []),
          ...r.notes.map((note) => `note: ${note}`),
        ].join('\n'));
      });
    });

  table.command('list')
    .description('tables in the warehouse')
    .action(async (_flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.list(), (r) => [
          r.tables.length === 0 ? 'no tables' : formatTable(['name', 'rows', 'files', 'bytes', 'created'], r.tables.map((t) =>
            [t.name, t.error ? `error: ${t.error}` : formatCount(t.rows ?? 0), t.files ?? '', t.bytes !== undefined ? formatBytes(t.bytes) : '', t.createdAt ?? ''])),
          ...(r.withoutManifest.length ? [`objects without a lakevault manifest (an interrupted drop or write, or another engine's table; \`table drop --force\` removes them): ${r.withoutManifest.map((p) => p.name).join(', ')}`] : []),
        ].join('\n'));
      });
    });

  table.command('drop <table>')
    .description('delete a table: its manifest, its files and anything else under its prefix')
    .option('--force', 'empty the prefix even when it holds no lakevault manifest')
    .action(async (name: string, flags: { force?: boolean }, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.table.drop(name, { force: flags.force === true }), (r) => `dropped ${r.uri}: ${plural(r.deletedObjects, 'object')} deleted`);
      });
    });

  return table;
}
