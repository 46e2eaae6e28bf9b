#!/usr/bin/env node
// @ts-check
'use strict';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // the harness's own SDK client
/**
 * lakevault's benchmark harness (issue 8): `npm run bench` (full, < 20 min) or
 * `npm run bench -- --quick` (dataset A only, < 3 min).
 *
 * Starts its own Ceph RGW with scripts/rgw.sh (ports of its own), installs rclone and
 * awscli from Debian when missing, seeds the datasets, runs the contenders alternately,
 * verifies every result, and writes docs/BENCHMARKS.md between the bench markers
 * (a quick run writes to a temporary file instead and prints it).
 *
 * `npm run bench -- --only offsite [--big]` runs only the copy between two RGW clusters
 * (scripts/bench/lib/offsite.js; its second cluster's ports move with BENCH_OFFSITE_RGW_*) and
 * rewrites its own block of docs/BENCHMARKS.md.
 *
 * Options: --quick, --only STAGES (comma-separated: compact, diff — only those sections, on
 * their own RGW, the report printed and written to a temporary file unless --out is given;
 * or offsite, small-files — the tables-of-many-small-files sections, lib/small-files.js — or
 * incremental — an incremental backup beside a full one, lib/incremental.js — alone, each
 * rewriting its own block of docs/BENCHMARKS.md), --rounds N,
 * --c-rounds N, --budget-min M (default 20; the scaling set C runs as many rounds as fit, at
 * least one lakevault run), --keep (leave the RGW running; a later run reuses it and its
 * seeded data), --fresh (restart it), --out FILE, --no-profile, --no-tables (skip the
 * table/validate/flow sections and the blocks). --big adds the small-files 100,000-file
 * point; --sf-rounds N the rounds of their scaling part (default 2).
 */
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startCluster, stopCluster, buildLakevault, ROOT } = require('./lib/cluster');
const { ensurePeers, versions, peerSetup } = require('./lib/peers');
const { harnessClient } = require('./lib/s3');
const { DATASETS, ensureSeeded } = require('./lib/datasets');
const { contenders } = require('./lib/contenders');
const { copyRounds, deleteRounds } = require('./lib/rounds');
const { summarize, bestCeiling } = require('./lib/summary');
const { machine, softwareVersions, cpuCheck } = require('./lib/machine');
const { profileLakevaultCopy } = require('./lib/profile');
const { writeReport, writeStageReport, writeBlockReport } = require('./lib/report');
const { smallFilesBench } = require('./lib/small-files');
const { incrementalBench } = require('./lib/incremental');
const { loadavg } = require('node:os');
const { tableBench } = require('./lib/tables');
const { lakevaultEnv } = require('./lib/contenders');
const { compactDiffBench } = require('./lib/compact-diff');

function parseOptions(argv) {
  const value = (name, fallback) => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] ? argv[at + 1] : fallback;
  };
  const quick = argv.includes('--quick');
  const only = value('--only', undefined)?.split(',').map((stage) => stage.trim()).filter(Boolean);
  const known = [...Object.keys(ONLY_STAGES), ...Object.keys(BLOCK_STAGES)];
  for (const stage of only ?? []) if (!known.includes(stage)) throw new Error(`--only: unknown stage "${stage}" (stages: ${known.join(', ')})`);
  for (const stage of Object.keys(BLOCK_STAGES)) if (only?.includes(stage) && only.length > 1) throw new Error(`--only ${stage} runs alone (its own clusters and block of docs/BENCHMARKS.md)`);
  return {
    quick,
    only,
    rounds: Number(value('--rounds', 3)),
    cRounds: Number(value('--c-rounds', 3)),
    keep: argv.includes('--keep'),
    fresh: argv.includes('--fresh'),
    profile: !argv.includes('--no-profile') && !quick,
    tables: !argv.includes('--no-tables') && !quick,
    budgetS: 60 * Number(value('--budget-min', quick ? 3 : 20)),
    big: argv.includes('--big'),
    sfRounds: Number(value('--sf-rounds', 2)),
    roundsGiven: argv.includes('--rounds'),
    // A stage with a block of its own in BENCHMARKS.md rewrites that block; the others print a report of their own.
    out: value('--out', quick || (only && !only.every((stage) => stage in BLOCK_STAGES)) ? join(tmpdir(), `lakevault-bench-${only ? only.join('-') : 'quick'}.md`) : join(ROOT, 'docs', 'BENCHMARKS.md')),
  };
}

