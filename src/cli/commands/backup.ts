import { Command } from 'commander';
import { UsageError } from '../../errors';
import { DEFAULT_GRACE_MS, RETENTION_RULES, type RetentionPolicy } from '../../retention/policy';
import { parseLockMode } from '../../snapshot/lock';
import { checkSnapshotId } from '../../snapshot/repository';
import { parseInteger } from '../context';
import { formatBytes, formatCount, formatTable } from '../output';
import { printResult, withClient } from '../with-client';
import { snapshotTable } from './snapshot-output';

export function backupCommand(): Command {
  const backup = new Command('backup').description('server-side backups of tables: create, list, show, delete, prune, restore');

  backup.command('create <table>')
    .description('copy exactly the files the table manifest lists to s3://lake-backups/<table>/<backup-id>/ (server-side)')
    .option('--name <label>', 'a label to remember the backup by')
    .option('--to <uri>', 'backup repository (default: --backups, s3://lake-backups)')
    .option('--resume <id>', 'finish an interrupted backup: copy only what is missing or differs')
    .option('--full', 'copy every file, even those an earlier backup already holds')
    // Not --version: the program's own --version is matched anywhere on the command line.
    .option('--delta-version <n>', 'Delta tables: back up this version (default: the newest)')
    .option('--lock-days <n>', 'object-lock retention for the backup\'s objects (bucket needs object lock)')
    .option('--lock-mode <mode>', 'governance or compliance', 'governance')
    .action(async (name: string, flags: { name?: string; to?: string; resume?: string; full?: boolean; deltaVersion?: string; lockDays?: string; lockMode?: string }, command: Command) => {
      const version = flags.deltaVersion !== undefined ? parseInteger('--delta-version', flags.deltaVersion, 0, Number.MAX_SAFE_INTEGER) : undefined;
      const lock = flags.lockDays !== undefined ? { days: parseInteger('--lock-days', flags.lockDays, 1, 36_500), mode: parseLockMode(flags.lockMode) } : undefined;
      const resume = flags.resume !== undefined ? checkSnapshotId(flags.resume) : undefined;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.create(name, {
          ...(resume ? { resume } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          ...(flags.to ? { to: flags.to } : {}),
          ...(flags.full ? { full: true } : {}),
          ...(lock ? { lock } : {}),
          ...(version !== undefined ? { deltaVersion: version } : {}),
        }), (r) =>
          `backup ${r.id} of ${r.table}: ${formatCount(r.rows)} rows, ${r.objects} objects (${formatBytes(r.bytes)}) at ${r.uri}\n` +
          `copied ${r.copied.objects}, skipped ${r.skipped.objects} (already there), reused ${r.reused.objects} from earlier backups` +
          (r.attempts > 1 ? `; restarted ${r.attempts - 1}× because the table was overwritten meanwhile` : '') +
          (r.lock ? `; locked (${r.lock.mode}) until ${r.lock.retainUntil}` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  backup.command('list [table]')
    .description('backups (complete and incomplete), oldest first')
    .action(async (table: string | undefined, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.list(table), (r) => snapshotTable(r.backups, 'no backups'));
      });
    });

  backup.command('show <id>')
    .description('a backup\'s manifest: source, files, totals, lock')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.show(id), (m) => [
          `backup ${m.id}${m.label ? ` "${m.label}"` : ''} of ${m.source.uri} (generation ${m.source.generation})`,
          `created ${m.createdAt}, completed ${m.completedAt}, lakevault ${m.toolVersion}`,
          `${formatCount(m.totals.rows)} rows, ${m.totals.files} files, ${formatBytes(m.totals.bytes)}; copied ${m.transfer.copiedObjects}, reused ${m.transfer.reusedObjects}`,
          ...(m.lock ? [`locked (${m.lock.mode}) until ${m.lock.retainUntil}`] : []),
          formatTable(['file', 'rows', 'bytes', 'etag', 'stored at'], m.files.map((f) => [f.relativeKey, formatCount(f.rows), formatBytes(f.size), f.etag, `s3://${f.bucket}/${f.key}`])),
        ].join('\n'));
      });
    });

  backup.command('delete <id>')
    .description('delete a backup (files other backups reference are kept; locked backups are refused)')
    .option('--bypass-governance', 'override GOVERNANCE retention (needs s3:BypassGovernanceRetention)')
    .action(async (id: string, flags: { bypassGovernance?: boolean }, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.delete(id, { bypassGovernance: flags.bypassGovernance === true }), (r) => `deleted ${r.state} backup ${r.id} of ${r.table}: ${r.deletedObjects} objects removed` +
          (r.keptForOthers ? `, ${r.keptForOthers} kept (other backups reference them)` : '') + (r.collected ? `, ${r.collected} freed files of earlier deletes removed` : ''));
      });
    });

  const prune = backup.command('prune <table>')
    .description('remove backups a restic-style retention policy does not keep, and stale incomplete ones')
    .option('--dry-run', 'print the decisions, delete nothing')
    .option('--grace-hours <n>', 'incomplete backups younger than this are left alone', String(DEFAULT_GRACE_MS / 3_600_000));
  for (const rule of RETENTION_RULES) prune.option(`--keep-${rule} <n>`, `keep the ${rule === 'last' ? 'N newest backups' : `newest backup of each of the last N ${rule === 'daily' ? 'days' : rule.replace(/ly$/, 's')}`}`);
  prune.action(async (name: string, flags: Record<string, string | boolean | undefined>, command: Command) => {
    const policy: RetentionPolicy = {};
    for (const rule of RETENTION_RULES) {
      const raw = flags[`keep${rule[0]!.toUpperCase()}${rule.slice(1)}`];
      if (raw !== undefined) policy[rule] = parseInteger(`--keep-${rule}`, String(raw), 0, 1_000_000);
    }
    const graceHours = parseInteger('--grace-hours', String(flags.graceHours), 0, 100_000);
    await withClient(command, async ({ lv, output }) => {
      await printResult(output, lv.backup.prune(name, { policy, dryRun: flags.dryRun === true, graceHours }), (r) => [
        ...r.decisions.map((d) => `${d.action === 'keep' ? 'keep  ' : r.dryRun ? 'would remove' : 'remove'} ${d.id} (${d.state}, ${d.createdAt}): ${d.reasons.join(', ')}`),
        `${r.kept} kept, ${r.removed} ${r.dryRun ? 'to remove (dry run: nothing deleted)' : 'removed'}`,
      ].join('\n'));
    });
  });

  backup.command('restore <id>')
    .description('restore a backup into a table (a new one, or in place with --force); ends with a validation')
    .requiredOption('--to <table>', 'target table (name or s3:// URI)')
    .option('--force', 'replace an existing table or write into a non-empty prefix')
    .option('--level <level>', 'validation after the restore: quick or full', 'quick')
    .action(async (id: string, flags: { to: string; force?: boolean; level: string }, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.restore(id, { to: flags.to, force: flags.force === true, level }), (r) =>
          `restored backup ${r.snapshot.id} to ${r.uri} (${r.mode}${r.inPlace ? ', in place' : ''}): ${formatCount(r.rows)} rows, ${r.objects} objects, generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${r.removedObjects} old files` : '') +
          `\nvalidation (${level}): ${r.ok ? 'OK' : 'FAILED'}`);
      });
    });

  return backup;
}
