#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * lakevault's Parquet encoding stage alone (no upload): the rows `table create` writes,
 * generated file by file, then encoded with digests in the footer (src/parquet/encode).
 * Prints { warmupS, generateS, encodeS, bytes, files } as JSON.
 *
 *   node scripts/bench/encode-only.js ROWS [ROWS_PER_FILE=1000000] [ROW_GROUP_ROWS=262144]
 */
const { generateSalesBatch } = require('../../dist/datagen/sales');
const { encodeParquet } = require('../../dist/parquet/encode');

const [rows, rowsPerFile = 1_000_000, rowGroupRows = 262_144] = process.argv.slice(2).map(Number);

// Warm-up: V8 compiles WebAssembly functions lazily, on their first call, so the first
// encode of a process also pays for compiling parquet-wasm's writer (DuckDB's is compiled
// ahead of time). A 1,000-row encode first; its time is reported apart (warmupS).
let t0 = process.hrtime.bigint();
encodeParquet(generateSalesBatch(7, 1, 1_000), { rowGroupRows, createdBy: 'lakevault bench warm-up' });
const warmupS = Number(process.hrtime.bigint() - t0) / 1e9;

let generateS = 0;
let encodeS = 0;
let bytes = 0;
let files = 0;
for (let first = 0; first < rows; first += rowsPerFile) {
  let t = process.hrtime.bigint();
  const batch = generateSalesBatch(42, first + 1, Math.min(rowsPerFile, rows - first));
  generateS += Number(process.hrtime.bigint() - t) / 1e9;
  t = process.hrtime.bigint();
  const encoded = encodeParquet(batch, { rowGroupRows, createdBy: 'lakevault bench' });
  encodeS += Number(process.hrtime.bigint() - t) / 1e9;
  bytes += encoded.bytes.length;
  files += 1;
}
process.stdout.write(JSON.stringify({ rows, warmupS, generateS, encodeS, bytes, files }) + '\n');
