// @ts-check
'use strict';
/**
 * The peers lakevault is measured against: Debian's rclone and awscli (installed when
 * missing), configured only through environment variables and files of the benchmark's
 * own, so that nothing in the user's ~/.aws or ~/.config/rclone changes the result.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const RCLONE = '/usr/bin/rclone';
const AWS = '/usr/bin/aws'; // Debian's awscli 2; a pyenv `aws` 1.x may come first on PATH

/** @param {(line: string) => void} log */
function ensurePeers(log) {
  const missing = [[RCLONE, 'rclone'], [AWS, 'awscli']].filter(([path]) => !existsSync(path)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  log(`installing ${missing.join(' and ')} from Debian...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function versions() {
  const first = (argv) => {
    try {
      return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', env: peerBaseEnv() }).trim().split('\n')[0];
    } catch (error) {
      return `unknown (${/** @type {Error} */ (error).message.split('\n')[0]})`;
    }
  };
  return { rclone: first([RCLONE, 'version']), aws: first([AWS, '--version']) };
}

/** The environment every peer runs in: AWS_CA_BUNDLE unset (rclone 1.60 fails on it). */
function peerBaseEnv() {
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}

/**
 * @param {{ endpoint: string, accessKeyId: string, secretAccessKey: string }} target
 * @param {string} workDir where the peers' config files go
 */
function peerSetup(target, workDir) {
  mkdirSync(workDir, { recursive: true });
  const rcloneConfig = join(workDir, 'rclone.conf');
  writeFileSync(rcloneConfig, '');
  const rcloneEnv = {
    ...peerBaseEnv(),
    RCLONE_CONFIG: rcloneConfig,
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Ceph',
    RCLONE_CONFIG_BENCH_ENDPOINT: target.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: target.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: target.secretAccessKey,
    RCLONE_CONFIG_BENCH_REGION: 'us-east-1',
  };
  const awsConfig = (name, body) => {
    const file = join(workDir, `aws-${name}.config`);
    writeFileSync(file, `[default]\nregion = us-east-1\n${body}`);
    return file;
  };
  const awsEnv = (configFile) => ({
    ...peerBaseEnv(),
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'aws-no-credentials'),
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretAccessKey,
    AWS_PAGER: '',
  });
  return {
    rcloneEnv,
    awsDefaultEnv: awsEnv(awsConfig('default', '')),
    aws64Env: awsEnv(awsConfig('64', 's3 =\n  max_concurrent_requests = 64\n')),
    awsConfigNote: '`[default] s3 = max_concurrent_requests = 64` in AWS_CONFIG_FILE',
  };
}

module.exports = { ensurePeers, versions, peerSetup, peerBaseEnv, RCLONE, AWS };