/** The sections `--only` can run by themselves, and their titles in the log. */
const ONLY_STAGES = { compact: 'table compact (10M rows in 1,000 files)', diff: 'diff vs DuckDB EXCEPT ALL (10M rows, 1 % changed)' };
/** Sections that run alone, on clusters of their own, and rewrite their own block of docs/BENCHMARKS.md. */
const BLOCK_STAGES = {
  offsite: (options) => require('./lib/offsite').runOffsite(options, log),
  'small-files': (options) => runBlockAlone('small-files', options),
  incremental: (options) => runBlockAlone('incremental', options),
};

const t0 = Date.now();
const log = (line) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/**
 * The parts of the full run that write a block of their own in docs/BENCHMARKS.md
 * (`<!-- bench:<name>:begin -->`), written when the part ends; `--only <name>` runs one alone
 * (BLOCK_STAGES).
 */
const BLOCKS = {
  'small-files': {
    heading: 'Tables of many small files',
    sections: ({ client, cluster, options, tag }) => smallFilesBench({ client, lvEnv: lakevaultEnv(cluster), tag, rounds: options.rounds, scalingRounds: options.sfRounds, big: options.big, log }).all(),
  },
  incremental: {
    heading: 'Incremental backup',
    sections: async ({ cluster, options, tag }) => [await incrementalBench({ lvEnv: lakevaultEnv(cluster), tag, rounds: options.rounds, log }).section()],
  },
};

async function runBlock(name, { client, cluster, options, tag, out }) {
  const run = {
    startedAt: new Date(), machine: machine(), loadBefore: loadavg(), loadAfter: loadavg(), cpuBefore: cpuCheck(), cpuAfter: undefined,
    commit: gitCommit(), command: options.only ? ` -- --only ${name}${options.big && name === 'small-files' ? ' --big' : ''}${options.roundsGiven ? ` --rounds ${options.rounds}` : ''}` : '', durationS: 0, sections: [], partial: true,
  };
  const started = Date.now();
  run.sections = await BLOCKS[name].sections({ client, cluster, options, tag });
  run.loadAfter = loadavg();
  run.cpuAfter = cpuCheck();
  run.durationS = (Date.now() - started) / 1000;
  run.partial = false;
  writeBlockReport(out, name, BLOCKS[name].heading, run);
  log(`wrote the ${name} block of ${out}`);
}

/** `--only <name>` of a block: on the benchmark's RGW, that block alone. */
async function runBlockAlone(name, options) {
  buildLakevault(log);
  const cluster = await startCluster({ fresh: options.fresh, log });
  try {
    const client = harnessClient({ ...cluster, concurrency: 64 });
    await runBlock(name, { client, cluster, options, tag: Date.now().toString(36).slice(-5), out: options.out });
  } finally {
    if (cluster.startedHere && !options.keep) stopCluster(log);
  }
}

