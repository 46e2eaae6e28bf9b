import { hostname } from 'node:os';
import type { Lakevault } from '../api/client';
import { UsageError } from '../errors';
import type { Location } from '../store/location';
import { lazyModule } from '../util/lazy';

const collecting = lazyModule((): typeof import('../metrics/collect') => require('../metrics/collect'));
const publishing = lazyModule((): typeof import('../metrics/publish') => require('../metrics/publish'));

/** --metrics-textfile <dir> and --metrics-push <url>, global options of every command. */
export interface MetricsFlags {
  metricsTextfile?: string;
  metricsPush?: string;
}

/** Checked before the command runs: a bad URL is a usage error, not a failure after the work. */
export function checkMetricsFlags(flags: MetricsFlags): void {
  if (flags.metricsPush === undefined) return;
  let url: URL | undefined;
  try { url = new URL(flags.metricsPush); } catch { url = undefined; }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new UsageError(`--metrics-push must be a Pushgateway URL such as http://pushgateway:9091, got "${flags.metricsPush}"`);
}

export function wantsMetrics(flags: MetricsFlags): boolean {
  return Boolean(flags.metricsTextfile || flags.metricsPush);
}

/**
 * Publishes the repositories' metrics after a command (whatever its outcome): every table's
 * latest figures, read back from the repositories, so the file or the Pushgateway group is
 * complete each time it is replaced.
 */
export async function publishMetrics(lv: Lakevault, flags: MetricsFlags, repositories: Location[] = [lv.context.config.backups]): Promise<void> {
  const registry = await collecting().collectMetrics(lv.context.store, repositories);
  if (flags.metricsTextfile) await publishing().writeTextfile(registry, flags.metricsTextfile);
  if (flags.metricsPush) await publishing().pushMetrics(registry, flags.metricsPush, hostname());
}
