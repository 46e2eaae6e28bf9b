import { Command } from 'commander';
import { UsageError } from '../../errors';
import { formatTable } from '../output';
import { printResult, withClient } from '../with-client';

export function repoCommand(): Command {
  const repo = new Command('repo').description('backup and checkpoint repositories: upgrade an older layout');

  repo.command('upgrade <repository>')
    .description('move a repository written by an older lakevault (layout 1) to the current layout, in place; every snapshot is validated before and after (repository: backups, checkpoints or s3://bucket/prefix)')
    .option('--dry-run', 'show what would move and validate every snapshot; change nothing')
    .option('--level <level>', 'validation before and after: quick or full', 'quick')
    .action(async (repository: string, flags: { dryRun?: boolean; level: string }, command: Command) => {
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.repo.upgrade(repository, { dryRun: flags.dryRun === true, level }), (r) => [
          `${r.repository}: format ${r.formatBefore} → ${r.formatAfter}${r.dryRun ? ' (dry run: nothing changed)' : ''}`,
          r.moves.length
            ? formatTable(['id', 'state', 'source', 'from', 'to'], r.moves.map((m) => [m.id, m.state, m.source ?? '', m.from, m.to]))
            : 'nothing in layout 1: nothing to move',
          ...(r.rewritten.length ? [`rewritten (they reference moved files): ${r.rewritten.join(', ')}`] : []),
          ...(r.orphaned.length ? [`left as they are (orphaned: \`backup delete <id>\` removes them): ${r.orphaned.map((o) => o.uri).join(', ')}`] : []),
          `validation (${level}): ${r.validation.filter((v) => v.before).length}/${r.validation.length} valid before` +
            (r.dryRun ? '' : `, ${r.validation.filter((v) => v.after).length}/${r.validation.length} after`) + (r.collected ? `; ${r.collected} unreferenced kept files removed` : ''),
        ].join('\n'));
      });
    });

  return repo;
}
