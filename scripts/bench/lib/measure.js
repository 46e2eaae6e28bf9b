// @ts-check
'use strict';
/**
 * Runs one contender's command and measures it the same way for everyone: wall time
 * (monotonic clock around the process), client CPU seconds (user + system, the process
 * and the children it waited for) and peak RSS, both from GNU time's getrusage.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * @typedef {{ wallS: number, cpuS: number, userS: number, sysS: number, peakRssMB: number,
 *   code: number, stdout: string, stderr: string }} Measurement
 */

/**
 * @param {string[]} argv the command and its arguments (no shell)
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, cpuProfileDir?: string }} [options]
 * @returns {Promise<Measurement>}
 */
async function measure(argv, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lv-bench-'));
  const timeFile = join(dir, 'time');
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', ...argv], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const code = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status ?? 1));
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  const times = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  rmSync(dir, { recursive: true, force: true });
  const [userS, sysS, rssKB] = times.split(/\s+/).map(Number);
  return { wallS, userS, sysS, cpuS: userS + sysS, peakRssMB: rssKB / 1024, code: Number(code), stdout, stderr };
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** @param {number[]} values */
function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

module.exports = { measure, median, spread };
