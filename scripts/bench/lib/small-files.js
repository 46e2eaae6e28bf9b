// @ts-check
'use strict';
/**
 * Tables of many small files (what Spark and streaming writers leave): the cost of each file.
 *
 * 1. The 1,000-file table (1,000,000 rows, 1,000 a file): table create, quick and full
 *    validation, a drill (delete-objects) and its recovery beside a server-side copy of the
 *    same files, alternating, `rounds` times.
 * 2. Cost per file from 1,000 to 10,000 files of 100 rows (and 100,000 with --big): backup
 *    create --full, quick and full validation, recover. Each process's fixed cost (start-up,
 *    workers, listing) is measured on a one-file table and shown apart.
 * 3. The store's latency at one request in flight (scripts/bench/get-latency.js): the stall
 *    per request that the rest hides.
 *
 * Every figure is a fresh CLI process, as a user runs it; the load average (1 min) is taken
 * before each run, since the cores are shared with the server and whatever else runs.
 */
const { join } = require('node:path');
const { median } = require('./measure');
const { createBucket } = require('./s3');
const { ROOT } = require('./cluster');
const { NODE, LAKEVAULT, f0, f1, f2, range, shown, lakevaultIn, cliRunner } = require('./cli-run');

/**
 * @param {{ client: any, lvEnv: NodeJS.ProcessEnv, tag: string, rounds: number, scalingRounds: number, big: boolean, log: (l: string) => void }} ctx
 */
