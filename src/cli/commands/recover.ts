import { Command } from 'commander';
import { UsageError } from '../../errors';
import { checkSnapshotId } from '../../snapshot/repository';
import { formatCount, plural } from '../output';
import { printResult, withClient } from '../with-client';

export function recoverCommand(): Command {
  return new Command('recover')
    .description('return a table to a checkpoint, even when its prefix or bucket is gone; reports RTO and RPO')
    .argument('<table>', 'table name or s3:// URI')
    .option('--checkpoint <id>', 'the checkpoint to recover to')
    .option('--latest', 'recover to the newest complete checkpoint of this table')
    .option('--allow-other-source', 'with --checkpoint: let a checkpoint of another table replace this one')
    .option('--level <level>', 'validation after the recovery: quick or full', 'quick')
    .action(async (name: string, flags: { checkpoint?: string; latest?: boolean; allowOtherSource?: boolean; level: string }, command: Command) => {
      if (flags.checkpoint && flags.latest) throw new UsageError('give either --checkpoint ID or --latest, not both');
      if (flags.allowOtherSource && !flags.checkpoint) throw new UsageError('--allow-other-source needs --checkpoint ID: --latest always picks a checkpoint of this table');
      if (!flags.checkpoint && !flags.latest) throw new UsageError('say which checkpoint: --checkpoint ID or --latest');
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const checkpoint = flags.checkpoint ? checkSnapshotId(flags.checkpoint) : undefined;
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.recover(name, { ...(checkpoint ? { checkpoint } : {}), level, allowOtherSource: flags.allowOtherSource === true }), (r) =>
          `recovered ${r.uri} to checkpoint ${r.checkpoint_id}: ${plural(r.recovered_records, 'row')}; RTO ${formatCount(r.rto_ms)} ms, RPO ${formatCount(r.rpo_ms)} ms; validation (${level}): ${r.recovery_valid ? 'OK' : 'FAILED'}` +
          (r.table_before === 'intact' ? `\nreplaced an intact table (generation ${r.restore.replacedGeneration}: its manifest and every file it listed were there); its data is now the checkpoint's` : ''));
      });
    });
}
