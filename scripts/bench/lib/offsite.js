// @ts-check
'use strict';
/**
 * The off-site section (`npm run bench -- --only offsite [--big]`): copies between two Ceph
 * RGW clusters — the bytes must cross the client, no server-side copy reaches — lakevault's
 * cross-endpoint path (scripts/bench/cross-copy.js, src/store/cross-copy.ts) against
 * `rclone copy` between two remotes at its best tuning and at its defaults, on datasets A
 * and B; with --big, one 5 GiB object copied by lakevault alone, its peak RSS against the
 * bound. Writes docs/BENCHMARKS.md between the bench:offsite markers.
 */
const { createHash } = require('node:crypto');
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Readable } = require('node:stream');
const { Upload } = require('@aws-sdk/lib-storage');
const { HeadObjectCommand } = require('@aws-sdk/client-s3');
const { mainCluster, offsiteCluster, buildLakevault, ROOT } = require('./cluster');
const { ensurePeers, versions, peerBaseEnv, RCLONE } = require('./peers');
const { harnessClient, createBucket, listAll } = require('./s3');
const { DATASETS, ensureSeeded, verifyCopy } = require('./datasets');
const { measure } = require('./measure');
const { summarize } = require('./summary');
const { machine, softwareVersions } = require('./machine');
const { replaceBlock } = require('./report');

const BEGIN = '<!-- bench:offsite:begin -->';
const END = '<!-- bench:offsite:end -->';
const MiB = 1024 * 1024;
const BIG = { bucket: 'bench-source', key: 'big/one-5GiB-object', size: 5 * 1024 * MiB, seedPart: 64 * MiB };
/** lakevault's defaults (src/store/cross-copy.ts): 16 parts of 8 MiB buffered at most. */
const PART = 8 * MiB;
const BUFFER = 16 * PART;
const RSS_BOUND_MB = 300;

const f0 = (n) => Math.round(n).toLocaleString('en');
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const times = (n) => `${n.toFixed(2)}×`;

/** The contenders: each turns a source prefix and a destination place into argv + environment. */
function contenders(a, b, workDir) {
  const rcloneConfig = join(workDir, 'rclone.conf');
  writeFileSync(rcloneConfig, '');
  const remote = (name, cluster) => Object.fromEntries(Object.entries({
    TYPE: 's3', PROVIDER: 'Ceph', ENDPOINT: cluster.endpoint, ACCESS_KEY_ID: cluster.accessKeyId, SECRET_ACCESS_KEY: cluster.secretAccessKey, REGION: 'us-east-1',
  }).map(([k, v]) => [`RCLONE_CONFIG_${name}_${k}`, v]));
  const rcloneEnv = { ...peerBaseEnv(), RCLONE_CONFIG: rcloneConfig, ...remote('SITEA', a), ...remote('SITEB', b) };
  const lvEnv = { ...peerBaseEnv() };
  for (const name of Object.keys(lvEnv)) if (name.startsWith('LAKEVAULT_') || name.startsWith('S3_')) delete lvEnv[name];
  Object.assign(lvEnv, {
    S3_ENDPOINT: a.endpoint, AWS_ACCESS_KEY_ID: a.accessKeyId, AWS_SECRET_ACCESS_KEY: a.secretAccessKey, AWS_REGION: 'us-east-1',
    LAKEVAULT_BACKUPS_ENDPOINT: b.endpoint, LAKEVAULT_BACKUPS_ACCESS_KEY_ID: b.accessKeyId, LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: b.secretAccessKey,
  });
  const script = join(ROOT, 'scripts', 'bench', 'cross-copy.js');
  const best = ['--transfers', '64', '--checkers', '64', '--no-check-dest'];
  const noSlash = (p) => p.replace(/\/$/, '');
  return [
    { id: 'lakevault', label: 'lakevault cross-endpoint copy (defaults)', env: lvEnv,
      argv: (src, dst) => [process.execPath, script, `s3://${src.bucket}/${src.prefix}`, `s3://${dst.bucket}/${dst.prefix}`],
      shown: 'S3_ENDPOINT=<site A> LAKEVAULT_BACKUPS_ENDPOINT=<site B> (+ keys) node scripts/bench/cross-copy.js s3://bench-source/PREFIX/ s3://DST/PREFIX/' },
    { id: 'rclone-best', label: 'rclone copy --transfers 64 --checkers 64 --no-check-dest', env: rcloneEnv,
      argv: (src, dst) => [RCLONE, 'copy', ...best, `sitea:${src.bucket}/${noSlash(src.prefix)}`, `siteb:${dst.bucket}/${noSlash(dst.prefix)}`],
      shown: `rclone copy ${best.join(' ')} sitea:bench-source/PREFIX siteb:DST/PREFIX` },
    { id: 'rclone-default', label: 'rclone copy (defaults)', env: rcloneEnv,
      argv: (src, dst) => [RCLONE, 'copy', `sitea:${src.bucket}/${noSlash(src.prefix)}`, `siteb:${dst.bucket}/${noSlash(dst.prefix)}`],
      shown: 'rclone copy sitea:bench-source/PREFIX siteb:DST/PREFIX' },
  ];
}

