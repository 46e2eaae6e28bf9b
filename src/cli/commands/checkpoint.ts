import { Command } from 'commander';
import { checkSnapshotId } from '../../snapshot/repository';
import { formatBytes, formatCount } from '../output';
import { printResult, withClient } from '../with-client';
import { snapshotTable } from './snapshot-output';

export function checkpointCommand(): Command {
  const checkpoint = new Command('checkpoint').description('recovery points of tables in s3://lake-checkpoints (the backup mechanism, self-contained)');

  checkpoint.command('create <table>')
    .description('take a checkpoint of a table (server-side copy of the files its manifest lists)')
    .option('--name <label>', 'a label to remember the checkpoint by')
    .option('--resume <id>', 'finish an interrupted checkpoint')
    .option('--allow-empty', 'checkpoint a table with no data files (one meant to be empty); refused otherwise')
    .action(async (name: string, flags: { name?: string; resume?: string; allowEmpty?: boolean }, command: Command) => {
      const resume = flags.resume !== undefined ? checkSnapshotId(flags.resume) : undefined;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.checkpoint.create(name, {
          ...(resume ? { resume } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          ...(flags.allowEmpty ? { allowEmpty: true } : {}),
        }), (r) => `checkpoint ${r.id} of ${r.table}: ${formatCount(r.rows)} rows, ${r.objects} objects (${formatBytes(r.bytes)}) at ${r.uri} in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  checkpoint.command('list <table>')
    .description('checkpoints of a table (its location), oldest first')
    .action(async (name: string, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.checkpoint.list(name), (r) => snapshotTable(r.checkpoints, r.orphaned, `no checkpoints of ${r.source}`, 'checkpoint'));
      });
    });

  return checkpoint;
}
