import { Command } from 'commander';
import { formatBytes, formatCount } from '../output';
import { printResult, withClient } from '../with-client';

export function copyCommand(): Command {
  return new Command('copy')
    .description('copy every object under one s3:// prefix to another, server-side')
    .argument('<src>', 'source s3://bucket/prefix')
    .argument('<dst>', 'destination s3://bucket/prefix')
    .action(async (src: string, dst: string, _flags: unknown, command: Command) => {
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.copy(src, dst), (r) =>
          `copied ${formatCount(r.objects)} objects (${formatBytes(r.bytes)}) from ${r.source} to ${r.destination} in ${(r.elapsedMs / 1000).toFixed(1)} s (${formatCount(r.objectsPerSecond)} objects/s)`);
      });
    });
}