function gitCommit() {
  try {
    return require('node:child_process').execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const alone = options.only?.find((stage) => stage in BLOCK_STAGES);
  if (alone) return BLOCK_STAGES[alone](options);
  const startedAt = new Date();
  const loadBefore = require('node:os').loadavg();
  buildLakevault(log);
  const cpuBefore = cpuCheck();
  const cluster = await startCluster({ fresh: options.fresh, log });
  try {
    if (!options.only) ensurePeers(log); // --only runs no peer
    const client = harnessClient({ ...cluster, concurrency: 64 });
    const peers = peerSetup(cluster, mkdtempSync(join(tmpdir(), 'lv-bench-peers-')));
    const { copiers, deleters } = contenders(cluster, peers);
    const tag = Date.now().toString(36).slice(-5);
    const results = { options, startedAt, machine: machine(), versions: { ...softwareVersions(), ...versions() }, seeding: [], sections: [], notMeasured: [], profile: undefined, loadBefore, loadAfter: [0, 0, 0], cpuBefore, cpuAfter: undefined, durationS: 0 };

    // The report is rewritten after every section, so an interrupted run still leaves its figures.
    const checkpoint = () => {
      results.durationS = (Date.now() - t0) / 1000;
      results.loadAfter = require('node:os').loadavg();
      writeReport(options.out, { ...results, partial: true });
    };
    const addSection = (section) => {
      results.sections.push(section);
      checkpoint();
    };

    const generic = async (name, body) => {
      log(`${name}`);
      try {
        const section = await body();
        addSection({ kind: 'generic', ...section });
        return section;
      } catch (error) {
        log(`  ${name} not measured: ${error?.message ?? error}`);
        results.notMeasured.push(`${name}: the run failed — ${String(error?.message ?? error).split('\n')[0]}`);
        return undefined;
      }
    };
    const tableContext = { client, lvEnv: lakevaultEnv(cluster), tag, rounds: options.rounds, log };

    if (options.only) {
      const stages = compactDiffBench(tableContext, tableBench(tableContext).tools);
      for (const stage of options.only) await generic(ONLY_STAGES[stage], stages[stage]);
      results.durationS = (Date.now() - t0) / 1000;
      writeStageReport(options.out, results);
      log(`wrote ${options.out} after ${results.durationS.toFixed(0)} s`);
      process.stdout.write(require('node:fs').readFileSync(options.out, 'utf8'));
      return;
    }

    const datasets = options.quick ? [DATASETS.A] : [DATASETS.A, DATASETS.B]; // C is seeded when its turn comes
    const sources = new Map();
    for (const ds of datasets) {
      log(`seeding ${ds.title} under s3://${ds.bucket}/${ds.prefix}`);
      const seeded = await ensureSeeded(client, ds);
      sources.set(ds.id, seeded.listing);
      results.seeding.push({ title: ds.title, seconds: seeded.seconds, reused: seeded.reused });
    }

    const copySection = async (ds, list, rounds) => {
      log(`${ds.title}: ${list.map((c) => c.id).join(', ')} × ${rounds} rounds`);
      const { runs, destinations } = await copyRounds({ client, ds, source: sources.get(ds.id), contenders: list, rounds, tag, log });
      const summaries = new Map(list.map((c) => [c.id, summarize(runs.get(c.id) ?? [], ds.count)]));
      addSection({
        kind: 'copy', ds, rounds,
        contenders: list.map((c) => ({ id: c.id, tool: c.tool, label: c.label, shown: c.shown({ bucket: ds.bucket, prefix: ds.prefix }, { bucket: 'DST', prefix: ds.prefix }), summary: summaries.get(c.id) })),
        ceiling: bestCeiling(summaries),
      });
      return { destinations, summaries };
    };

    // A: everyone, the ceiling at several concurrencies to find its best.
    const A = DATASETS.A;
    const rawSweep = options.quick ? [copiers.raw(64)] : [copiers.raw(32), copiers.raw(64)];
    const aList = options.quick
      ? [copiers.lakevault, copiers.rcloneBest, ...rawSweep]
      : [copiers.lakevault, copiers.rcloneDefault, copiers.rcloneBest, copiers.awsDefault, copiers.aws64, ...rawSweep];
    const a = await copySection(A, aList, options.rounds);
    const bestRaw = bestCeiling(a.summaries)?.id ?? 'raw-64';

    // Delete of A: each deleter removes copies the rounds above made.
    const deleteList = options.quick ? [deleters[0], deleters[2]] : deleters;
    const targets = [...a.destinations.values()].flat();
    log(`delete of A: ${deleteList.map((c) => c.id).join(', ')} × ${options.rounds} rounds`);
    const deleteRuns = await deleteRounds({ client, count: A.count, contenders: deleteList, targets, rounds: options.rounds, log });
    addSection({
      kind: 'delete', ds: A, rounds: options.rounds,
      contenders: deleteList.map((c) => ({ id: c.id, tool: c.tool, label: c.label, shown: c.shown({ bucket: 'DST', prefix: A.prefix }), summary: summarize(deleteRuns.get(c.id) ?? [], A.count) })),
    });

    if (!options.quick) {
      const B = DATASETS.B;
      await copySection(B, [copiers.lakevault, copiers.rcloneDefault, copiers.rcloneBest, copiers.awsDefault, copiers.aws64, copiers.raw(16)], options.rounds);
    }

    if (options.profile) {
      log('profiling one lakevault copy of A (node --cpu-prof)');
      results.profile = await profileLakevaultCopy({ client, cluster, ds: A, tag });
      checkpoint();
    }

    if (options.tables) {
      const tables = tableBench(tableContext);
      await generic('table create', tables.tableCreate);
      const encoding = await generic('encoding stage vs DuckDB', tables.encoding);
      if (encoding) await generic('validate', () => tables.validate(encoding.dirs));
      await generic('backup create', tables.backup);
      results.notMeasured.push('`lakevault backup create` on A and C themselves: a backup copies the files a table manifest lists, and A and C are plain prefixes. It is measured on a 1,000-file table (files of ~20 KiB, like A\'s objects) beside `lakevault copy` of the same prefix: both run the same copy engine (copyObjects).');
      await generic('npm start and drill', tables.endToEnd);
      const stages = compactDiffBench(tableContext, tables.tools);
      for (const stage of Object.keys(ONLY_STAGES)) await generic(ONLY_STAGES[stage], stages[stage]);
      for (const name of Object.keys(BLOCKS)) {
        log(name);
        try {
          await runBlock(name, { client, cluster, options, tag, out: options.out });
        } catch (error) {
          log(`  ${name} not measured: ${error?.message ?? error}`);
          results.notMeasured.push(`${name}: the run failed — ${String(error?.message ?? error).split('\n')[0]}`);
        }
      }
    }


    // C last: it gets the rounds that fit in what is left of the time budget.
    if (!options.quick) {
      const C = DATASETS.C;
      const bestConcurrency = Number(bestRaw.split('-')[1]);
      const plan = planScaling(a.summaries, [copiers.lakevault, copiers.raw(bestConcurrency), copiers.rcloneBest], C.count, options, (Date.now() - t0) / 1000);
      if (plan.note) results.notMeasured.push(plan.note);
      log(`seeding ${C.title} under s3://${C.bucket}/${C.prefix}`);
      const seeded = await ensureSeeded(client, C);
      sources.set(C.id, seeded.listing);
      results.seeding.push({ title: C.title, seconds: seeded.seconds, reused: seeded.reused });
      await copySection(C, plan.contenders, plan.rounds);
    }

    results.loadAfter = require('node:os').loadavg();
    results.cpuAfter = cpuCheck();
    results.durationS = (Date.now() - t0) / 1000;
    writeReport(options.out, results);
    log(`wrote ${options.out} after ${results.durationS.toFixed(0)} s`);
    if (options.quick) process.stdout.write(require('node:fs').readFileSync(options.out, 'utf8'));
  } finally {
    if (cluster.startedHere && !options.keep) stopCluster(log);
  }
}

/**
 * The scaling set C takes minutes per run: it gets the rounds that fit in what is left of
 * the time budget, estimated from each contender's rate on A (plus seeding C). lakevault
 * always runs at least once; what is cut is said in the report.
 */
function planScaling(summariesA, list, count, options, elapsedS) {
  const seedS = count / 250;
  const left = options.budgetS - elapsedS - seedS - 30;
  const estimate = (c) => count / (summariesA.get(c.id)?.objectsPerS?.median ?? summariesA.get('lakevault')?.objectsPerS?.median ?? 200) + 10;
  const perRound = (cs) => cs.reduce((sum, c) => sum + estimate(c), 0);
  for (const cs of [list, list.slice(0, 2), list.slice(0, 1)]) {
    const rounds = Math.min(options.cRounds, Math.floor(left / perRound(cs)));
    if (rounds >= 1) {
      const cut = cs.length < list.length || rounds < options.cRounds;
      return { contenders: cs, rounds, note: cut ? `C (50,000 objects) ran ${cs.map((c) => c.id).join(', ')} × ${rounds} round(s) instead of ${list.map((c) => c.id).join(', ')} × ${options.cRounds}: that is what fitted in the ${options.budgetS / 60}-minute budget at this run's rates on A (about ${Math.round(perRound(list) / 60)} min per full round). \`npm run bench -- --budget-min 90\` runs them all.` : undefined };
    }
  }
  return { contenders: list.slice(0, 1), rounds: 1, note: `C (50,000 objects) ran lakevault once only, past the ${options.budgetS / 60}-minute budget: the peers and the ceiling were not run on C (about ${Math.round(perRound(list) / 60)} min per round at this run's rates on A).` };
}

main().catch((error) => {
  log(`failed: ${error?.stack ?? error}`);
  process.exitCode = 1;
});
