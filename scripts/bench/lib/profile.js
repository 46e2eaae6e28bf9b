// @ts-check
'use strict';
/**
 * One lakevault copy of dataset A under `node --cpu-prof`, summarised by package: where the
 * client's CPU goes per object (the lever on a machine whose cores the server shares).
 */
const { mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { measure } = require('./measure');
const { createBucket } = require('./s3');
const { ROOT } = require('./cluster');

/** Self time by package (or Node internal module) from a .cpuprofile, idle excluded. */
function summariseProfile(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byGroup = new Map();
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id).callFrame;
    if (frame.functionName === '(idle)') continue;
    busyUs += us;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
    const group = pkg ?? (frame.url.startsWith('node:') ? 'node: (http, streams, events…)'
      : frame.url.includes('/dist/') ? 'lakevault (dist/)'
      : frame.url ? 'other' : `native: ${frame.functionName}`);
    byGroup.set(group, (byGroup.get(group) ?? 0) + us);
  }
  const rows = [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([group, us]) => ({ group, ms: us / 1000, share: us / busyUs }));
  return { busyMs: busyUs / 1000, rows };
}

async function profileLakevaultCopy({ client, cluster, ds, tag }) {
  const dir = mkdtempSync(join(tmpdir(), 'lv-bench-prof-'));
  const dst = { bucket: `bench-${tag}-${ds.id}-profile`, prefix: ds.prefix };
  await createBucket(client, dst.bucket);
  const env = { ...process.env, S3_ENDPOINT: cluster.endpoint, AWS_ACCESS_KEY_ID: cluster.accessKeyId, AWS_SECRET_ACCESS_KEY: cluster.secretAccessKey };
  delete env.LAKEVAULT_CONCURRENCY;
  const m = await measure([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, join(ROOT, 'bin', 'lakevault.js'), 'copy',
    `s3://${ds.bucket}/${ds.prefix}`, `s3://${dst.bucket}/${dst.prefix}`], { env });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const summary = file ? summariseProfile(JSON.parse(readFileSync(join(dir, file), 'utf8'))) : undefined;
  rmSync(dir, { recursive: true, force: true });
  return { count: ds.count, wallS: m.wallS, cpuS: m.cpuS, code: m.code, summary, startup: await startupCost() };
}

/**
 * The fixed cost every lakevault run pays before its first request: the CLI's start-up
 * (`--help`: every command module loaded) beside Node loading the S3 SDK alone, 3 runs each.
 */
async function startupCost() {
  const cpu = async (argv) => {
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push((await measure(argv, { cwd: ROOT })).cpuS);
    return runs.sort((a, b) => a - b)[1];
  };
  return {
    cliS: await cpu([process.execPath, join(ROOT, 'bin', 'lakevault.js'), '--help']),
    sdkS: await cpu([process.execPath, '-e', "require('@aws-sdk/client-s3')"]),
  };
}

module.exports = { profileLakevaultCopy, summariseProfile };
