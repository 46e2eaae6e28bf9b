// @ts-check
'use strict';
/**
 * Writes the measured figures into docs/BENCHMARKS.md between `<!-- bench:begin -->` and
 * `<!-- bench:end -->`. Everything outside the markers (hand-written sections) is kept.
 */
const { existsSync, readFileSync, writeFileSync } = require('node:fs');

const BEGIN = '<!-- bench:begin -->';
const END = '<!-- bench:end -->';

const f0 = (n) => Math.round(n).toLocaleString('en');
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
const pct = (n) => `${(100 * n).toFixed(0)} %`;
const times = (n) => `${n.toFixed(2)}×`;

/** Throughput shown for a section: objects/s for small objects, MiB/s for big ones. */
const metric = (section) => (section.ds.size >= 1024 * 1024 ? 'mibPerS' : 'objectsPerS');
const unit = (section) => (metric(section) === 'mibPerS' ? 'MiB/s' : 'objects/s');

function lakevaultOf(section) {
  return section.contenders.find((c) => c.id === 'lakevault')?.summary;
}

function contenderTable(section) {
  const key = metric(section);
  const lv = lakevaultOf(section);
  const ceilingId = section.ceiling?.id;
  const rows = section.contenders.map((c) => {
    const s = c.summary;
    if (!s.objectsPerS) return `| ${c.label} | failed: ${s.failures.join('; ')} | | | | | | |`;
    const m = s[key];
    let ratio = '';
    if (c.id !== 'lakevault' && lv?.[key]) {
      ratio = c.id.startsWith('raw-')
        ? `${pct(lv[key].median / m.median)} of it${c.id === ceilingId ? ' (**ceiling**)' : ''}`
        : times(lv[key].median / m.median);
    }
    const failed = s.ok ? '' : ` (${s.runs - (s.runs - s.failures.length)} run(s) failed: ${s.failures[0]})`;
    return `| ${c.id === 'lakevault' ? `**${c.label}**` : c.label}${failed} | ${f0(m.median)} (${f0(m.min)}–${f0(m.max)}) | ${f2(s.wallS.median)} | ${f2(s.cpuS)} | ${f0(1000 * s.cpuMsPerObject)} | ${f0(s.peakRssMB)} | ${f1(s.serverCpuS)} | ${ratio} |`;
  });
  return [
    `| contender | ${unit(section)}, median (min–max) | wall s | client CPU s | client CPU ms per 1,000 objects | peak RSS MB | server CPU s | lakevault vs it |`,
    '|---|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

function commandLines(section) {
  return ['```', ...section.contenders.map((c) => `# ${c.label}\n${c.shown}`), '```'].join('\n');
}

function genericText(section) {
  return [
    `### ${section.title}`, '', section.note ?? '', '',
    `| ${section.header.join(' | ')} |`,
    `|${section.header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...section.rows.map((row) => `| ${row.join(' | ')} |`),
    '', '```', ...section.commands, '```',
  ].join('\n');
}

function sectionText(section) {
  if (section.kind === 'generic') return genericText(section);
  const title = section.kind === 'delete' ? `Delete of ${section.ds.title.split(':')[0]} (${section.ds.count.toLocaleString('en')} objects)` : `Copy ${section.ds.title}`;
  const note = section.kind === 'delete'
    ? 'Each deleter removes a verified copy made by the copy rounds above; verified = nothing left under the prefix.'
    : `Server-side copy of s3://${section.ds.bucket}/${section.ds.prefix} into a fresh bucket per run (DST below), then verified: object count, every size and every ETag (multipart ETags recomputed from the seeded bytes).`;
  return [`### ${title}`, '', `${section.rounds} alternating rounds. ${note}`, '', contenderTable(section), '', commandLines(section)].join('\n');
}

/** The issue's goals, judged on this run's own numbers. */
function goals(results) {
  const copy = (id) => results.sections.find((s) => s.kind === 'copy' && s.ds.id === id);
  const rows = [];
  const add = (goal, measured, met) => rows.push(`| ${goal} | ${measured} | ${met === undefined ? 'not measured' : met ? 'met' : '**missed**'} |`);
  for (const id of ['a', 'c']) {
    const section = copy(id);
    if (!section) continue;
    const name = section.ds.title.split(':')[0];
    const lv = lakevaultOf(section);
    const get = (cid) => section.contenders.find((c) => c.id === cid)?.summary;
    const ratio = (cid) => (lv?.objectsPerS && get(cid)?.objectsPerS ? lv.objectsPerS.median / get(cid).objectsPerS.median : undefined);
    const ceiling = section.ceiling;
    if (ceiling && lv?.objectsPerS) {
      const r = lv.objectsPerS.median / ceiling.summary.objectsPerS.median;
      add(`${name}: ≥ 95 % of the raw ceiling (${ceiling.id})`, pct(r), r >= 0.95);
    }
    const best = ratio('rclone-best');
    if (best !== undefined) add(`${name}: ≥ 1.0× rclone at its best tuning`, times(best), best >= 1.0);
    for (const [cid, what] of [['rclone-default', 'rclone defaults'], ['aws-default', 'aws-cli defaults']]) {
      const r = ratio(cid);
      if (r !== undefined) add(`${name}: ≥ 3× ${what}`, times(r), r >= 3);
      else if (id === 'c') add(`${name}: ≥ 3× ${what}`, `not run on C (at their A rates one run would take ${estimateMinutes(copy('a'), cid, section.ds.count)} min); see A`, undefined);
    }
    for (const cid of ['rclone-best', 'rclone-default']) {
      const peer = get(cid);
      if (lv?.objectsPerS && peer?.objectsPerS) {
        add(`${name}: client CPU per 1,000 objects ≤ ${cid}'s`, `${f0(1000 * lv.cpuMsPerObject)} ms vs ${f0(1000 * peer.cpuMsPerObject)} ms`, lv.cpuMsPerObject <= peer.cpuMsPerObject);
      }
    }
  }
  const b = copy('b');
  if (b?.ceiling && lakevaultOf(b)?.mibPerS) {
    const r = lakevaultOf(b).mibPerS.median / b.ceiling.summary.mibPerS.median;
    add(`B: ≥ 95 % of the raw ceiling (${b.ceiling.id})`, pct(r), r >= 0.95);
  }
  const a = copy('a');
  const c = copy('c');
  if (a && c && lakevaultOf(a)?.wallS && lakevaultOf(c)?.wallS) {
    const perA = lakevaultOf(a).wallS.median / a.ds.count;
    const perC = lakevaultOf(c).wallS.median / c.ds.count;
    const cpuA = lakevaultOf(a).cpuMsPerObject;
    const cpuC = lakevaultOf(c).cpuMsPerObject;
    add('cost per object flat from 2,000 to 50,000 objects (±20 %): wall ms per object', `${f2(1000 * perA)} → ${f2(1000 * perC)} ms (${pct(perC / perA - 1)})`, Math.abs(perC / perA - 1) <= 0.2);
    add('… and client CPU ms per object', `${f2(cpuA)} → ${f2(cpuC)} ms (${pct(cpuC / cpuA - 1)})`, Math.abs(cpuC / cpuA - 1) <= 0.2);
    add('peak RSS copying C ≤ 200 MB', `${f0(lakevaultOf(c).peakRssMB)} MB`, lakevaultOf(c).peakRssMB <= 200);
  }
  for (const section of results.sections.filter((s) => s.kind === 'generic')) {
    for (const g of section.goals) add(g.goal, g.measured, g.met);
  }
  return ['| goal | measured | |', '|---|---|---|', ...rows].join('\n');
}

function estimateMinutes(sectionA, cid, count) {
  const s = sectionA?.contenders.find((c) => c.id === cid)?.summary;
  return s?.objectsPerS ? Math.round(count / s.objectsPerS.median / 60) : '?';
}

function profileText(profile) {
  if (!profile?.summary) return '';
  const rows = profile.summary.rows.map((r) => `| ${r.group} | ${f0(r.ms)} | ${pct(r.share)} |`);
  return [
    '### Where lakevault\'s client CPU goes',
    '',
    `One \`lakevault copy\` of A under \`node --cpu-prof\` (${f2(profile.wallS)} s wall, ${f2(profile.cpuS)} s CPU, ${f2((1000 * profile.cpuS) / profile.count)} ms CPU per object; the profiler itself adds some). Self time by package, idle excluded:`,
    '',
    '| where | ms | share |',
    '|---|---:|---:|',
    ...rows,
    '',
    ...(profile.startup ? [`Fixed cost per run, before the first request (median CPU of 3): the CLI's start-up (\`lakevault --help\`: commander, the S3 SDK and the command definitions; capabilities load on first use, src/util/lazy.ts) ${f2(profile.startup.cliS)} s; Node loading the S3 SDK alone ${f2(profile.startup.sdkS)} s. On 2,000 objects that difference is ${f2((1000 * (profile.startup.cliS - profile.startup.sdkS)) / 2000)} ms of CPU per object.`] : []),
  ].join('\n');
}

function render(results) {
  const m = results.machine;
  const v = results.versions;
  const load = (l) => l.map((x) => x.toFixed(1)).join(' / ');
  return [
    BEGIN,
    '<!-- Generated by `npm run bench` (scripts/bench/run.js): rerun it rather than editing between these markers. -->',
    '',
    '## Copy, delete and scaling',
    '',
    `Measured ${results.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench${results.options.quick ? ' -- --quick' : ''}\` in ${f1(results.durationS / 60)} min.${results.partial ? ' **Partial: the run was still going (or was stopped) when this was written; sections below are the ones it had finished.**' : ''}`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${f0(m.memoryGiB)} GiB RAM, ${m.distro}, ${m.kernel}. Load average (1/5/15 min) before: ${load(results.loadBefore)} (what ran just before, e.g. \`npm ci\`), after: ${load(results.loadAfter)} — the cores are shared by the client and the server.`,
    `- Host speed check (one core, fixed work: SHA-256 of 256 MiB and 200M integer rounds; scripts/bench/lib/machine.js): ${results.cpuBefore.toFixed(2)} s before the run, ${results.cpuAfter === undefined ? 'not taken (run interrupted)' : `${results.cpuAfter.toFixed(2)} s after`}. On a shared VM host this moves with the neighbours' load: compare it before comparing two runs' absolute figures.`,
    `- Versions: lakevault ${v.lakevault}; Node ${v.node}; @aws-sdk/client-s3 ${v.sdk}; ${v.rclone}; ${v.aws}; ${v.ceph}.`,
    `- Server: Ceph RGW (beast, bluestore on a sparse file, pools of size 1) started by \`scripts/rgw.sh\` on 127.0.0.1:19480, its own ports, so the shared test RGW neither disturbs nor is disturbed.`,
    `- Seeding: ${results.seeding.map((s) => `${s.title} ${s.reused ? 'reused' : `${f1(s.seconds)} s`}`).join('; ')}.`,
    '- Every run is a fresh process, as a user runs it. Wall time is measured around the process; client CPU (user + system) and peak RSS come from getrusage through GNU `time`; server CPU is what radosgw, the OSD and the monitor used during the run (/proc). Contenders run alternately (A B C… A B C…); medians with min–max across rounds; a run that fails or copies the wrong thing counts as a failure, not a time.',
    '- "lakevault vs it": lakevault\'s median throughput divided by the contender\'s (above 1× = lakevault faster); for the SDK ceiling rows, lakevault as a share of it.',
    '',
    '### What lakevault\'s copy path does per object',
    '',
    '- One request per object: the listing (streamed, 1,000 keys a page, never materialised) carries size and ETag, so there is no HeadObject; every copy is pinned to the listed ETag (CopySourceIfMatch, and RGW\'s x-amz-copy-if-match).',
    '- CopyObject goes out on the direct path (src/store/direct-copy.ts): signed by the SDK client\'s own SigV4 signer, sent over the client\'s keep-alive sockets (sized to the concurrency), the response checked for a CopyObjectResult. Anything else — an error, a 200 carrying an error document, throttling, a reset, a timeout — is sent again through the SDK, which retries and reports the error as always. It skips the SDK\'s per-request middleware stack (schema serde, endpoint rules, XML parser), about two thirds of the client CPU of a copy; on a machine whose cores the server shares, that CPU goes to the server. Path-style custom endpoints only (MinIO, RGW); LAKEVAULT_DIRECT_COPY=off turns it off. The validator\'s ranged GETs (footers, row groups) go out the same way (src/store/direct-read.ts; LAKEVAULT_DIRECT_READ=off).',
    '- Objects above LAKEVAULT_MULTIPART_THRESHOLD (512 MiB) are copied by UploadPartCopy in parallel parts; below it CopyObject, which RGW answers by sharing the data (B\'s 32 MiB objects copy in milliseconds, where a multipart copy rewrites them).',
    '',
    '### Goals (issue 8), judged on this run',
    '',
    goals(results),
    '',
    ...results.sections.flatMap((s) => [sectionText(s), '']),
    profileText(results.profile),
    '',
    ...(results.notMeasured?.length ? ['### Not yet measured', '', ...results.notMeasured.map((n) => `- ${n}`), ''] : []),
    END,
  ].join('\n');
}

/** Replaces the block between two markers (or appends it) and keeps every other line of the file. */
function replaceBlock(file, beginMarker, endMarker, block) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# lakevault benchmarks\n\n';
  const begin = current.indexOf(beginMarker);
  const end = current.indexOf(endMarker);
  const next = begin >= 0 && end > begin
    ? current.slice(0, begin) + block + current.slice(end + endMarker.length)
    : `${current.replace(/\n*$/, '\n\n')}${block}\n`;
  writeFileSync(file, next);
}

function writeReport(file, results) {
  replaceBlock(file, BEGIN, END, render(results));
}

/** `--only`: the chosen sections alone, with the machine and the goals they judge (a file of its own). */
function writeStageReport(file, results) {
  const m = results.machine;
  const generic = results.sections.filter((s) => s.kind === 'generic');
  const goalRows = generic.flatMap((s) => s.goals).map((g) => `| ${g.goal} | ${g.measured} | ${g.met === undefined ? 'reported' : g.met ? 'met' : '**missed**'} |`);
  writeFileSync(file, [
    `Measured ${results.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} by \`npm run bench -- --only ${results.options.only.join(',')}\` in ${f1(results.durationS / 60)} min on ${m.cpu}, ${m.cores} cores, ${f0(m.memoryGiB)} GiB RAM; host speed check ${results.cpuBefore.toFixed(2)} s (scripts/bench/lib/machine.js); Ceph RGW started by scripts/rgw.sh on its own ports.`,
    '',
    '| goal | measured | |', '|---|---|---|', ...goalRows, '',
    ...generic.flatMap((s) => [genericText(s), '']),
    ...(results.notMeasured?.length ? ['Not measured:', ...results.notMeasured.map((n) => `- ${n}`), ''] : []),
  ].join('\n'));
}


/**
 * A part of the bench that `npm run bench -- --only <name>` runs alone writes its sections in
 * a block of its own (`<!-- bench:<name>:begin -->` … `end`), so that such a run rewrites that
 * block and nothing else. `run`: what run.js's runBlock gathered.
 */
function renderBlock(name, heading, run) {
  const m = run.machine;
  const load = (l) => l.map((x) => x.toFixed(1)).join(' / ');
  const rows = run.sections.flatMap((section) => section.goals).map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'met' : '**missed**'} |`);
  return [
    `<!-- bench:${name}:begin -->`,
    `<!-- Generated by \`npm run bench\` (or \`npm run bench -- --only ${name}\`): rerun it rather than editing between these markers. -->`,
    '',
    `## ${heading}`,
    '',
    `Measured ${run.startedAt.toISOString().replace(/\.\d+Z$/, 'Z')} at ${run.commit} by \`npm run bench${run.command}\` in ${f1(run.durationS / 60)} min.${run.partial ? ' **Partial: the run was still going (or was stopped) when this was written.**' : ''}`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${f0(m.memoryGiB)} GiB RAM; Ceph RGW on the same cores. Load average (1/5/15 min) before: ${load(run.loadBefore)}, after: ${load(run.loadAfter)}. Host speed check (scripts/bench/lib/machine.js): ${run.cpuBefore.toFixed(2)} s before, ${run.cpuAfter === undefined ? 'not taken' : `${run.cpuAfter.toFixed(2)} s after`}.`,
    '- Ratios are of runs made side by side in the same round: they move less with the neighbours\' load than the seconds do.',
    '',
    ...(rows.length ? ['### Goals, judged on this run', '', '| goal | measured | |', '|---|---|---|', ...rows, ''] : []),
    ...run.sections.flatMap((section) => [genericText(section), '']),
    `<!-- bench:${name}:end -->`,
  ].join('\n');
}

function writeBlockReport(file, name, heading, run) {
  replaceBlock(file, `<!-- bench:${name}:begin -->`, `<!-- bench:${name}:end -->`, renderBlock(name, heading, run));
}

module.exports = { writeReport, writeStageReport, writeBlockReport, render, replaceBlock };
