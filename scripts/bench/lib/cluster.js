// @ts-check
'use strict';
/** The benchmark's Ceph RGW clusters, started with the project's scripts/rgw.sh. */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..', '..');
const env = process.env;
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
 * One benchmark cluster: its ports and data directory (each overridable with `<prefix>BASE`,
 * `<prefix>HTTP_PORT`, …, e.g. BENCH_RGW_HTTP_PORT), started, measured and stopped.
 * @param {string} prefix @param {Record<string, string>} defaults RGW_* variable → default
 */
function benchCluster(prefix, defaults) {
  const ports = Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, env[`${prefix}${name.replace(/^RGW_/, '')}`] ?? value]));
  const endpoint = `http://127.0.0.1:${ports.RGW_HTTP_PORT}`;
  return {
    ports,
    /**
     * Starts the cluster, or reuses it when it already answers (a previous `--keep` run):
     * seeded datasets then survive between runs.
     * @param {{ fresh: boolean, log: (line: string) => void }} options
     * @returns {Promise<Cluster>}
     */
    async start({ fresh, log }) {
      const running = existsSync(join(ports.RGW_BASE, 'env.sh')) && (await answers(endpoint));
      if (running && !fresh) {
        log(`reusing the benchmark RGW already running at ${endpoint} (${ports.RGW_BASE})`);
        return { endpoint, ...ACCESS, base: ports.RGW_BASE, startedHere: false };
      }
      log(`starting a Ceph RGW for the benchmark at ${endpoint} (scripts/rgw.sh, base ${ports.RGW_BASE})`);
      execFileSync('bash', [join(ROOT, 'scripts', 'rgw.sh'), 'start'], { env: { ...env, ...ports }, stdio: ['ignore', 'ignore', 'inherit'] });
      return { endpoint, ...ACCESS, base: ports.RGW_BASE, startedHere: true };
    },
    /** Stops the daemons and removes the cluster's files (its data is only the benchmark's). */
    stop(log) {
      log(`stopping the benchmark RGW at ${endpoint}`);
      execFileSync('bash', [join(ROOT, 'scripts', 'rgw.sh'), 'stop'], { env: { ...env, ...ports }, stdio: 'inherit' });
      rmSync(ports.RGW_BASE, { recursive: true, force: true });
    },
    /** CPU seconds the cluster's daemons have used so far (from /proc; 0 when unreadable). */
    serverCpuSeconds() {
      const ticks = 100; // USER_HZ on Linux
      let total = 0;
      for (const name of ['client.rgw.a', 'osd.0', 'mon.a']) {
        try {
          const pid = Number(readFileSync(join(ports.RGW_BASE, 'run', `${name}.pid`), 'utf8').trim());
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
          total += (Number(fields[11]) + Number(fields[12])) / ticks; // utime, stime
        } catch { /* daemon gone */ }
      }
      return total;
    },
  };
}

/**
 * The benchmark's own Ceph RGW, on ports of its own, so that a benchmark neither disturbs
 * nor is disturbed by the RGW that tests share (17480). Override with BENCH_RGW_BASE /
 * BENCH_RGW_HTTP_PORT / ... if they clash.
 */
const main = benchCluster('BENCH_RGW_', {
  RGW_BASE: '/tmp/lakevault-rgw-bench',
  RGW_HTTP_PORT: '19480',
  RGW_HTTPS_PORT: '19443',
  RGW_MON_PORT_V2: '13500',
  RGW_MON_PORT_V1: '16989',
  RGW_OSD_PORT_MIN: '18000',
  RGW_OSD_PORT_MAX: '18400',
});

/** A second cluster for the off-site section (copies between endpoints): BENCH_OFFSITE_RGW_* move it. */
const offsite = benchCluster('BENCH_OFFSITE_RGW_', {
  RGW_BASE: '/tmp/lakevault-rgw-bench-offsite',
  RGW_HTTP_PORT: '19580',
  RGW_HTTPS_PORT: '19543',
  RGW_MON_PORT_V2: '13550',
  RGW_MON_PORT_V1: '17039',
  RGW_OSD_PORT_MIN: '19600',
  RGW_OSD_PORT_MAX: '19700',
});

const startCluster = (options) => main.start(options);
const stopCluster = (log) => main.stop(log);
const serverCpuSeconds = () => main.serverCpuSeconds();

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

module.exports = { startCluster, stopCluster, serverCpuSeconds, buildLakevault, ROOT, mainCluster: main, offsiteCluster: offsite };
