import { Command } from 'commander';
import { UsageError } from '../../errors';
import { snapshotTags } from '../../retention/tags';
import { parseLockMode } from '../../snapshot/lock';
import { holdsNoData } from '../../snapshot/manifest';
import { checkSnapshotId } from '../../snapshot/repository';
import { parseInteger } from '../context';
import { icebergChoice, type IcebergFlags } from '../iceberg-flags';
import { formatBytes, formatCount, formatTable, plural } from '../output';
import { pruneRequest, pruneText, retentionOptions, type RetentionFlags } from '../retention-flags';
import { printResult, withClient } from '../with-client';
import { addEndpointFlags, repositoryFromFlags } from '../endpoint-flags';
import { addPlanCommands } from './backup-plan';
import { deleteText, snapshotTable } from './snapshot-output';

export function backupCommand(): Command {
  const backup = new Command('backup').description('server-side backups of tables: create, list, show, delete, prune, restore');

  const create = backup.command('create <table>')
    .description('copy exactly the files the table manifest lists to s3://lake-backups/<table>/<backup-id>/ (server-side)')
    .option('--name <label>', 'a label to remember the backup by')
    .option('--tag <tags>', 'tag the backup (comma-separated; repeatable), for prune --keep-tag', collect)
    .option('--to <uri>', 'backup repository (default: --backups, s3://lake-backups, on LAKEVAULT_BACKUPS_ENDPOINT when set)')
    .option('--full', 'copy every file, even those an earlier backup already holds')
    // Not --version: the program's own --version is matched anywhere on the command line.
    .option('--delta-version <n>', 'Delta tables: back up this version (default: the newest)')
    .option('--iceberg-snapshot <id>', 'Iceberg tables: back up this snapshot (default: the current one)')
    .option('--ref <name>', 'Iceberg tables: back up the snapshot of this branch or tag')
    .option('--metadata-location <path>', 'Iceberg tables: read the table from this metadata file (default: version-hint.text, else the newest)')
    .option('--iceberg-history', 'Iceberg tables: back up every snapshot of the metadata file, not only the current one')
    .option('--lock-days <n>', 'object-lock retention for the backup\'s objects (bucket needs object lock)')
    .option('--lock-mode <mode>', 'governance or compliance', 'governance')
    .option('--allow-empty', 'back up a table with no data files (one meant to be empty); refused otherwise');
  addEndpointFlags(create, 'to', 'the repository')
    .option('--resume <id>', 'finish an interrupted backup: copy only what is missing or differs')
    .action(async (name: string, flags: { name?: string; tag?: string[]; to?: string; resume?: string; full?: boolean; deltaVersion?: string; lockDays?: string; lockMode?: string; allowEmpty?: boolean } & IcebergFlags, command: Command) => {
      const iceberg = icebergChoice(flags);
      const to = repositoryFromFlags(flags, 'to');
      const version = flags.deltaVersion !== undefined ? parseInteger('--delta-version', flags.deltaVersion, 0, Number.MAX_SAFE_INTEGER) : undefined;
      const lock = flags.lockDays !== undefined ? { days: parseInteger('--lock-days', flags.lockDays, 1, 36_500), mode: parseLockMode(flags.lockMode) } : undefined;
      const resume = flags.resume !== undefined ? checkSnapshotId(flags.resume) : undefined;
      const tags = snapshotTags(flags.tag ?? []);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.create(name, {
          ...(resume ? { resume } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          ...(tags.length ? { tags } : {}),
          ...(to?.uri ? { to: to.uri } : {}),
          ...(to?.endpoint ? { toEndpoint: to.endpoint } : {}),
          ...(flags.full ? { full: true } : {}),
          ...(lock ? { lock } : {}),
          ...(version !== undefined ? { deltaVersion: version } : {}),
          ...(iceberg ? { iceberg } : {}),
          ...(flags.allowEmpty ? { allowEmpty: true } : {}),
        }), (r) =>
          `backup ${r.id} of ${r.table}: ${plural(r.rows, 'row')}, ${plural(r.objects, 'object')} (${formatBytes(r.bytes)}) at ${r.uri}` +
          (r.tags ? `, tags ${r.tags.join(', ')}` : '') + '\n' +
          `copied ${formatCount(r.copied.objects)}, skipped ${formatCount(r.skipped.objects)} (already there), reused ${formatCount(r.reused.objects)} from earlier backups` +
          (r.attempts > 1 ? `; restarted ${r.attempts - 1}× because the table was overwritten meanwhile` : '') +
          (r.lock ? `; locked (${r.lock.mode}) until ${r.lock.retainUntil}` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  addEndpointFlags(backup.command('list [table]')
    .description('backups (complete and incomplete) of one table — its location — or all, oldest first; orphaned folders apart')
    .option('--from <uri>', 'the repository to list (default: the backups location)'), 'from', 'the repository')
    .action(async (table: string | undefined, flags: Record<string, unknown>, command: Command) => {
      const from = repositoryFromFlags(flags, 'from');
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.list(table, from ? { from } : {}), (r) => snapshotTable(r.backups, r.orphaned, 'no backups', 'backup'));
      });
    });

  addEndpointFlags(backup.command('show <id>')
    .description('a backup\'s manifest: source, files, totals, lock')
    .option('--from <uri>', 'the repository holding it (default: the backups location)'), 'from', 'the repository')
    .action(async (id: string, flags: Record<string, unknown>, command: Command) => {
      const from = repositoryFromFlags(flags, 'from');
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.show(id, from ? { from } : {}), (m) => [
          `backup ${m.id}${m.label ? ` "${m.label}"` : ''} of ${m.source.uri} (generation ${m.source.generation})${m.tags ? `, tags ${m.tags.join(', ')}` : ''}`,
          `created ${m.createdAt}, completed ${m.completedAt}, lakevault ${m.toolVersion}`,
          `${holdsNoData(m.files) ? 'empty (no data files): ' : ''}${plural(m.totals.rows, 'row')}, ${plural(m.totals.files, 'file')}, ${formatBytes(m.totals.bytes)}; copied ${formatCount(m.transfer.copiedObjects)}, reused ${formatCount(m.transfer.reusedObjects)}`,
          ...(m.lock ? [`locked (${m.lock.mode}) until ${m.lock.retainUntil}`] : []),
          formatTable(['file', 'rows', 'bytes', 'etag', 'stored at'], m.files.map((f) => [f.relativeKey, formatCount(f.rows), formatBytes(f.size), f.etag, `s3://${f.bucket}/${f.key}`])),
        ].join('\n'));
      });
    });

  backup.command('delete <id>')
    .description('delete a backup, or what an interrupted delete left of one (files other backups reference are kept; locked backups are refused)')
    .option('--bypass-governance', 'override GOVERNANCE retention (needs s3:BypassGovernanceRetention)')
    .action(async (id: string, flags: { bypassGovernance?: boolean }, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.delete(id, { bypassGovernance: flags.bypassGovernance === true }), deleteText);
      });
    });

  retentionOptions(backup.command('prune <table>'), 'backup')
    .description('remove the backups restic\'s forget rules do not keep, and stale incomplete ones')
    .action(async (name: string, flags: RetentionFlags, command: Command) => {
      const request = pruneRequest(flags);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.prune(name, request), pruneText);
      });
    });

  addEndpointFlags(backup.command('restore <id>')
    .description('restore a backup into a table (a new one, or in place with --force); ends with a validation')
    .requiredOption('--to <table>', 'target table (name or s3:// URI)')
    .option('--from <uri>', 'the repository holding the backup (default: the backups location), e.g. an off-site one with --from-profile'), 'from', 'the repository')
    .option('--force', 'replace an existing table or write into a non-empty prefix')
    .option('--allow-other-source', 'let a backup of another table replace this one (or fill its non-empty prefix)')
    .option('--level <level>', 'validation after the restore: quick or full', 'quick')
    .action(async (id: string, flags: { to: string; force?: boolean; allowOtherSource?: boolean; level: string }, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      const from = repositoryFromFlags(flags, 'from');
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.restore(id, { to: flags.to, force: flags.force === true, allowOtherSource: flags.allowOtherSource === true, level, ...(from ? { from } : {}) }), (r) =>
          `restored backup ${r.snapshot.id} to ${r.uri} (${r.mode}${r.inPlace ? ', in place' : ''}): ${plural(r.rows, 'row')}, ${plural(r.objects, 'object')}, generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${plural(r.removedObjects, 'old file')}` : '') +
          (r.metadataLocation ? `\nIceberg metadata: ${r.metadataLocation} (register it in a catalog with register_table)` : '') +
          `\nvalidation (${level}): ${r.ok ? 'OK' : 'FAILED'}`);
      });
    });

  const copy = backup.command('copy <id>')
    .description('copy a backup into another repository — on another endpoint (streamed, verified) or this one — keeping its id; a rerun resumes an interrupted copy')
    .requiredOption('--to <uri>', 'the repository to copy into (s3://bucket/prefix)')
    .option('--from <uri>', 'the repository holding the backup (default: the backups location)')
    .option('--lock-days <n>', 'object-lock retention for the copy (its bucket needs object lock)')
    .option('--lock-mode <mode>', 'governance or compliance', 'governance')
    .option('--level <level>', 'the copy\'s check from the destination before its manifest is written: quick or full', 'quick');
  addEndpointFlags(addEndpointFlags(copy, 'to', 'the destination repository'), 'from', 'the source repository')
    .action(async (id: string, flags: Record<string, string | undefined>, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      const lock = flags.lockDays !== undefined ? { days: parseInteger('--lock-days', flags.lockDays, 1, 36_500), mode: parseLockMode(flags.lockMode) } : undefined;
      const to = repositoryFromFlags(flags, 'to')!;
      const from = repositoryFromFlags(flags, 'from');
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.copy(id, { to, level, ...(from ? { from } : {}), ...(lock ? { lock } : {}) }), (r) =>
          (r.state === 'present' ? `backup ${r.id} is already complete at ${r.uri}: nothing copied` :
            `copied backup ${r.id} of ${r.source} to ${r.uri} (${r.path}): ${r.objects} objects (${formatBytes(r.bytes)}); ` +
            `copied ${r.copied.objects}, resumed ${r.skipped.objects}, reused ${r.reused.objects} the destination already held` +
            `; validation (${level}): ${r.validation?.ok ? 'OK' : 'FAILED'}`) +
          (r.authenticated ? '; manifest authenticated' : '') +
          (r.lock ? `; locked (${r.lock.mode}) until ${r.lock.retainUntil}` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  addPlanCommands(backup);
  return backup;
}

/** Repeatable option: every value, in order. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
