// @ts-check
'use strict';
/**
 * The compaction and change-capture sections: `table compact` of 10M rows in 1,000 files,
 * and `lakevault diff` of two 10M-row tables with 1 % of the rows changed beside DuckDB's
 * EXCEPT ALL over local copies of the same two snapshots. Generic sections, as tables.js makes.
 */
const { join } = require('node:path');
const { createBucket } = require('./s3');
const { spread, median } = require('./measure');

const NODE = process.execPath;
const BENCH = join(__dirname, '..');
const f0 = (n) => Math.round(n).toLocaleString('en');
const f2 = (n) => n.toFixed(2);

/**
 * @param {{ client: any, lvEnv: NodeJS.ProcessEnv, tag: string, rounds: number, log: (l: string) => void, rows?: number }} ctx
 * @param {ReturnType<typeof import('./tables').tableBench>['tools']} tools
 */
function compactDiffBench(ctx, tools) {
  const { run, download, rgw, shown, warehouse } = tools;
  const rows = ctx.rows ?? 10_000_000;
  const M = `${rows / 1e6}M`;
  const lvEnvWarehouse = { ...ctx.lvEnv, LAKEVAULT_WAREHOUSE: warehouse };

  async function compact() {
    const table = `small${M}`;
    const create = rgw(['table', 'create', table, '--rows', String(rows), '--rows-per-file', String(rows / 1000), '--row-group-rows', String(rows / 1000), '--overwrite']);
    const compactArgv = rgw(['table', 'compact', table]);
    const runs = [];
    for (let round = 1; round <= ctx.rounds; round++) {
      const created = await run(`table create ${M} in 1,000 files`, create, ctx.lvEnv);
      const r = await run(`table compact ${M}, 1,000 files`, compactArgv, ctx.lvEnv);
      const j = r.json;
      if (!j?.compacted || j.after.files !== Math.ceil(rows / 1_000_000) || j.after.rows !== rows || !j.contentDigest.verified || j.contentDigest.after !== created.json.contentDigest) {
        throw new Error(`table compact did not give ${Math.ceil(rows / 1_000_000)} files of the same content: ${JSON.stringify(j).slice(0, 300)}`);
      }
      runs.push(r);
    }
    const rate = spread(runs.map((r) => rows / r.wallS));
    const rss = Math.max(...runs.map((r) => r.peakRssMB));
    return {
      title: `Table compact: ${M} rows in 1,000 files → ${Math.ceil(rows / 1_000_000)} files (RGW)`,
      header: ['what', 'rows/s, median (min–max)', 'wall s', 'client CPU s', 'peak RSS MB', 'runs'],
      rows: [[`lakevault table compact (1,000 → ${Math.ceil(rows / 1_000_000)} files, read back and checked before the switch)`, `${f0(rate.median)} (${f0(rate.min)}–${f0(rate.max)})`, f2(median(runs.map((r) => r.wallS))), f2(median(runs.map((r) => r.cpuS))), f0(rss), String(runs.length)]],
      goals: [{ goal: `table compact of ${M} rows in 1,000 files: peak RSS ≤ 600 MB`, measured: `${f0(rss)} MB`, met: rss <= 600 }],
      commands: [shown(create), shown(compactArgv)],
      note: 'Each round compacts a freshly created table (the create is not in the figures). The compaction reads every file (a reader worker, one file ahead), writes 1M-row files (zstd, 262,144-row groups, digests in the footer; one encode worker), reads them back at the full validation level, checks the content digest against the manifest\'s, then switches the manifest and deletes the 1,000 old files. Peak RSS is the lakevault process with its worker threads.',
    };
  }

  async function diff() {
    const a = `d${M}`;
    const b = `d${M}-1pct`;
    const changed = rows / 100;
    await run(`table create ${a}`, rgw(['table', 'create', a, '--rows', String(rows), '--overwrite']), ctx.lvEnv);
    const makeB = [NODE, join(BENCH, 'changed-table.js'), b, String(rows), '100'];
    await run(`write ${b} (1 % of totals changed)`, makeB, lvEnvWarehouse);
    const dirs = { a: join(require('node:os').tmpdir(), `lv-bench-diff-${ctx.tag}-a`), b: join(require('node:os').tmpdir(), `lv-bench-diff-${ctx.tag}-b`) };
    await download(a, dirs.a);
    await download(b, dirs.b);
    const changesBucket = `bench-${ctx.tag}-changes`;
    await createBucket(ctx.client, changesBucket);

    const expect = (label, r) => {
      if (r.json?.rows?.added !== changed || r.json?.rows?.removed !== changed) throw new Error(`${label}: ${JSON.stringify(r.json?.rows)} (expected ${changed} added and removed)`);
      return r;
    };
    const results = { plain: [], out: [], duck: [] };
    const diffArgv = rgw(['diff', a, b]);
    let outArgv = [];
    for (let round = 1; round <= ctx.rounds; round++) {
      results.plain.push(expect('diff', await run(`diff ${M} vs 1 % changed`, diffArgv, ctx.lvEnv)));
      outArgv = rgw(['diff', a, b, '--out', `s3://${changesBucket}/r${round}/`]);
      results.out.push(expect('diff --out', await run(`diff ${M} --out`, outArgv, ctx.lvEnv)));
      const d = await run(`DuckDB EXCEPT ALL ${M}`, [NODE, join(BENCH, 'duckdb.js'), 'except', dirs.a, dirs.b], ctx.lvEnv);
      if (d.json?.removed !== changed || d.json?.added !== changed) throw new Error(`DuckDB EXCEPT ALL counted ${JSON.stringify(d.json)}, expected ${changed} each way`);
      results.duck.push(d);
    }
    const spillArgv = rgw(['diff', a, b, '--memory-mb', '32']);
    const spilled = expect('diff --memory-mb 32', await run(`diff ${M} --memory-mb 32`, spillArgv, ctx.lvEnv));
    if (!(spilled.json.memory.spilledBytes > 0)) throw new Error('diff --memory-mb 32 did not spill');

    const both = 2 * rows;
    const row = (label, list, seconds = (r) => r.wallS) => {
      const rate = spread(list.map((r) => both / seconds(r)));
      return [label, `${f0(rate.median)} (${f0(rate.min)}–${f0(rate.max)})`, f2(median(list.map(seconds))), f0(Math.max(...list.map((r) => r.peakRssMB))), String(list.length)];
    };
    const duckRate = median(results.duck.map((r) => both / r.json.seconds));
    const lvRate = median(results.plain.map((r) => both / r.wallS));
    const rss = Math.max(...[...results.plain, ...results.out, spilled].map((r) => r.peakRssMB));
    return {
      title: `Diff: two ${M}-row tables, 1 % of the rows changed (${f0(changed)} added, ${f0(changed)} removed)`,
      header: ['what', 'rows/s (both sides), median (min–max)', 'seconds (median)', 'peak RSS MB', 'runs'],
      rows: [
        row('lakevault diff (RGW, whole process)', results.plain),
        row('lakevault diff --out (changes written as Parquet)', results.out),
        row(`lakevault diff --memory-mb 32 (${f0(spilled.json.memory.spilledBytes / 1048576)} MiB spilled in ${spilled.json.memory.partitions} hash partitions)`, [spilled]),
        row('DuckDB EXCEPT ALL both ways, local copies (query time)', results.duck, (r) => r.json.seconds),
      ],
      goals: [
        { goal: `diff of ${M}-row tables with 1 % changed: peak RSS ≤ 600 MB`, measured: `${f0(rss)} MB`, met: rss <= 600 },
        { goal: `diff rows/s beside DuckDB's EXCEPT ALL over the same two snapshots (reported, no target set)`, measured: `${f0(lvRate)} vs ${f0(duckRate)} rows/s (${(lvRate / duckRate).toFixed(2)}×)`, met: undefined },
      ],
      commands: [shown(diffArgv), shown(outArgv), shown(spillArgv), `node scripts/bench/changed-table.js ${b} ${rows} 100   # table b: table a's rows, every 100th total + 1`, 'node scripts/bench/duckdb.js except DIR_A DIR_B   # SELECT count(*) FROM (a EXCEPT ALL b), then (b EXCEPT ALL a), timed inside the process'],
      note: `${ctx.rounds} alternating rounds. Every file of both tables differs (the changed rows are spread over all of them), so lakevault reads all ${f0(both)} rows: per-row digests in two worker threads, hash-partitioned, compared partition by partition as bags; --out reads the files again to pick the changed rows out. lakevault's times are the whole process (start, manifests, reads over HTTP from RGW); DuckDB's are its two queries alone on local copies of the same Parquet files (no httpfs offline), with both cores. Both agree on the counts in every round.`,
    };
  }

  return { compact, diff };
}

module.exports = { compactDiffBench };
