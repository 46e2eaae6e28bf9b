// @ts-check
'use strict';
/** What the figures were measured on: the machine and every program's version. */
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { ROOT } = require('./cluster');

function machine() {
  let distro = 'unknown';
  try {
    distro = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? distro;
  } catch { /* not Linux */ }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    kernel: `${os.type()} ${os.release()}`,
    distro,
  };
}

function quiet(argv) {
  try {
    return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
}

function softwareVersions() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const sdk = JSON.parse(readFileSync(require.resolve('@aws-sdk/client-s3/package.json', { paths: [ROOT] }), 'utf8'));
  const dirty = quiet(['git', 'status', '--porcelain', '--untracked-files=no']) !== '' ? ' (with uncommitted changes)' : '';
  return {
    lakevault: `${pkg.version} at ${quiet(['git', 'rev-parse', '--short', 'HEAD'])}${dirty}`,
    node: process.version,
    sdk: sdk.version,
    ceph: quiet(['ceph', '--version']),
  };
}

/**
 * Seconds one core takes for a fixed piece of work (SHA-256 of 256 MiB from memory already
 * touched, then 200M rounds of integer mixing): measured before and after a run, so runs
 * taken at different moments on a shared host can be told apart. Higher = slower host.
 */
function cpuCheck() {
  const crypto = require('node:crypto');
  const block = Buffer.alloc(32 * 1024 * 1024, 1);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 8; i++) crypto.createHash('sha256').update(block).digest();
  let h = 0;
  for (let i = 0; i < 200_000_000; i++) h = Math.imul(h ^ i, 0x85ebca6b) >>> 0;
  if (h === 0.5) throw new Error('unreachable'); // keeps the loop from being optimised away
  return Number(process.hrtime.bigint() - started) / 1e9;
}

module.exports = { machine, softwareVersions, cpuCheck };
