#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * DuckDB (@duckdb/node-api) beside lakevault, on local copies of a table's Parquet files:
 *
 *   node scripts/bench/duckdb.js copy  DIR   rows loaded into memory (not timed), then
 *                                            COPY ... TO 'file.parquet' (zstd) timed
 *   node scripts/bench/duckdb.js count DIR   SELECT count(*), sum(total) timed
 *   node scripts/bench/duckdb.js except A B  rows of A EXCEPT ALL rows of B, and B EXCEPT ALL A,
 *                                            counted (both queries timed together)
 *
 * Prints { seconds, rows, sum? } (or { seconds, removed, added }) as JSON.
 */
const { join } = require('node:path');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { DuckDBInstance } = require('@duckdb/node-api');

async function main() {
  const [mode, dir, other] = process.argv.slice(2);
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const files = `'${join(dir, '*.parquet')}'`;
  if (mode === 'copy') {
    await db.run(`CREATE TABLE t AS SELECT * FROM read_parquet(${files})`);
    const out = mkdtempSync(join(tmpdir(), 'lv-bench-duckdb-'));
    const t = process.hrtime.bigint();
    await db.run(`COPY t TO '${join(out, 'out.parquet')}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 262144)`);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const rows = Number((await (await db.run('SELECT count(*) FROM t')).getRows())[0][0]);
    rmSync(out, { recursive: true, force: true });
    process.stdout.write(JSON.stringify({ seconds, rows }) + '\n');
  } else if (mode === 'except') {
    const a = `read_parquet(${files})`;
    const b = `read_parquet('${join(other, '*.parquet')}')`;
    const count = async (x, y) => Number((await (await db.run(`SELECT count(*) FROM (SELECT * FROM ${x} EXCEPT ALL SELECT * FROM ${y})`)).getRows())[0][0]);
    const t = process.hrtime.bigint();
    const removed = await count(a, b);
    const added = await count(b, a);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, removed, added }) + '\n');
  } else {
    const t = process.hrtime.bigint();
    const result = await (await db.run(`SELECT count(*), sum(total) FROM read_parquet(${files})`)).getRows();
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    process.stdout.write(JSON.stringify({ seconds, rows: Number(result[0][0]), sum: Number(result[0][1]) }) + '\n');
  }
}

main().catch((error) => {
  process.stderr.write(`duckdb: ${error?.message ?? error}\n`);
  process.exitCode = 1;
});
