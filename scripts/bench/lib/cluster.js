// @ts-check
'use strict';
/**
 * The benchmark's own Ceph RGW, started with the project's scripts/rgw.sh on ports of
 * its own, so that a benchmark neither disturbs nor is disturbed by the RGW that tests
 * share (17480). Override with BENCH_RGW_BASE / BENCH_RGW_HTTP_PORT / ... if they clash.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');
const env = process.env;
const PORTS = {
  RGW_BASE: env.BENCH_RGW_BASE ?? '/tmp/lakevault-rgw-bench',
  RGW_HTTP_PORT: env.BENCH_RGW_HTTP_PORT ?? '19480',
  RGW_HTTPS_PORT: env.BENCH_RGW_HTTPS_PORT ?? '19443',
  RGW_MON_PORT_V2: env.BENCH_RGW_MON_PORT_V2 ?? '13500',
  RGW_MON_PORT_V1: env.BENCH_RGW_MON_PORT_V1 ?? '16989',
  RGW_OSD_PORT_MIN: env.BENCH_RGW_OSD_PORT_MIN ?? '18000',
  RGW_OSD_PORT_MAX: env.BENCH_RGW_OSD_PORT_MAX ?? '18400',
};
const ACCESS = { accessKeyId: 'LAKEVAULTTESTKEY0001', secretAccessKey: 'lakevaulttestsecret000000000000000000001' };

/** @typedef {{ endpoint: string, accessKeyId: string, secretAccessKey: string, base: string, startedHere: boolean }} Cluster */

async function answers(endpoint) {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the cluster, or reuses it when it already answers (a previous `--keep` run):
 * seeded datasets then survive between runs.
 * @param {{ fresh: boolean, log: (line: string) => void }} options
 * @returns {Promise<Cluster>}
 */
async function startCluster({ fresh, log }) {
  const endpoint = `http://127.0.0.1:${PORTS.RGW_HTTP_PORT}`;
  const running = existsSync(join(PORTS.RGW_BASE, 'env.sh')) && (await answers(endpoint));
  if (running && !fresh) {
    log(`reusing the benchmark RGW already running at ${endpoint} (${PORTS.RGW_BASE})`);
    return { endpoint, ...ACCESS, base: PORTS.RGW_BASE, startedHere: false };
  }
  log(`starting a Ceph RGW for the benchmark at ${endpoint} (scripts/rgw.sh, base ${PORTS.RGW_BASE})`);
  execFileSync('bash', [join(ROOT, 'scripts', 'rgw.sh'), 'start'], { env: { ...env, ...PORTS }, stdio: ['ignore', 'ignore', 'inherit'] });
  return { endpoint, ...ACCESS, base: PORTS.RGW_BASE, startedHere: true };
}

/** Stops the daemons and removes the cluster's files (its data is only the benchmark's). */
function stopCluster(log) {
  log('stopping the benchmark RGW');
  execFileSync('bash', [join(ROOT, 'scripts', 'rgw.sh'), 'stop'], { env: { ...env, ...PORTS }, stdio: 'inherit' });
  rmSync(PORTS.RGW_BASE, { recursive: true, force: true });
}

/** Process ids of the server's daemons, to read their CPU time around each run. */
function serverPids() {
  return ['client.rgw.a', 'osd.0', 'mon.a'].flatMap((name) => {
    try {
      return [Number(readFileSync(join(PORTS.RGW_BASE, 'run', `${name}.pid`), 'utf8').trim())];
    } catch {
      return [];
    }
  });
}

/** CPU seconds the server's daemons have used so far (from /proc; 0 when unreadable). */
function serverCpuSeconds() {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of serverPids()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime
    } catch { /* daemon gone */ }
  }
  return total;
}

/**
 * Compiles src/ to dist/ first, so the figures are those of the code in the tree (tsc
 * emits even when someone's half-written file has a type error: its exit code is ignored).
 * @param {(line: string) => void} log
 */
function buildLakevault(log) {
  log('building dist/ (tsc -p tsconfig.json)');
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, stdio: 'ignore' });
  } catch {
    log('tsc reported type errors; dist/ was emitted anyway');
  }
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/cli/main.js is missing after the build');
}

module.exports = { startCluster, stopCluster, serverCpuSeconds, buildLakevault, ROOT };
