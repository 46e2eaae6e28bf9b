#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * Writes the second snapshot of the diff benchmark: the sales table `table create` writes
 * (seed 42, files of 1,000,000 rows), with the total of every Nth row changed (+1) — with
 * N = 100, 1 % of the rows. Written file by file, as `table create` writes, through the
 * store the CLI's configuration names (S3_ENDPOINT, keys, --warehouse as LAKEVAULT_WAREHOUSE).
 *
 *   node scripts/bench/changed-table.js NAME ROWS EVERY_NTH
 */
const { Float64, makeData, RecordBatch, Struct, Table } = require('apache-arrow');
const { generateSalesBatch, SALES_SCHEMA } = require('../../dist/datagen/sales');
const { loadConfig } = require('../../dist/config/config');
const { openStore } = require('../../dist/store/open');
const { resolveTable } = require('../../dist/table/table-ref');
const { writeTable } = require('../../dist/table/write');

const ROWS_PER_FILE = 1_000_000;

/** @param {Table} table @param {number} every */
function changeEvery(table, every) {
  return new Table(table.batches.map((batch) => {
    const ids = /** @type {BigInt64Array} */ (batch.getChild('id').toArray());
    const totals = Float64Array.from(/** @type {Float64Array} */ (batch.getChild('total').toArray()), (total, i) => (ids[i] % BigInt(every) === 0n ? total + 1 : total));
    const children = SALES_SCHEMA.fields.map((field, index) => (field.name === 'total'
      ? makeData({ type: new Float64(), length: batch.numRows, nullCount: 0, data: totals })
      : batch.data.children[index]));
    return new RecordBatch(SALES_SCHEMA, makeData({ type: new Struct(SALES_SCHEMA.fields), length: batch.numRows, nullCount: 0, children }));
  }));
}

async function main() {
  const [name, rowsText, everyText] = process.argv.slice(2);
  const rows = Number(rowsText);
  const every = Number(everyText);
  const open = await openStore(loadConfig({}));
  try {
    const result = await writeTable(open.store, resolveTable(loadConfig({}), name), {
      schema: SALES_SCHEMA,
      totalRows: rows,
      fileCount: Math.ceil(rows / ROWS_PER_FILE),
      filePart: (index) => changeEvery(generateSalesBatch(42, index * ROWS_PER_FILE + 1, Math.min(ROWS_PER_FILE, rows - index * ROWS_PER_FILE)), every),
      rowGroupRows: 262_144,
      overwrite: true,
      overwriteHint: '--overwrite',
      source: { generator: 'sales', seed: 42, changedEvery: every },
    });
    process.stdout.write(JSON.stringify({ rows: result.rows, files: result.files, changed: Math.floor(rows / every) }) + '\n');
  } finally {
    await open.close();
  }
}

main().catch((error) => { process.stderr.write(`${error.stack ?? error}\n`); process.exit(1); });
