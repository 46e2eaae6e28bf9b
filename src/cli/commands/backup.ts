import { Command } from 'commander';
import { UsageError } from '../../errors';
import { DEFAULT_GRACE_MS } from '../../backup/prune';
import { RETENTION_RULES, RULE_OPTIONS, WITHIN_RULES, checkRetentionPolicy, type RetentionPolicy, type RetentionRule } from '../../retention/policy';
import { snapshotTags, splitTagList } from '../../retention/tags';
import { parseLockMode } from '../../snapshot/lock';
import { holdsNoData } from '../../snapshot/manifest';
import { checkSnapshotId } from '../../snapshot/repository';
import { parseInteger } from '../context';
import { icebergChoice, type IcebergFlags } from '../iceberg-flags';
import { formatBytes, formatCount, formatTable } from '../output';
import { printResult, withClient } from '../with-client';
import { addPlanCommands } from './backup-plan';
import { snapshotTable } from './snapshot-output';

export function backupCommand(): Command {
  const backup = new Command('backup').description('server-side backups of tables: create, list, show, delete, prune, restore');

  backup.command('create <table>')
    .description('copy exactly the files the table manifest lists to s3://lake-backups/<table>/<backup-id>/ (server-side)')
    .option('--name <label>', 'a label to remember the backup by')
    .option('--tag <tags>', 'tag the backup (comma-separated; repeatable), for prune --keep-tag', collect)
    .option('--to <uri>', 'backup repository (default: --backups, s3://lake-backups)')
    .option('--resume <id>', 'finish an interrupted backup: copy only what is missing or differs')
    .option('--full', 'copy every file, even those an earlier backup already holds')
    // Not --version: the program's own --version is matched anywhere on the command line.
    .option('--delta-version <n>', 'Delta tables: back up this version (default: the newest)')
    .option('--iceberg-snapshot <id>', 'Iceberg tables: back up this snapshot (default: the current one)')
    .option('--ref <name>', 'Iceberg tables: back up the snapshot of this branch or tag')
    .option('--metadata-location <path>', 'Iceberg tables: read the table from this metadata file (default: version-hint.text, else the newest)')
    .option('--iceberg-history', 'Iceberg tables: back up every snapshot of the metadata file, not only the current one')
    .option('--lock-days <n>', 'object-lock retention for the backup\'s objects (bucket needs object lock)')
    .option('--lock-mode <mode>', 'governance or compliance', 'governance')
    .option('--allow-empty', 'back up a table with no data files (one meant to be empty); refused otherwise')
    .action(async (name: string, flags: { name?: string; tag?: string[]; to?: string; resume?: string; full?: boolean; deltaVersion?: string; lockDays?: string; lockMode?: string; allowEmpty?: boolean } & IcebergFlags, command: Command) => {
      const iceberg = icebergChoice(flags);
      const version = flags.deltaVersion !== undefined ? parseInteger('--delta-version', flags.deltaVersion, 0, Number.MAX_SAFE_INTEGER) : undefined;
      const lock = flags.lockDays !== undefined ? { days: parseInteger('--lock-days', flags.lockDays, 1, 36_500), mode: parseLockMode(flags.lockMode) } : undefined;
      const resume = flags.resume !== undefined ? checkSnapshotId(flags.resume) : undefined;
      const tags = snapshotTags(flags.tag ?? []);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.create(name, {
          ...(resume ? { resume } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          ...(tags.length ? { tags } : {}),
          ...(flags.to ? { to: flags.to } : {}),
          ...(flags.full ? { full: true } : {}),
          ...(lock ? { lock } : {}),
          ...(version !== undefined ? { deltaVersion: version } : {}),
          ...(iceberg ? { iceberg } : {}),
          ...(flags.allowEmpty ? { allowEmpty: true } : {}),
        }), (r) =>
          `backup ${r.id} of ${r.table}: ${formatCount(r.rows)} rows, ${r.objects} objects (${formatBytes(r.bytes)}) at ${r.uri}` +
          (r.tags ? `, tags ${r.tags.join(', ')}` : '') + '\n' +
          `copied ${r.copied.objects}, skipped ${r.skipped.objects} (already there), reused ${r.reused.objects} from earlier backups` +
          (r.attempts > 1 ? `; restarted ${r.attempts - 1}× because the table was overwritten meanwhile` : '') +
          (r.lock ? `; locked (${r.lock.mode}) until ${r.lock.retainUntil}` : '') +
          ` in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  backup.command('list [table]')
    .description('backups (complete and incomplete) of one table — its location — or all, oldest first; orphaned folders apart')
    .action(async (table: string | undefined, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.list(table), (r) => snapshotTable(r.backups, r.orphaned, 'no backups', 'backup'));
      });
    });

  backup.command('show <id>')
    .description('a backup\'s manifest: source, files, totals, lock')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.show(id), (m) => [
          `backup ${m.id}${m.label ? ` "${m.label}"` : ''} of ${m.source.uri} (generation ${m.source.generation})${m.tags ? `, tags ${m.tags.join(', ')}` : ''}`,
          `created ${m.createdAt}, completed ${m.completedAt}, lakevault ${m.toolVersion}`,
          `${holdsNoData(m.files) ? 'empty (no data files): ' : ''}${formatCount(m.totals.rows)} rows, ${m.totals.files} files, ${formatBytes(m.totals.bytes)}; copied ${m.transfer.copiedObjects}, reused ${m.transfer.reusedObjects}`,
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
        await printResult(output, lv.backup.delete(id, { bypassGovernance: flags.bypassGovernance === true }), (r) => `deleted ${r.state} backup ${r.id}${r.source ? ` of ${r.source}` : ''}: ${r.deletedObjects} objects removed` +
          (r.keptForOthers ? `, ${r.keptForOthers} kept (other backups reference them)` : '') + (r.collected ? `, ${r.collected} freed files of earlier deletes removed` : ''));
      });
    });

  const prune = backup.command('prune <table>')
    .description('remove the backups restic\'s forget rules do not keep, and stale incomplete ones')
    .option('--dry-run', 'print the decisions and why, delete nothing')
    .option('--grace-hours <n>', 'incomplete backups younger than this are left alone', String(DEFAULT_GRACE_MS / 3_600_000))
    .option('--allow-empty', 'let the policy keep only empty backups while it removes backups holding data');
  for (const rule of RETENTION_RULES) {
    prune.option(`${RULE_OPTIONS[rule]} <n>`, rule === 'last' ? 'keep the N newest backups (-1 or unlimited: all)' : `keep the newest backup of each of the last N ${PERIODS[rule]} (-1 or unlimited: of every ${PERIODS[rule].replace(/s$/, '')})`);
  }
  prune.option('--keep-within <duration>', 'keep the backups newer than the newest one minus the duration (e.g. 1y2m3d4h)');
  for (const rule of WITHIN_RULES) {
    const period = PERIODS[rule.slice('within'.length).toLowerCase() as Exclude<RetentionRule, 'last'>].replace(/s$/, '');
    prune.option(`${RULE_OPTIONS[rule]} <duration>`, `keep the newest backup of each ${period} within the duration of the newest backup`);
  }
  prune.option('--keep-tag <tags>', 'keep backups with all these tags (comma-separated); repeatable: any of the lists', (value: string, lists: string[][] = []) => [...lists, splitTagList(value)]);
  prune.action(async (name: string, flags: Record<string, string | string[][] | boolean | undefined>, command: Command) => {
    const graceHours = parseInteger('--grace-hours', String(flags.graceHours), 0, 100_000);
    const policy = checkRetentionPolicy(policyFromFlags(flags));
    await withClient(command, async ({ lv, output }) => {
      await printResult(output, lv.backup.prune(name, { policy, dryRun: flags.dryRun === true, graceHours, ...(flags.allowEmpty === true ? { allowEmpty: true } : {}) }), (r) => [
        ...r.decisions.map((d) => `${d.action === 'keep' ? 'keep  ' : r.dryRun ? 'would remove' : 'remove'} ${d.id} (${d.state}, ${d.createdAt}${d.tags ? `, tags ${d.tags.join(', ')}` : ''}): ${d.reasons.join(', ')}`),
        `${r.kept} kept, ${r.removed} ${r.dryRun ? 'to remove (dry run: nothing deleted)' : 'removed'}`,
      ].join('\n'));
    });
  });

  backup.command('restore <id>')
    .description('restore a backup into a table (a new one, or in place with --force); ends with a validation')
    .requiredOption('--to <table>', 'target table (name or s3:// URI)')
    .option('--force', 'replace an existing table or write into a non-empty prefix')
    .option('--allow-other-source', 'let a backup of another table replace this one (or fill its non-empty prefix)')
    .option('--level <level>', 'validation after the restore: quick or full', 'quick')
    .action(async (id: string, flags: { to: string; force?: boolean; allowOtherSource?: boolean; level: string }, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.restore(id, { to: flags.to, force: flags.force === true, allowOtherSource: flags.allowOtherSource === true, level }), (r) =>
          `restored backup ${r.snapshot.id} to ${r.uri} (${r.mode}${r.inPlace ? ', in place' : ''}): ${formatCount(r.rows)} rows, ${r.objects} objects, generation ${r.generation}` +
          (r.replacedGeneration ? `; replaced ${r.replacedGeneration}, removed ${r.removedObjects} old files` : '') +
          (r.metadataLocation ? `\nIceberg metadata: ${r.metadataLocation} (register it in a catalog with register_table)` : '') +
          `\nvalidation (${level}): ${r.ok ? 'OK' : 'FAILED'}`);
      });
    });

  addPlanCommands(backup);
  return backup;
}

const PERIODS: Record<Exclude<RetentionRule, 'last'>, string> = { hourly: 'hours', daily: 'days', weekly: 'weeks', monthly: 'months', yearly: 'years' };

/** Repeatable option: every value, in order. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The prune options as a policy (checkRetentionPolicy then checks durations, tags and emptiness). */
function policyFromFlags(flags: Record<string, string | string[][] | boolean | undefined>): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const rule of RETENTION_RULES) {
    const raw = flags[optionKey(RULE_OPTIONS[rule])];
    if (raw !== undefined) policy[rule] = parseCount(RULE_OPTIONS[rule], String(raw));
  }
  for (const rule of ['within', ...WITHIN_RULES] as const) {
    const raw = flags[optionKey(RULE_OPTIONS[rule])];
    if (raw !== undefined) policy[rule] = String(raw);
  }
  const tags = flags.keepTag as string[][] | undefined;
  if (tags) policy.tags = tags;
  return policy;
}

/** commander's property name of an option: --keep-within-daily → keepWithinDaily. */
function optionKey(option: string): string {
  return option.slice(2).replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
}

/** A count: a whole number, or -1 / unlimited (restic's word) for no limit. */
function parseCount(option: string, raw: string): number {
  const text = raw.trim();
  if (text === 'unlimited' || text === '-1') return -1;
  if (text.startsWith('-')) throw new UsageError(`${option} must be a whole number ≥ 0, or -1 / unlimited (keep all), got "${raw}"`);
  return parseInteger(option, text, 0, 1_000_000);
}
