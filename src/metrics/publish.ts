import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Pushgateway, type Registry } from 'prom-client';
import { UnreachableError, UsageError } from '../errors';

/** The file node_exporter's textfile collector reads (it reads *.prom only). */
export const TEXTFILE_NAME = 'lakevault.prom';

/**
 * Writes the metrics for node_exporter's textfile collector atomically: a temporary file
 * in the same directory (ignored by the collector: not *.prom), then a rename, so a scrape
 * never reads half a file.
 */
export async function writeTextfile(registry: Registry, directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const target = join(directory, TEXTFILE_NAME);
  const temporary = join(directory, `.${TEXTFILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, await registry.metrics(), { mode: 0o644 });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return target;
}

/**
 * Replaces the metrics of job `lakevault` (grouped by instance) on a Pushgateway: a PUT,
 * so series of tables no longer in the repository disappear instead of lingering.
 */
export async function pushMetrics(registry: Registry, url: string, instance: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--metrics-push must be a Pushgateway URL such as http://pushgateway:9091, got "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--metrics-push must be an http(s) URL, got "${url}"`);
  const gateway = new Pushgateway(parsed.toString().replace(/\/$/, ''), { timeout: 10_000 }, registry);
  try {
    await gateway.push({ jobName: 'lakevault', groupings: { instance } });
  } catch (error) {
    throw new UnreachableError(`pushing metrics to ${parsed.origin}: ${(error as Error).message}`, { cause: error });
  }
}
