import type { ObjectStore } from '../store/types';
import type { Config } from '../config/config';
import { createSalesTable } from '../table/create';
import { inspectTable } from '../table/inspect';
import { resolveTable } from '../table/table-ref';

export interface FlowOptions {
  table: string;
  rows: number;
  seed: number;
  rowsPerFile: number;
  onStep?: (step: string) => void;
}

/**
 * The seed project's flow, S3-native: generate the sales rows → create the table →
 * inspect it from the Parquet footers. (Backup, restore, validation, DR and the audit
 * join here as those capabilities land.)
 */
export async function runSeedFlow(store: ObjectStore, config: Config, options: FlowOptions) {
  const started = Date.now();
  const table = resolveTable(config, options.table);
  const steps: Record<string, unknown> = {};

  options.onStep?.('create table');
  const created = await createSalesTable(store, table, {
    rows: options.rows, seed: options.seed, rowsPerFile: options.rowsPerFile, rowGroupRows: 262_144, overwrite: true,
  });
  steps.create = created;

  options.onStep?.('inspect table');
  const inspected = await inspectTable(store, table, config.concurrency);
  steps.inspect = {
    rows: inspected.totals.rows,
    files: inspected.totals.files,
    bytes: inspected.totals.bytes,
    schema: inspected.schema,
    problems: inspected.problems,
  };

  const ok = inspected.problems.length === 0 && inspected.totals.rows === options.rows;
  return {
    ok,
    endpoint: store.endpoint,
    table: table.uri,
    records_generated: options.rows,
    records_in_table: inspected.totals.rows,
    steps,
    elapsedMs: Date.now() - started,
  };
}
