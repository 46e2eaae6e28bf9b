import { Command } from 'commander';
import { IntegrityError, NotFoundError, UsageError } from '../../errors';
import { pruneSnapshots, DEFAULT_GRACE_MS } from '../../backup/prune';
import { RETENTION_RULES, type RetentionPolicy } from '../../retention/policy';
import { restoreSnapshot } from '../../restore/restore';
import { listSnapshots, summarize } from '../../snapshot/catalog';
import { createSnapshot } from '../../snapshot/create';
import { deleteSnapshot } from '../../snapshot/delete';
import { parseLockMode } from '../../snapshot/lock';
import { backupRepository, checkSnapshotId } from '../../snapshot/repository';
import { resolveSnapshot } from '../../snapshot/resolve';
import { resolveTable } from '../../table/table-ref';
import { parseInteger, withStore } from '../context';
import { formatBytes, formatCount, formatTable } from '../output';
import { failedAfterReport, snapshotTable } from './snapshot-output';

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
      await withStore(command, async ({ config, output, open }) => {
        const table = resolveTable(config, name);
        const repo = { ...backupRepository(config, flags.to ? { to: flags.to } : {}), ...(flags.full ? { incremental: false } : {}) };
        const result = await createSnapshot(open.store, repo, table, {
          ...(resume ? { id: resume, resume: true } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          ...(lock ? { lock } : {}),
          ...(version !== undefined ? { version } : {}),
          concurrency: config.concurrency,
          onProgress: (p) => output.progress(`backup ${table.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects, ${formatBytes(p.bytes)}`),
        });
        output.result(result, (r: typeof result) =>
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
      await withStore(command, async ({ config, output, open }) => {
        const repo = backupRepository(config);
        const backups = (await listSnapshots(open.store, repo, table ? resolveTable(config, table).name : undefined)).map((e) => summarize(repo, e));
        output.result({ repository: `s3://${repo.root.bucket}/${repo.root.prefix}`, backups }, (r: { backups: typeof backups }) => snapshotTable(r.backups, 'no backups'));
      });
    });

  backup.command('show <id>')
    .description('a backup\'s manifest: source, files, totals, lock')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const found = await resolveSnapshot(open.store, config, id, ['backup']);
        if (!found) throw new NotFoundError(`backup "${id}" not found`);
        const m = found.manifest;
        output.result(m, () => [
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
      await withStore(command, async ({ config, output, open }) => {
        const result = await deleteSnapshot(open.store, backupRepository(config), id, { bypassGovernance: flags.bypassGovernance === true });
        output.result(result, (r: typeof result) => `deleted ${r.state} backup ${r.id} of ${r.table}: ${r.deletedObjects} objects removed` +
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
    await withStore(command, async ({ config, output, open }) => {
      const table = resolveTable(config, name);
      const result = await pruneSnapshots(open.store, backupRepository(config), table.name, { policy, dryRun: flags.dryRun === true, graceMs: graceHours * 3_600_000 });
      output.result(result, (r: typeof result) => [
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
      await withStore(command, async ({ config, output, open }) => {
        const found = await resolveSnapshot(open.store, config, id, ['backup']);
        if (!found) throw new NotFoundError(`backup "${id}" not found in s3://${config.backups.bucket}/${config.backups.prefix}`);
        const target = resolveTable(config, flags.to);
        const result = await restoreSnapshot(open.store, found.repo, found.manifest, target, {
          force: flags.force === true, concurrency: config.concurrency, level,
          onProgress: (p) => output.progress(`restore ${found.manifest.id}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`),
        });
        output.result(result, (r: typeof result) =>
          `restored backup ${r.snapshot.id} to ${r.uri} (${r.mode}${r.inPlace ? ', in place' : ''}): ${formatCount(r.rows)} rows, ${r.objects} objects, generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${r.removedObjects} old files` : '') +
          `\nvalidation (${level}): ${r.ok ? 'OK' : 'FAILED'}`);
        if (!result.ok) throw failedAfterReport(new IntegrityError(`restore of ${result.snapshot.id} to ${result.uri} did not validate against the backup`));
      });
    });

  return backup;
}
