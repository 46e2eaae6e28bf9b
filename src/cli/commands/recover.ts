import { Command } from 'commander';
import { IntegrityError, UsageError } from '../../errors';
import { recoverTable } from '../../dr/recover';
import { checkSnapshotId } from '../../snapshot/repository';
import { resolveTable } from '../../table/table-ref';
import { withStore } from '../context';
import { formatCount } from '../output';
import { failedAfterReport } from './snapshot-output';

export function recoverCommand(): Command {
  return new Command('recover')
    .description('return a table to a checkpoint, even when its prefix or bucket is gone; reports RTO and RPO')
    .argument('<table>', 'table name or s3:// URI')
    .option('--checkpoint <id>', 'the checkpoint to recover to')
    .option('--latest', 'recover to the newest complete checkpoint')
    .option('--level <level>', 'validation after the recovery: quick or full', 'quick')
    .action(async (name: string, flags: { checkpoint?: string; latest?: boolean; level: string }, command: Command) => {
      if (flags.checkpoint && flags.latest) throw new UsageError('give either --checkpoint ID or --latest, not both');
      if (!flags.checkpoint && !flags.latest) throw new UsageError('say which checkpoint: --checkpoint ID or --latest');
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const checkpoint = flags.checkpoint ? checkSnapshotId(flags.checkpoint) : undefined;
      const level = flags.level;
      await withStore(command, async ({ config, output, open }) => {
        const table = resolveTable(config, name);
        const result = await recoverTable(open.store, config, table, {
          ...(checkpoint ? { checkpoint } : {}), level,
          onProgress: (p) => output.progress(`recover ${table.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`),
        });
        output.result(result, (r: typeof result) =>
          `recovered ${r.uri} to checkpoint ${r.checkpoint_id}: ${formatCount(r.recovered_records)} rows; RTO ${r.rto_ms} ms, RPO ${r.rpo_ms} ms; validation (${level}): ${r.recovery_valid ? 'OK' : 'FAILED'}`);
        if (!result.recovery_valid) throw failedAfterReport(new IntegrityError(`recovery of ${result.uri} did not validate against checkpoint ${result.checkpoint_id}`));
      });
    });
}