/** One run, measured: wall, client CPU and peak RSS (GNU time), and both clusters' CPU. */
async function timed(argv, env) {
  const before = mainCluster.serverCpuSeconds() + offsiteCluster.serverCpuSeconds();
  const m = await measure(argv, { env });
  return { m, serverCpuS: mainCluster.serverCpuSeconds() + offsiteCluster.serverCpuSeconds() - before };
}

async function copyRounds({ clientB, ds, source, list, rounds, tag, log }) {
  const runs = new Map(list.map((c) => [c.id, []]));
  const src = { bucket: ds.bucket, prefix: ds.prefix };
  for (let round = 1; round <= rounds; round++) {
    for (const contender of list) {
      const dst = { bucket: `offsite-${tag}-${ds.id}-${contender.id}-r${round}`, prefix: ds.prefix };
      await createBucket(clientB, dst.bucket);
      const { m, serverCpuS } = await timed(contender.argv(src, dst), contender.env);
      const problems = m.code === 0 ? await verifyCopy(clientB, ds, source, dst) : [`exit ${m.code}: ${(m.stderr || m.stdout).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}`];
      runs.get(contender.id).push({
        round, wallS: m.wallS, cpuS: m.cpuS, peakRssMB: m.peakRssMB, serverCpuS,
        objectsPerS: ds.count / m.wallS, mibPerS: (ds.count * ds.size) / MiB / m.wallS, verified: problems.length === 0, problems,
      });
      log(`  ${ds.id} r${round} ${contender.id.padEnd(15)} ${m.wallS.toFixed(2).padStart(7)} s  cpu ${m.cpuS.toFixed(2)} s  rss ${m.peakRssMB.toFixed(0)} MB  servers ${serverCpuS.toFixed(1)} s ${problems.length ? 'FAILED ' + problems[0] : 'verified'}`);
    }
  }
  return new Map(list.map((c) => [c.id, summarize(runs.get(c.id), ds.count)]));
}

/** The deterministic bytes of the big object's part `index` (every part differs). */
function bigPart(index, length) {
  const body = Buffer.alloc(length, 0x62);
  body.write(`part ${index} of the 5 GiB benchmark object\n`, 0, 'utf8');
  return body;
}

function bigParts(partSize, each) {
  for (let at = 0, index = 0; at < BIG.size; at += partSize, index++) each(at, Math.min(partSize, BIG.size - at));
}

/** The big object's bytes as a stream of seeding parts. */
function bigStream() {
  let at = 0;
  return Readable.from((function* generate() {
    while (at < BIG.size) {
      const length = Math.min(BIG.seedPart, BIG.size - at);
      yield bigPart(at / BIG.seedPart, length);
      at += length;
    }
  })());
}

