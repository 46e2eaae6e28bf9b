// @ts-check
'use strict';
/**
 * The table sections: table create (embedded and RGW), the Parquet encoding stage beside
 * DuckDB's COPY, validation beside DuckDB's count + sum, backup create beside copy, the
 * seed's flow end to end (`npm start`) and a drill's RTO. Each returns a generic section
 * (a table of rows plus the goals it judges) for the report.
 */
const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { GetObjectCommand } = require('@aws-sdk/client-s3');
const { measure, spread, median } = require('./measure');
const { listAll, createBucket } = require('./s3');
const { ROOT } = require('./cluster');

const NODE = process.execPath;
const LAKEVAULT = join(ROOT, 'bin', 'lakevault.js');
const BENCH = join(__dirname, '..');
const f0 = (n) => Math.round(n).toLocaleString('en');
const f2 = (n) => n.toFixed(2);
const M = (rows) => (rows >= 1e6 ? `${rows / 1e6}M` : `${rows / 1e3}k`);

/**
 * @param {{ client: any, lvEnv: NodeJS.ProcessEnv, tag: string, rounds: number, log: (l: string) => void }} ctx
 */
function tableBench(ctx) {
  const { client, lvEnv, tag, log } = ctx;
  const [small, big] = ctx.sizes ?? [1_000_000, 10_000_000];
  const filesTable = ctx.filesTable ?? { files: 1000, rowsPerFile: 1000 };
  const warehouse = `s3://bench-${tag}-tables/wh`;
  const places = ['--warehouse', warehouse, '--backups', `s3://bench-${tag}-backups`, '--checkpoints', `s3://bench-${tag}-cp`];
  const rgw = (args) => [NODE, LAKEVAULT, '--json', ...places, ...args];
  const embeddedEnv = (home) => {
    const env = { ...lvEnv, LAKEVAULT_HOME: home };
    delete env.S3_ENDPOINT;
    return env;
  };
  const shown = (argv) => argv.map((a) => (a === NODE ? 'node' : a.startsWith(ROOT) ? a.slice(ROOT.length + 1) : a)).join(' ');

  /** Runs, checks exit 0, parses the JSON document on stdout. */
  async function run(label, argv, env) {
    const m = await measure(argv, { env });
    if (m.code !== 0) throw new Error(`${label} failed (exit ${m.code}): ${(m.stderr || m.stdout).trim().split('\n').slice(-2).join(' | ')}`);
    let json;
    try { json = JSON.parse(m.stdout); } catch { json = undefined; }
    log(`  ${label.padEnd(40)} ${m.wallS.toFixed(2).padStart(7)} s  cpu ${m.cpuS.toFixed(2)} s  rss ${m.peakRssMB.toFixed(0)} MB`);
    return { ...m, json };
  }

  /** Downloads a table's data files to a local directory (for DuckDB; not timed). */
  async function download(table, dir) {
    mkdirSync(dir, { recursive: true });
    const prefix = `wh/${table}/data/`;
    for (const key of (await listAll(client, `bench-${tag}-tables`, prefix)).keys()) {
      const out = await client.send(new GetObjectCommand({ Bucket: `bench-${tag}-tables`, Key: prefix + key }));
      writeFileSync(join(dir, key), await out.Body.transformToByteArray());
    }
  }

  async function tableCreate() {
    const rows = [];
    const goals = [];
    const commands = [];
    for (const [count, rounds] of [[small, ctx.rounds], [big, 1]]) {
      const runs = { rgw: [], embedded: [] };
      for (let round = 1; round <= rounds; round++) {
        const argvR = rgw(['table', 'create', `t${M(count)}`, '--rows', String(count), '--overwrite']);
        runs.rgw.push(await run(`table create ${M(count)} on RGW`, argvR, lvEnv));
        const home = mkdtempSync(join(tmpdir(), 'lv-bench-home-'));
        const argvE = [NODE, LAKEVAULT, '--json', 'table', 'create', `t${M(count)}`, '--rows', String(count)];
        try {
          runs.embedded.push(await run(`table create ${M(count)} embedded`, argvE, embeddedEnv(home)));
        } finally {
          rmSync(home, { recursive: true, force: true });
        }
        if (round === 1) commands.push(shown(argvR), `LAKEVAULT_HOME=$(mktemp -d) ${shown(argvE)}`);
      }
      for (const [server, list] of Object.entries(runs)) {
        const rate = spread(list.map((r) => count / r.wallS));
        const rss = Math.max(...list.map((r) => r.peakRssMB));
        rows.push([server === 'rgw' ? 'Ceph RGW' : 'embedded', f0(count), `${f0(rate.median)} (${f0(rate.min)}–${f0(rate.max)})`, f2(median(list.map((r) => r.wallS))), f2(median(list.map((r) => r.cpuS))), f0(rss), String(list.length)]);
        if (count === big) goals.push({ goal: `table create ${M(big)} rows under 1 GiB RSS (${server})`, measured: `${f0(rss)} MB`, met: rss < 1024 });
      }
    }
    return {
      title: 'Table create (generated sales rows → zstd Parquet with digests → upload → manifest)',
      header: ['server', 'rows', 'rows/s, median (min–max)', 'wall s', 'client CPU s', 'peak RSS MB', 'runs'],
      rows, goals, commands,
      note: 'Peak RSS is the lakevault process (the embedded server runs as a child process of its own).',
    };
  }

  async function encoding() {
    const rows = [];
    const goals = [];
    const dirs = {};
    const warmups = [];
    for (const count of [small, big]) {
      dirs[count] = join(tmpdir(), `lv-bench-local-${tag}-${M(count)}`);
      await download(`t${M(count)}`, dirs[count]);
    }
    for (const [count, rounds] of [[small, ctx.rounds], [big, 1]]) {
      const lv = [];
      const duck = [];
      let threads = 1;
      for (let round = 1; round <= rounds; round++) {
        const encoded = (await run(`encode ${M(count)} lakevault`, [NODE, join(BENCH, 'encode-only.js'), String(count)], lvEnv)).json;
        lv.push(encoded.encodeS);
        threads = Math.max(1, encoded.workers);
        warmups.push(encoded.warmupS);
        const d = (await run(`encode ${M(count)} DuckDB COPY`, [NODE, join(BENCH, 'duckdb.js'), 'copy', dirs[count]], lvEnv)).json;
        if (d.rows !== count) throw new Error(`DuckDB loaded ${d.rows} rows, expected ${count}`);
        duck.push(d.seconds);
      }
      const ratio = median(lv) / median(duck);
      rows.push([f0(count), `${f2(median(lv))} (${f2(Math.min(...lv))}–${f2(Math.max(...lv))})`, String(threads), `${f2(median(duck))} (${f2(Math.min(...duck))}–${f2(Math.max(...duck))})`, `${ratio.toFixed(2)}×`, String(rounds)]);
      goals.push({ goal: `encoding ${M(count)} rows within 2× DuckDB's COPY`, measured: `${ratio.toFixed(2)}× DuckDB's time`, met: ratio <= 2 });
    }
    return {
      title: 'Parquet encoding stage alone: lakevault vs DuckDB COPY … TO \'file.parquet\'',
      header: ['rows', 'lakevault encode s (min–max)', 'lakevault encoding threads', 'DuckDB COPY s (min–max)', 'lakevault ÷ DuckDB', 'rounds'],
      rows, goals, dirs,
      commands: ['node scripts/bench/encode-only.js ROWS   # the encoder `table create` uses (worker threads for several files of enough rows, else this thread) started; a 1,000-row warm-up encode (not timed: WebAssembly is compiled on first call); generateSalesBatch per 1M-row file (not timed); every file encoded, as many at once as the encoder has threads (timed: zstd, 262,144-row groups, per-row-group digests)', 'node scripts/bench/duckdb.js copy DIR   # rows of the same table (local copy) loaded first; COPY t TO \'out.parquet\' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 262144) timed'],
      note: `Same rows (DuckDB reads lakevault's files, then writes them again). lakevault's encode includes its content digests; DuckDB uses both cores, for one file too; lakevault encodes one file on one thread, several files on worker threads at once (one per core). Not in lakevault's times: its warm-up encode of 1,000 rows, median ${f2(median(warmups))} s (compiling the WebAssembly writer on first use), which every \`table create\` pays once; the encode workers start while the rows are generated, as in \`table create\`.`,
    };
  }

  async function validate(dirs) {
    const rows = [];
    const goals = [];
    const commands = [];
    for (const count of [small, big]) {
      const results = { quick: [], full: [], duck: [] };
      for (let round = 1; round <= ctx.rounds; round++) {
        for (const level of ['quick', 'full']) {
          const argv = rgw(['validate', `t${M(count)}`, '--level', level]);
          const r = await run(`validate ${level} ${M(count)}`, argv, lvEnv);
          if (r.json?.ok !== true) throw new Error(`validate ${level} of t${M(count)} did not pass`);
          results[level].push(r);
          if (round === 1 && count === small) commands.push(shown(argv));
        }
        const d = await run(`DuckDB count+sum ${M(count)}`, [NODE, join(BENCH, 'duckdb.js'), 'count', dirs[count]], lvEnv);
        if (d.json.rows !== count) throw new Error(`DuckDB counted ${d.json.rows} rows, expected ${count}`);
        results.duck.push(d);
      }
      for (const [what, list] of Object.entries(results)) {
        const seconds = what === 'duck' ? list.map((r) => r.json.seconds) : list.map((r) => r.wallS);
        const rate = spread(seconds.map((s) => count / s));
        const rss = Math.max(...list.map((r) => r.peakRssMB));
        rows.push([what === 'duck' ? 'DuckDB count + sum(total), local files' : `lakevault validate --level ${what}`, f0(count), `${f0(rate.median)} (${f0(rate.min)}–${f0(rate.max)})`, f2(median(seconds)), f0(rss)]);
        // Judged on the big table, as the issue states it: on 1M rows the process's own start
        // (Node, modules, two decode workers compiling parquet-wasm: ~0.5 s) dominates.
        if (what === 'full' && count === big) {
          goals.push({ goal: `full validation ≥ 2,500,000 rows/s (${M(big)} rows, whole process)`, measured: `${f0(rate.median)} rows/s`, met: rate.median >= 2_500_000 });
          goals.push({ goal: `full validation of ${M(big)} rows: peak RSS ≤ 400 MB`, measured: `${f0(rss)} MB`, met: rss <= 400 });
        }
      }
    }
    commands.push('node scripts/bench/duckdb.js count DIR   # SELECT count(*), sum(total) FROM read_parquet(\'DIR/*.parquet\'), timed inside the process');
    // Quick validation of a 1,000-file table (1,000 rows a file): the per-file cost.
    const fileRows = filesTable.files * filesTable.rowsPerFile;
    const create = rgw(['table', 'create', 'files1k', '--rows', String(fileRows), '--rows-per-file', String(filesTable.rowsPerFile), '--overwrite']);
    await run('table create 1,000 files', create, lvEnv);
    const quick = [];
    for (let round = 1; round <= ctx.rounds; round++) quick.push(await run('validate quick 1,000 files', rgw(['validate', 'files1k', '--level', 'quick']), lvEnv));
    const wall = spread(quick.map((r) => r.wallS));
    rows.push([`lakevault validate --level quick, ${f0(filesTable.files)}-file table`, f0(fileRows), `${f0(fileRows / wall.median)}`, `${f2(wall.median)} (${f2(wall.min)}–${f2(wall.max)})`, f0(Math.max(...quick.map((r) => r.peakRssMB)))]);
    goals.push({ goal: `quick validation of a ${f0(filesTable.files)}-file table ≤ 5 s on RGW`, measured: `${f2(wall.median)} s`, met: wall.median <= 5 });
    commands.push(shown(create), shown(rgw(['validate', 'files1k', '--level', 'quick'])));
    return {
      title: 'Validate (RGW) beside DuckDB count + sum',
      header: ['what', 'rows', 'rows/s, median (min–max)', 'seconds (median)', 'peak RSS MB'],
      rows, goals, commands,
      note: `${ctx.rounds} alternating rounds. lakevault times are the whole process (start, listing, reads over HTTP, decode, digests); DuckDB's are its query alone on local copies (no httpfs offline).`,
    };
  }

  /** backup create of the 1,000-file table vs lakevault copy of the same prefix, alternating. */
  async function backup() {
    const results = { backup: [], copy: [] };
    const src = `${warehouse}/files1k/`;
    let backupArgv = [];
    let copyArgv = [];
    for (let round = 1; round <= ctx.rounds; round++) {
      backupArgv = rgw(['backup', 'create', 'files1k', '--full']);
      const b = await run('backup create 1,000 files', backupArgv, lvEnv);
      results.backup.push(b);
      const dst = `bench-${tag}-bcopy-r${round}`;
      await createBucket(client, dst);
      copyArgv = [NODE, LAKEVAULT, 'copy', src, `s3://${dst}/files1k/`];
      results.copy.push(await run('copy of the same 1,000 files', copyArgv, lvEnv));
    }
    const row = (label, list) => {
      const rate = spread(list.map((r) => filesTable.files / r.wallS));
      return [label, `${f0(rate.median)} (${f0(rate.min)}–${f0(rate.max)})`, f2(median(list.map((r) => r.wallS))), f2(median(list.map((r) => r.cpuS))), f0(Math.max(...list.map((r) => r.peakRssMB)))];
    };
    return {
      title: `Backup create of a ${f0(filesTable.files)}-file table vs copy of its prefix`,
      header: ['what', 'files/s, median (min–max)', 'wall s', 'client CPU s', 'peak RSS MB'],
      rows: [row('lakevault backup create --full', results.backup), row('lakevault copy (the same prefix)', results.copy)],
      goals: [], commands: [shown(backupArgv), shown(copyArgv)],
      note: `${ctx.rounds} alternating rounds. A backup is the copy engine plus its manifest, pending marker and a quick validation of what it wrote.`,
    };
  }

  async function endToEnd() {
    const flows = [];
    let argv = [];
    for (let round = 1; round <= ctx.rounds; round++) {
      const home = mkdtempSync(join(tmpdir(), 'lv-bench-flow-'));
      argv = [NODE, LAKEVAULT, 'flow'];
      try {
        flows.push(await run('npm start (flow, embedded)', argv, embeddedEnv(home)));
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
    await run('table create 50k for the drill', rgw(['table', 'create', 't50k', '--rows', '50000', '--overwrite']), lvEnv);
    const drills = [];
    const drillArgv = rgw(['drill', 't50k']);
    for (let round = 1; round <= ctx.rounds; round++) {
      const r = await run('drill t50k (RGW)', drillArgv, lvEnv);
      if (r.json?.status !== 'SUCCESS') throw new Error(`drill did not succeed: ${r.json?.status}`);
      drills.push(r);
    }
    const flow = spread(flows.map((r) => r.wallS));
    const rto = spread(drills.map((r) => r.json.rto_ms / 1000));
    return {
      title: 'End to end: the seed\'s flow (`npm start`) and a drill\'s RTO',
      header: ['what', 'seconds, median (min–max)', 'client CPU s', 'peak RSS MB'],
      rows: [
        ['`npm start` (node bin/lakevault.js flow), embedded, 50,000 rows', `${f2(flow.median)} (${f2(flow.min)}–${f2(flow.max)})`, f2(median(flows.map((r) => r.cpuS))), f0(Math.max(...flows.map((r) => r.peakRssMB)))],
        ['drill RTO (rto_ms of `lakevault drill`), 50,000 rows, RGW', `${f2(rto.median)} (${f2(rto.min)}–${f2(rto.max)})`, f2(median(drills.map((r) => r.cpuS))), f0(Math.max(...drills.map((r) => r.peakRssMB)))],
      ],
      goals: [
        { goal: '`npm start` ≤ 10 s on the embedded store', measured: `${f2(flow.median)} s`, met: flow.median <= 10 },
        { goal: 'RTO of the 50,000-row drill ≤ 1 s on RGW', measured: `${f2(rto.median)} s`, met: rto.median <= 1 },
      ],
      commands: [`LAKEVAULT_HOME=$(mktemp -d) ${shown(argv)}`, shown(drillArgv)],
      note: `${ctx.rounds} rounds each; npm start in a fresh LAKEVAULT_HOME each time (its embedded server starts inside the measured time).`,
    };
  }

  return { tableCreate, encoding, validate, backup, endToEnd, tools: { run, download, rgw, shown, warehouse } };
}

module.exports = { tableBench };
