// @ts-check
'use strict';
/**
 * Who is measured, and the exact command each one runs. A contender turns a source and a
 * destination (s3:// URIs with a trailing slash) into argv + environment; the same
 * functions print the command lines into BENCHMARKS.md, so the doc shows what ran.
 */
const { join } = require('node:path');
const { RCLONE, AWS } = require('./peers');
const { ROOT } = require('./cluster');

/** @typedef {{ bucket: string, prefix: string }} Place */
/** @typedef {{ id: string, tool: string, label: string, argv: (src: Place, dst: Place) => string[], env: NodeJS.ProcessEnv, shown: (src: Place, dst: Place) => string }} CopyContender */
/** @typedef {{ id: string, tool: string, label: string, argv: (target: Place) => string[], env: NodeJS.ProcessEnv, shown: (target: Place) => string }} DeleteContender */

const uri = (p) => `s3://${p.bucket}/${p.prefix}`;
const remote = (p) => `bench:${p.bucket}/${p.prefix.replace(/\/$/, '')}`;
const NODE = process.execPath;
const LAKEVAULT = join(ROOT, 'bin', 'lakevault.js');

/** lakevault as a user runs it: S3_* and AWS_* variables, no tuning flag. */
function lakevaultEnv(target) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('LAKEVAULT_') || name.startsWith('S3_')) delete env[name];
  return { ...env, S3_ENDPOINT: target.endpoint, AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretAccessKey, AWS_REGION: 'us-east-1' };
}

const short = (argv) => argv.map((a) => (a === NODE ? 'node' : a.startsWith(ROOT) ? a.slice(ROOT.length + 1) : a)).join(' ');

/**
 * @param {{ endpoint: string, accessKeyId: string, secretAccessKey: string }} target
 * @param {ReturnType<typeof import('./peers').peerSetup>} peers
 */
function contenders(target, peers) {
  const lvEnv = lakevaultEnv(target);
  /** @type {(id: string, tool: string, label: string, env: NodeJS.ProcessEnv, argv: (s: Place, d: Place) => string[], envNote?: string) => CopyContender} */
  const copy = (id, tool, label, env, argv, envNote = '') => ({ id, tool, label, env, argv, shown: (s, d) => `${envNote}${short(argv(s, d))}` });
  const rcloneBest = ['--transfers', '64', '--checkers', '64', '--no-check-dest'];
  const awsUrl = ['--endpoint-url', target.endpoint];

  /** @param {number} concurrency */
  const raw = (concurrency) => copy(`raw-${concurrency}`, 'ceiling', `SDK CopyObject pool, c=${concurrency}`, lvEnv,
    (s, d) => [NODE, join(__dirname, '..', 'raw-copy.js'), uri(s), uri(d), String(concurrency)]);

  const copiers = {
    lakevault: copy('lakevault', 'lakevault', 'lakevault copy (defaults)', lvEnv, (s, d) => [NODE, LAKEVAULT, 'copy', uri(s), uri(d)]),
    rcloneDefault: copy('rclone-default', 'rclone', 'rclone copy (defaults)', peers.rcloneEnv, (s, d) => [RCLONE, 'copy', remote(s), remote(d)]),
    rcloneBest: copy('rclone-best', 'rclone', 'rclone copy --transfers 64 --checkers 64 --no-check-dest', peers.rcloneEnv, (s, d) => [RCLONE, 'copy', ...rcloneBest, remote(s), remote(d)]),
    awsDefault: copy('aws-default', 'aws-cli', 'aws s3 cp --recursive (defaults)', peers.awsDefaultEnv, (s, d) => [AWS, ...awsUrl, 's3', 'cp', '--recursive', uri(s), uri(d)]),
    aws64: copy('aws-64', 'aws-cli', 'aws s3 cp --recursive, max_concurrent_requests 64', peers.aws64Env, (s, d) => [AWS, ...awsUrl, 's3', 'cp', '--recursive', uri(s), uri(d)], `(${peers.awsConfigNote}) `),
    raw,
  };

  /** @type {(id: string, tool: string, label: string, env: NodeJS.ProcessEnv, argv: (t: Place) => string[]) => DeleteContender} */
  const del = (id, tool, label, env, argv) => ({ id, tool, label, env, argv, shown: (t) => short(argv(t)) });
  const deleters = [
    del('lakevault', 'lakevault', 'lakevault store delete (list → DeleteObjects ×1,000)', lvEnv, (t) => [NODE, join(__dirname, '..', 'lakevault-delete.js'), uri(t)]),
    del('rclone-default', 'rclone', 'rclone purge (defaults)', peers.rcloneEnv, (t) => [RCLONE, 'purge', remote(t)]),
    del('rclone-best', 'rclone', 'rclone purge --transfers 64 --checkers 64', peers.rcloneEnv, (t) => [RCLONE, 'purge', '--transfers', '64', '--checkers', '64', remote(t)]),
    del('aws-default', 'aws-cli', 'aws s3 rm --recursive (defaults)', peers.awsDefaultEnv, (t) => [AWS, ...awsUrl, 's3', 'rm', '--recursive', uri(t)]),
  ];
  return { copiers, deleters };
}

module.exports = { contenders, uri, lakevaultEnv };
