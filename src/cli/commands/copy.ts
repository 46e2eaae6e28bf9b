import { Command } from 'commander';
import { formatBytes, formatCount, plural } from '../output';
import { printResult, withClient } from '../with-client';

export function copyCommand(): Command {
  return new Command('copy')
    .description('copy every object under one s3:// prefix to another, server-side')
    .argument('<src>', 'source s3://bucket/prefix')
    .argument('<dst>', 'destination s3://bucket/prefix')
    .option('--allow-empty', 'succeed when the source holds no objects (default: an error, exit 1)')
    .action(async (src: string, dst: string, flags: { allowEmpty?: boolean }, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.copy(src, dst, { allowEmpty: flags.allowEmpty === true }), (r) =>
          `copied ${plural(r.objects, 'object')} (${formatBytes(r.bytes)}) from ${r.source} to ${r.destination} in ${(r.elapsedMs / 1000).toFixed(1)} s (${formatCount(r.objectsPerSecond)} objects/s)`);
      });
    });
}
