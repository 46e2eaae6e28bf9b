// @ts-check
'use strict';
/**
 * What the sections that time lakevault's CLI on the benchmark's RGW share: how a command is
 * run and measured (a fresh process, its exit code checked, its JSON parsed; the server's CPU
 * and the load average before it), how it is shown in the report, and the number formats.
 */
const { loadavg } = require('node:os');
const { join } = require('node:path');
const { measure, median } = require('./measure');
const { ROOT, serverCpuSeconds } = require('./cluster');

const NODE = process.execPath;
const LAKEVAULT = join(ROOT, 'bin', 'lakevault.js');
const f0 = (n) => Math.round(n).toLocaleString('en');
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
/** median (min–max) */
const range = (values, format = f2) => `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
/** A command line as the report shows it: `node bin/lakevault.js …`. */
const shown = (argv) => argv.map((a) => (a === NODE ? 'node' : a.startsWith(ROOT) ? a.slice(ROOT.length + 1) : a)).join(' ');

/** `node bin/lakevault.js --json` with a warehouse, backups and checkpoints of this lake's own. */
function lakevaultIn(lake) {
  const places = ['--warehouse', `s3://${lake}/wh`, '--backups', `s3://${lake}-backups`, '--checkpoints', `s3://${lake}-cp`];
  return (args) => [NODE, LAKEVAULT, '--json', ...places, ...args];
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {(line: string) => void} log
 */
function cliRunner(env, log) {
  /** Runs, checks the exit code, parses the JSON on stdout; adds server CPU and the load before. */
  return async function run(label, argv) {
    const load = loadavg()[0];
    const serverBefore = serverCpuSeconds();
    const m = await measure(argv, { env });
    const serverS = serverCpuSeconds() - serverBefore;
    if (m.code !== 0) throw new Error(`${label} failed (exit ${m.code}): ${(m.stderr || m.stdout).trim().split('\n').slice(-2).join(' | ')}`);
    let json;
    try { json = JSON.parse(m.stdout); } catch { json = undefined; }
    log(`  ${label.padEnd(44)} ${m.wallS.toFixed(2).padStart(7)} s  cpu ${m.cpuS.toFixed(2)} s  server ${serverS.toFixed(2)} s  rss ${m.peakRssMB.toFixed(0)} MB  load ${load.toFixed(1)}`);
    return { ...m, serverS, load, json };
  };
}

module.exports = { NODE, LAKEVAULT, f0, f1, f2, range, shown, lakevaultIn, cliRunner };