function smallFilesBench(ctx) {
  const { client, lvEnv, tag, log } = ctx;
  const lake = `bench-${tag}-sf`;
  const lv = lakevaultIn(lake);
  const run = cliRunner(lvEnv, log);

  /** The 1,000-file table: the issue's goals, judged on medians of `rounds` alternating rounds. */
  async function thousandFiles() {
    const table = 'sf1k';
    const runs = { create: [], quick: [], full: [], drill: [], recover: [], copy: [] };
    const argv = {
      create: lv(['table', 'create', table, '--rows', '1000000', '--rows-per-file', '1000', '--overwrite']),
      quick: lv(['validate', table, '--level', 'quick']),
      full: lv(['validate', table, '--level', 'full']),
      drill: lv(['drill', table, '--disaster', 'delete-objects']),
    };
    let recoverArgv = [];
    let copyArgv = [];
    for (let round = 1; round <= ctx.rounds; round++) {
      runs.create.push(await run('table create 1,000 files', argv.create));
      runs.quick.push(await run('validate quick, 1,000 files', argv.quick));
      runs.full.push(await run('validate full, 1,000 files', argv.full));
      const drill = await run('drill delete-objects, 1,000 files', argv.drill);
      if (drill.json?.status !== 'SUCCESS') throw new Error(`the drill did not succeed: ${drill.json?.status}`);
      runs.drill.push(drill);
      // recover to the drill's checkpoint, and a server-side copy of the same files, in turn.
      recoverArgv = lv(['recover', table, '--checkpoint', drill.json.checkpoint_id]);
      const dst = `${lake}-copy-r${round}`;
      await createBucket(client, dst);
      copyArgv = [NODE, LAKEVAULT, '--json', 'copy', `${drill.json.checkpoint_location}data/`, `s3://${dst}/data/`];
      const pair = [['recover', recoverArgv, 'recover to that checkpoint'], ['copy', copyArgv, 'copy of the checkpoint\'s files']];
      for (const [what, command, label] of round % 2 ? pair : pair.reverse()) runs[what].push(await run(label, command));
    }
    const wall = (list) => list.map((r) => r.wallS);
    const rss = (list) => Math.max(...list.map((r) => r.peakRssMB));
    const loads = (list) => range(list.map((r) => r.load), f1);
    const row = (what, list, extra = '') => [what, range(wall(list)), f2(median(list.map((r) => r.cpuS))), f2(median(list.map((r) => r.serverS))), f0(rss(list)), loads(list), extra];
    const rto = runs.drill.map((r) => r.json.rto_ms / 1000);
    const fullAfter = runs.drill.map((r) => r.json.full_validation_ms / 1000);
    const requestsPerFile = median(runs.full.map((r) => r.json.requests / r.json.totals.files));
    const fullOverQuick = runs.full.map((r, i) => r.wallS / runs.quick[i].wallS);
    const recoverOverCopy = runs.recover.map((r, i) => r.wallS / runs.copy[i].wallS);
    const rows = [
      row('`table create` (1,000,000 rows, 1,000 a file)', runs.create),
      row('`validate --level quick`', runs.quick),
      row('`validate --level full`', runs.full, `${f2(requestsPerFile)} requests per file; ${range(fullOverQuick)}× quick's time`),
      row('`drill --disaster delete-objects` (whole process)', runs.drill, `rto_ms ${range(rto)} s (with a quick validation: ${range(runs.drill.map((r) => r.json.validation_ms / 1000))} s); then full validation ${range(fullAfter)} s`),
      row('`recover --checkpoint` (the drill\'s checkpoint)', runs.recover, `${range(recoverOverCopy)}× the copy's time`),
      row('`copy` of the checkpoint\'s 1,000 files (server-side)', runs.copy),
    ];
    const goals = [
      { goal: 'full validation of the 1,000-file table ≤ 3 s on RGW', measured: `${f2(median(wall(runs.full)))} s`, met: median(wall(runs.full)) <= 3 },
      { goal: 'full validation of the 1,000-file table: peak RSS ≤ 400 MB', measured: `${f0(rss(runs.full))} MB`, met: rss(runs.full) <= 400 },
      { goal: 'full validation reads each small file in one request (regression guard)', measured: `${f2(requestsPerFile)} requests per file`, met: requestsPerFile === 1 },
      { goal: 'drill of the 1,000-file table: RTO ≤ 5 s (RTO includes a quick validation; the full one follows)', measured: `${f2(median(rto))} s`, met: median(rto) <= 5 },
      { goal: '`recover` ≤ 1.5× a server-side copy of the same files', measured: `${f2(median(recoverOverCopy))}×`, met: median(recoverOverCopy) <= 1.5 },
      { goal: '`table create` of 1,000 files ≤ 3 s', measured: `${f2(median(wall(runs.create)))} s`, met: median(wall(runs.create)) <= 3 },
    ];
    return {
      section: {
        title: 'Tables of many small files: the 1,000-file table (RGW)',
        header: ['what', 'wall s, median (min–max)', 'client CPU s', 'server CPU s', 'peak RSS MB', 'load average (1 min) before', 'notes'],
        rows, goals,
        commands: [...Object.values(argv).map(shown), `${shown(recoverArgv)}   # the last round's drill checkpoint`, `${shown(copyArgv)}   # into a fresh bucket each round`],
        note: `${ctx.rounds} rounds, each: create, quick, full, drill, then recover and copy in turn (alternating which goes first). Server CPU is radosgw + OSD + monitor during the run. The drill's rto_ms is the time until the data is back, with a quick validation (rto_validation_level); its full validation of checkpoint and table (2,000 files) runs after.`,
      },
      full: runs.full,
    };
  }

  /** Cost per file, N files of 100 rows: fixed cost apart (the same command on a one-file table). */
  async function scaling(thousand) {
    const counts = ctx.big ? [1, 1000, 10000, 100000] : [1, 1000, 10000];
    const ops = ['backup', 'quick', 'full', 'recover'];
    /** @type {Record<string, Record<number, any[]>>} */
    const runs = Object.fromEntries(ops.map((op) => [op, Object.fromEntries(counts.map((n) => [n, []]))]));
    const checkpoints = {};
    const commands = [];
    for (const n of counts) {
      const table = `sfs${n}`;
      const create = lv(['table', 'create', table, '--rows', String(n * 100), '--rows-per-file', '100', '--overwrite']);
      await run(`table create ${f0(n)} files of 100 rows`, create);
      const checkpoint = await run(`checkpoint create ${f0(n)} files`, lv(['checkpoint', 'create', table]));
      checkpoints[n] = checkpoint.json.id;
      if (n === 10000) commands.push(shown(create), shown(lv(['checkpoint', 'create', table])));
    }
    const argvOf = (op, n) => ({
      backup: lv(['backup', 'create', `sfs${n}`, '--full']),
      quick: lv(['validate', `sfs${n}`, '--level', 'quick']),
      full: lv(['validate', `sfs${n}`, '--level', 'full']),
      recover: lv(['recover', `sfs${n}`, '--checkpoint', checkpoints[n]]),
    })[op];
    for (let round = 1; round <= ctx.scalingRounds; round++) {
      for (const n of counts) {
        if (n === 100000 && round > 1) continue; // one round of the biggest point: it takes long
        for (const op of ops) runs[op][n].push(await run(`${op} ${f0(n)} files`, argvOf(op, n)));
      }
    }
    for (const op of ops) commands.push(shown(argvOf(op, 10000)));
    const rows = [];
    const goals = [];
    for (const op of ops) {
      const fixed = median(runs[op][1].map((r) => r.wallS));
      const perFile = {};
      for (const n of counts.filter((c) => c > 1)) {
        const list = runs[op][n];
        const wall = median(list.map((r) => r.wallS));
        perFile[n] = { raw: (1000 * wall) / n, marginal: (1000 * (wall - fixed)) / (n - 1), rss: Math.max(...list.map((r) => r.peakRssMB)) };
        rows.push([op === 'backup' ? '`backup create --full`' : op === 'recover' ? '`recover --checkpoint`' : `\`validate --level ${op}\``, f0(n), `${range(list.map((r) => r.wallS))}`, f2(perFile[n].raw), f2(perFile[n].marginal), f2(median(list.map((r) => r.cpuS))), f0(perFile[n].rss), range(list.map((r) => r.load), f1), String(list.length)]);
        goals.push({ goal: `${op} of ${f0(n)} files: peak RSS ≤ 400 MB`, measured: `${f0(perFile[n].rss)} MB`, met: perFile[n].rss <= 400 });
      }
      rows.push([`(${op} of a one-file table: the fixed cost)`, '1', range(runs[op][1].map((r) => r.wallS)), '', '', f2(median(runs[op][1].map((r) => r.cpuS))), f0(Math.max(...runs[op][1].map((r) => r.peakRssMB))), range(runs[op][1].map((r) => r.load), f1), String(runs[op][1].length)]);
      for (const n of counts.filter((c) => c > 1000)) {
        const ratio = perFile[n].marginal / perFile[1000].marginal;
        goals.push({ goal: `${op}: cost per file flat from 1,000 to ${f0(n)} files (±20 %, fixed cost apart)`, measured: `${f2(perFile[1000].marginal)} → ${f2(perFile[n].marginal)} ms per file (${f2(ratio)}×; whole process ${f2(perFile[1000].raw)} → ${f2(perFile[n].raw)})`, met: ratio >= 0.8 && ratio <= 1.2 });
      }
    }
    // The issue's 10,000-file point: files of 100 rows at the cost per file of the 1,000-row files.
    const tenK = median(runs.full[10000].map((r) => r.wallS)) / 10;
    const oneK = median(thousand.full.map((r) => r.wallS));
    goals.push({ goal: 'full validation: 10,000 files of 100 rows at the cost per file of 1,000 files of 1,000 rows (±20 %)', measured: `${f2(tenK)} vs ${f2(oneK)} ms per file (${f2(tenK / oneK)}×, whole process)`, met: tenK / oneK >= 0.8 && tenK / oneK <= 1.2 });
    return {
      title: `Tables of many small files: cost per file from 1,000 to ${f0(counts[counts.length - 1])} files (RGW)`,
      header: ['what', 'files', 'wall s, median (min–max)', 'wall ms per file', 'ms per file, fixed cost apart', 'client CPU s', 'peak RSS MB', 'load average (1 min) before', 'runs'],
      rows, goals, commands,
      note: `Files of 100 rows (about 3 KB). ${ctx.scalingRounds} round(s)${ctx.big ? ', the 100,000-file point once' : ''}, each running every size in turn. "Fixed cost apart" = (wall − the same command's wall on a one-file table) ÷ (files − 1): start-up, decode workers, the manifest and listing pages are paid once per process. Goals judge that figure; the whole-process figure is beside it.${ctx.big ? '' : ' The 100,000-file point runs with `--big`.'}`,
    };
  }

  /** One request at a time on this store: the stall that requests in flight hide. */
  async function latency() {
    const argv = [NODE, join(ROOT, 'scripts', 'bench', 'get-latency.js'), `s3://${lake}/wh/sf1k/data/`, '100'];
    const r = await run('ranged GET, one at a time (100)', argv);
    return {
      title: 'The store\'s latency, one request at a time (RGW)',
      header: ['what', 'p50 ms', 'p90 ms', 'mean ms', 'load average (1 min) before'],
      rows: [['ranged GET of a small file\'s last 64 KiB (its whole ~18 KB), keep-alive, 1 in flight', f2(r.json.p50Ms), f2(r.json.p90Ms), f2(r.json.meanMs), f1(r.load)]],
      goals: [],
      commands: [shown(argv)],
      note: 'Ceph RGW\'s beast frontend leaves Nagle\'s algorithm on (its `tcp_nodelay` option is off by default): it writes a small answer\'s head and body apart and holds the body until the client acknowledges the head, which Linux delays by ~40 ms on a keep-alive connection. A client cannot change that; it keeps many requests in flight instead (see the docs above the generated block).',
    };
  }

  async function all() {
    const thousand = await thousandFiles();
    const probe = await latency();
    const scale = await scaling(thousand);
    return [thousand.section, probe, scale];
  }

  return { all };
}

module.exports = { smallFilesBench };