/** The multipart ETag a copy of the big object with parts of `partSize` must have, from the generated bytes. */
function expectedBigEtag(partSize) {
  const md5s = [];
  let seedAt = -1;
  let seed = Buffer.alloc(0);
  bigParts(partSize, (at, length) => {
    const hash = createHash('md5');
    for (let pos = at; pos < at + length;) {
      const seedIndex = Math.floor(pos / BIG.seedPart);
      if (seedIndex !== seedAt) { seedAt = seedIndex; seed = bigPart(seedIndex, Math.min(BIG.seedPart, BIG.size - seedIndex * BIG.seedPart)); }
      const from = pos - seedIndex * BIG.seedPart;
      const take = Math.min(seed.length - from, at + length - pos);
      hash.update(seed.subarray(from, from + take));
      pos += take;
    }
    md5s.push(hash.digest());
  });
  return `${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${md5s.length}`;
}

async function bigRun({ clientA, clientB, lakevault, tag, log }) {
  const head = await clientA.send(new HeadObjectCommand({ Bucket: BIG.bucket, Key: BIG.key })).catch(() => undefined);
  if (head?.ContentLength !== BIG.size) {
    log(`seeding one ${BIG.size / 1024 ** 3} GiB object on site A (multipart, ${BIG.seedPart / MiB} MiB parts)`);
    await new Upload({ client: clientA, params: { Bucket: BIG.bucket, Key: BIG.key, Body: bigStream() }, partSize: BIG.seedPart, queueSize: 2 }).done();
  }
  const dst = { bucket: `offsite-${tag}-big`, prefix: 'big/' };
  await createBucket(clientB, dst.bucket);
  const { m, serverCpuS } = await timed(lakevault.argv({ bucket: BIG.bucket, prefix: 'big/' }, dst), lakevault.env);
  const copied = await listAll(clientB, dst.bucket, dst.prefix);
  const got = copied.get('one-5GiB-object');
  const expected = expectedBigEtag(PART);
  const problems = m.code !== 0 ? [`exit ${m.code}: ${m.stderr.trim().split('\n').pop()}`]
    : !got ? ['not at the destination'] : got.size !== BIG.size ? [`size ${got.size}`] : got.etag !== expected ? [`ETag ${got.etag}, expected ${expected}`] : [];
  log(`  big ${m.wallS.toFixed(1)} s  cpu ${m.cpuS.toFixed(1)} s  rss ${m.peakRssMB.toFixed(0)} MB ${problems.length ? 'FAILED ' + problems[0] : 'verified'}`);
  return { wallS: m.wallS, cpuS: m.cpuS, peakRssMB: m.peakRssMB, serverCpuS, mibPerS: BIG.size / MiB / m.wallS, problems, output: m.stdout.trim() };
}

