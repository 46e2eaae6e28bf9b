import { Command } from 'commander';
import { parseS3Uri, formatS3Uri } from '../../store/location';
import { copyPrefix } from '../../store/prefix-copy';
import { withStore } from '../context';
import { formatBytes, formatCount } from '../output';

export function copyCommand(): Command {
  return new Command('copy')
    .description('copy every object under one s3:// prefix to another, server-side')
    .argument('<src>', 'source s3://bucket/prefix')
    .argument('<dst>', 'destination s3://bucket/prefix')
    .action(async (src: string, dst: string, _flags: unknown, command: Command) => {
      const from = parseS3Uri(src);
      const to = parseS3Uri(dst);
      await withStore(command, async ({ config, output, open }) => {
        await open.store.ensureBucket(to.bucket);
        const result = await copyPrefix(open.store, from, to, {
          concurrency: config.concurrency,
          onProgress: (p) => output.progress(`copy: ${formatCount(p.objects)} objects, ${formatBytes(p.bytes)}`),
        });
        const seconds = result.elapsedMs / 1000;
        const summary = {
          source: formatS3Uri(from),
          destination: formatS3Uri(to),
          objects: result.objects.length,
          bytes: result.totalBytes,
          elapsedMs: result.elapsedMs,
          objectsPerSecond: seconds > 0 ? Math.round(result.objects.length / seconds) : result.objects.length,
          retries: open.store.stats.retries,
          copied: result.objects,
        };
        output.result(summary, (r: typeof summary) =>
          `copied ${formatCount(r.objects)} objects (${formatBytes(r.bytes)}) from ${r.source} to ${r.destination} in ${seconds.toFixed(1)} s (${formatCount(r.objectsPerSecond)} objects/s)`);
      });
    });
}
