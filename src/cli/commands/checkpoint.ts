import { Command } from 'commander';
import { checkSnapshotId } from '../../snapshot/repository';
import { formatBytes, plural } from '../output';
import { pruneRequest, pruneText, retentionOptions, type RetentionFlags } from '../retention-flags';
import { printResult, withClient } from '../with-client';
import { deleteText, snapshotTable } from './snapshot-output';

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
        }), (r) => `checkpoint ${r.id} of ${r.table}: ${plural(r.rows, 'row')}, ${plural(r.objects, 'object')} (${formatBytes(r.bytes)}) at ${r.uri} in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  checkpoint.command('list [table]')
    .description('checkpoints of one table (its location) or all, oldest first; orphaned folders apart')
    .action(async (name: string | undefined, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.checkpoint.list(name), (r) => snapshotTable(r.checkpoints, r.orphaned, r.source ? `no checkpoints of ${r.source}` : 'no checkpoints', 'checkpoint'));
      });
    });

  checkpoint.command('delete <id>')
    .description('delete a checkpoint (<id>, <table>/<id>, its folder\'s s3:// URI or its label), or what an interrupted delete left of one')
    .action(async (id: string, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.checkpoint.delete(id), deleteText);
      });
    });

  retentionOptions(checkpoint.command('prune <table>'), 'checkpoint')
    .description('remove the checkpoints restic\'s forget rules do not keep (the rules of backup prune), and stale incomplete ones')
    .action(async (name: string, flags: RetentionFlags, command: Command) => {
      const request = pruneRequest(flags);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.checkpoint.prune(name, request), pruneText);
      });
    });

  return checkpoint;
}