function table(ds, list, summaries) {
  const key = ds.size >= MiB ? 'mibPerS' : 'objectsPerS';
  const lv = summaries.get('lakevault');
  const rows = list.map((c) => {
    const s = summaries.get(c.id);
    if (!s[key]) return `| ${c.label} | failed: ${s.failures.join('; ')} | | | | | | |`;
    const ratio = c.id !== 'lakevault' && lv?.[key] ? times(lv[key].median / s[key].median) : '';
    return `| ${c.id === 'lakevault' ? `**${c.label}**` : c.label}${s.ok ? '' : ` (${s.failures.length} failed run(s): ${s.failures[0]})`} | ${f0(s[key].median)} (${f0(s[key].min)}–${f0(s[key].max)}) | ${f2(s.wallS.median)} | ${f2(s.cpuS)} | ${f0(s.peakRssMB)} | ${f1(s.serverCpuS)} | ${ratio} |`;
  });
  return [
    `| contender | ${key === 'mibPerS' ? 'MiB/s' : 'objects/s'}, median (min–max) | wall s | client CPU s | peak RSS MB | CPU s of both clusters | lakevault vs it |`,
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

function goalsTable(results) {
  const rows = [];
  const add = (goal, measured, met) => rows.push(`| ${goal} | ${measured} | ${met === undefined ? 'not measured' : met ? 'met' : '**missed**'} |`);
  for (const section of results.sections) {
    const key = section.ds.size >= MiB ? 'mibPerS' : 'objectsPerS';
    const lv = section.summaries.get('lakevault');
    const name = section.ds.title.split(':')[0];
    for (const [id, what, want] of [['rclone-best', 'rclone at its best tuning', 1], ['rclone-default', 'rclone at its defaults', 3]]) {
      const peer = section.summaries.get(id);
      const ratio = lv?.[key] && peer?.[key] ? lv[key].median / peer[key].median : undefined;
      add(`${name}: ≥ ${want.toFixed(1)}× ${what}`, ratio === undefined ? 'a run failed' : times(ratio), ratio === undefined ? undefined : ratio >= want);
    }
    if (section.ds.id === 'b' && lv?.peakRssMB) add(`B: peak RSS ≤ ${RSS_BOUND_MB} MB`, `${f0(lv.peakRssMB)} MB`, lv.peakRssMB <= RSS_BOUND_MB);
  }
  const big = results.big;
  if (big) add(`one 5 GiB object: peak RSS ≤ ${RSS_BOUND_MB} MB (--big)`, big.problems.length ? `failed: ${big.problems[0]}` : `${f0(big.peakRssMB)} MB`, big.problems.length ? false : big.peakRssMB <= RSS_BOUND_MB);
  else add(`one 5 GiB object: peak RSS ≤ ${RSS_BOUND_MB} MB`, 'run with `npm run bench -- --only offsite --big`', undefined);
  return ['| goal | measured | |', '|---|---|---|', ...rows].join('\n');
}

function render(results) {
  const m = results.machine;
  const v = results.versions;
  const lines = [
    BEGIN,
    '<!-- Generated by `npm run bench -- --only offsite [--big]` (scripts/bench/lib/offsite.js): rerun it rather than editing between these markers. -->',
    '',
    '## Off-site copy: between two RGW clusters',
    '',
    `Measured ${results.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} in ${f1(results.durationS / 60)} min. **Two Ceph RGW clusters (monitor, OSD and radosgw each) and the client share the ${m.cores} cores of this machine (${m.cpu}), with other work running on it: load average ${results.loadBefore.map((x) => x.toFixed(1)).join(' / ')} before, ${results.loadAfter.map((x) => x.toFixed(1)).join(' / ')} after.** Ratios within this run are the figures to read; absolute rates move with the neighbours.`,
    '',
    `- Site A ${results.clusters.a} holds the sources; site B ${results.clusters.b} receives every copy into a fresh bucket, verified afterwards through site B's own listing (count, sizes, ETags; multipart ETags recomputed from the seeded bytes). No server-side copy can reach from one cluster to the other: every byte crosses the client.`,
    `- lakevault: \`src/store/cross-copy.ts\` with its defaults — whole objects up to 8 MiB read into one buffer and written with one PutObject whose Content-MD5 is the source's ETag when that is the MD5 of the bytes; larger ones streamed GET → PUT (up to 64 MiB, same Content-MD5) or copied as multipart uploads of 8 MiB parts read with pinned ranged GETs, at most 16 parts (128 MiB) buffered; 64 objects in flight; PutObject/UploadPart and GETs signed by the SDK's signer and sent on the direct path (UNSIGNED-PAYLOAD + Content-MD5). Run as a user configures an off-site location: \`LAKEVAULT_BACKUPS_ENDPOINT\` and its keys (scripts/bench/cross-copy.js, until \`backup copy --to\` exists).`,
    '- rclone: two remotes (`provider = Ceph`), one per cluster, configured by environment only; AWS_CA_BUNDLE unset (rclone 1.60 fails on it).',
    `- Versions: lakevault ${v.lakevault}; Node ${v.node}; @aws-sdk/client-s3 ${v.sdk}; ${v.rclone}; ${v.ceph}. ${results.rounds} alternating rounds per dataset; medians (min–max).`,
    '',
    '### Goals, judged on this run',
    '',
    goalsTable(results),
    '',
  ];
  for (const section of results.sections) {
    lines.push(`### ${section.ds.title}, site A → site B`, '', table(section.ds, section.list, section.summaries), '', '```', ...section.list.map((c) => `# ${c.label}\n${c.shown}`), '```', '');
  }
  if (results.big) {
    const b = results.big;
    lines.push('### One 5 GiB object (`--big`)', '',
      `Seeded on site A as a multipart upload (64 MiB parts, so its ETag is no MD5 and lakevault copies it by parts): ${f1(b.wallS)} s wall (${f0(b.mibPerS)} MiB/s), ${f1(b.cpuS)} s client CPU, **peak RSS ${f0(b.peakRssMB)} MB** (bound: ${BUFFER / MiB} MiB of buffered parts plus the process itself; goal ≤ ${RSS_BOUND_MB} MB), ${f1(b.serverCpuS)} s of both clusters' CPU. ${b.problems.length ? `**Failed: ${b.problems.join('; ')}**` : `Verified: the destination's ETag is the multipart ETag of 8 MiB parts recomputed from the seeded bytes (${Math.ceil(BIG.size / PART)} parts), its size ${f0(BIG.size)} bytes.`}`,
      '');
  }
  if (results.notes.length) lines.push(...results.notes.map((n) => `- ${n}`), '');
  lines.push(END);
  return lines.join('\n');
}

/**
 * @param {{ rounds: number, big: boolean, fresh: boolean, keep: boolean, out: string }} options
 * @param {(line: string) => void} log
 */
async function runOffsite(options, log) {
  const started = Date.now();
  const results = { startedAt: new Date(), loadBefore: require('node:os').loadavg(), loadAfter: [0, 0, 0], durationS: 0, rounds: options.rounds, machine: machine(), versions: { ...softwareVersions(), ...versions() }, sections: [], big: undefined, notes: [], clusters: {} };
  buildLakevault(log);
  const a = await mainCluster.start({ fresh: options.fresh, log });
  const b = await offsiteCluster.start({ fresh: options.fresh, log });
  results.clusters = { a: `(${a.endpoint})`, b: `(${b.endpoint})` };
  try {
    ensurePeers(log);
    const clientA = harnessClient({ ...a, concurrency: 64 });
    const clientB = harnessClient({ ...b, concurrency: 64 });
    const list = contenders(a, b, mkdtempSync(join(tmpdir(), 'lv-bench-offsite-')));
    const tag = Date.now().toString(36).slice(-5);
    for (const ds of [DATASETS.A, DATASETS.B]) {
      log(`seeding ${ds.title} on site A`);
      const seeded = await ensureSeeded(clientA, ds);
      log(`${ds.title}: ${list.map((c) => c.id).join(', ')} × ${options.rounds} rounds`);
      const summaries = await copyRounds({ clientB, ds, source: seeded.listing, list, rounds: options.rounds, tag, log });
      results.sections.push({ ds, list, summaries });
      write(options.out, results, started);
    }
    if (options.big) {
      results.big = await bigRun({ clientA, clientB, lakevault: list[0], tag, log });
      write(options.out, results, started);
    }
  } finally {
    results.loadAfter = require('node:os').loadavg();
    write(options.out, results, started);
    if (!options.keep) {
      if (a.startedHere) mainCluster.stop(log);
      if (b.startedHere) offsiteCluster.stop(log);
    }
  }
}

function write(out, results, started) {
  results.durationS = (Date.now() - started) / 1000;
  results.loadAfter = require('node:os').loadavg();
  replaceBlock(out, BEGIN, END, render(results));
}

module.exports = { runOffsite, expectedBigEtag };
