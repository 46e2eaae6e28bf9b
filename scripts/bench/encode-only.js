#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * lakevault's Parquet encoding stage alone (no upload): the rows `table create` writes,
 * generated file by file, then encoded with digests in the footer by the same encoder
 * `table create` uses (src/parquet/encode-pool: worker threads when there are several
 * files and cores, this thread for one file).
 * Prints { warmupS, generateS, encodeS, bytes, files, workers } as JSON.
 *
 *   node scripts/bench/encode-only.js ROWS [ROWS_PER_FILE=1000000] [ROW_GROUP_ROWS=262144]
 */
const { generateSalesBatch } = require('../../dist/datagen/sales');
const { encodeParquet } = require('../../dist/parquet/encode');
const { encodeWorkers, fileEncoder } = require('../../dist/parquet/encode-pool');

const [rows, rowsPerFile = 1_000_000, rowGroupRows = 262_144] = process.argv.slice(2).map(Number);
const seconds = (/** @type {bigint} */ since) => Number(process.hrtime.bigint() - since) / 1e9;

async function main() {
  // As in `table create`, the encoder (its workers, if any) starts before the first rows
  // are generated, so its start-up overlaps the generation.
  const fileCount = Math.ceil(rows / rowsPerFile);
  const encoder = fileEncoder(encodeWorkers(fileCount, rows));

  // Warm-up: V8 compiles WebAssembly functions lazily, on their first call, so the first
  // encode of a process also pays for compiling parquet-wasm's writer (DuckDB's is compiled
  // ahead of time). A 1,000-row encode first; its time is reported apart (warmupS).
  let t0 = process.hrtime.bigint();
  encodeParquet(generateSalesBatch(7, 1, 1_000), { rowGroupRows, createdBy: 'lakevault bench warm-up' });
  const warmupS = seconds(t0);

  t0 = process.hrtime.bigint();
  const batches = [];
  for (let first = 0; first < rows; first += rowsPerFile) batches.push(generateSalesBatch(42, first + 1, Math.min(rowsPerFile, rows - first)));
  const generateS = seconds(t0);

  // Timed: every file encoded, `encoder.parallel` at once (what `table create` keeps busy).
  t0 = process.hrtime.bigint();
  let bytes = 0;
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const index = next++;
      const encoded = await encoder.encode(batches[index], { rowGroupRows, createdBy: 'lakevault bench' });
      batches[index] = undefined;
      bytes += encoded.bytes.length;
    }
  };
  await Promise.all(Array.from({ length: encoder.parallel }, lane));
  const encodeS = seconds(t0);
  await encoder.close();
  process.stdout.write(JSON.stringify({ rows, warmupS, generateS, encodeS, bytes, files: fileCount, workers: encoder.parallel }) + '\n');
}

main().catch((error) => { process.stderr.write(`${error.stack ?? error}\n`); process.exit(1); });
