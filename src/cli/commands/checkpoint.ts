import { Command } from 'commander';
import { createCheckpoint, listCheckpoints } from '../../dr/checkpoint';
import { checkSnapshotId } from '../../snapshot/repository';
import { resolveTable } from '../../table/table-ref';
import { withStore } from '../context';
import { formatBytes, formatCount } from '../output';
import { snapshotTable } from './snapshot-output';

export function checkpointCommand(): Command {
  const checkpoint = new Command('checkpoint').description('recovery points of tables in s3://lake-checkpoints (the backup mechanism, self-contained)');

  checkpoint.command('create <table>')
    .description('take a checkpoint of a table (server-side copy of the files its manifest lists)')
    .option('--name <label>', 'a label to remember the checkpoint by')
    .option('--resume <id>', 'finish an interrupted checkpoint')
    .action(async (name: string, flags: { name?: string; resume?: string }, command: Command) => {
      const resume = flags.resume !== undefined ? checkSnapshotId(flags.resume) : undefined;
      await withStore(command, async ({ config, output, open }) => {
        const table = resolveTable(config, name);
        const result = await createCheckpoint(open.store, config, table, {
          ...(resume ? { id: resume, resume: true } : {}),
          ...(flags.name ? { label: flags.name } : {}),
          onProgress: (p) => output.progress(`checkpoint ${table.name}: ${formatCount(p.objects)}/${formatCount(p.totalObjects)} objects`),
        });
        output.result(result, (r: typeof result) => `checkpoint ${r.id} of ${r.table}: ${formatCount(r.rows)} rows, ${r.objects} objects (${formatBytes(r.bytes)}) at ${r.uri} in ${(r.elapsedMs / 1000).toFixed(1)} s`);
      });
    });

  checkpoint.command('list <table>')
    .description('checkpoints of a table, oldest first')
    .action(async (name: string, _flags: unknown, command: Command) => {
      await withStore(command, async ({ config, output, open }) => {
        const table = resolveTable(config, name);
        const checkpoints = await listCheckpoints(open.store, config, table.name);
        output.result({ table: table.name, checkpoints }, (r: { checkpoints: typeof checkpoints }) => snapshotTable(r.checkpoints, `no checkpoints of ${table.name}`));
      });
    });

  return checkpoint;
}
