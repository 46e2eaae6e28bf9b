import { randomBytes } from 'node:crypto';
import type { Table } from 'apache-arrow';
import type { Lakevault } from '../api/client';
import type { TableCreateReport, TableWriteReport } from '../api/tables';
import { UsageError } from '../errors';
import { formatS3Uri, parseS3Uri } from '../store/location';

/** A table a test made, and how to get rid of it. */
export interface TestTable {
  /** The table's s3:// URI: pass it to any client method or assertion. */
  uri: string;
  name: string;
  rows: number;
  /** The client that wrote it (assertions use it when given this table). */
  client: Lakevault;
  report: TableCreateReport | TableWriteReport;
  /** Deletes the table's manifest, files and anything else under its prefix. */
  drop(): Promise<void>;
}

/** A bucket of the test's own, removed with everything in it. */
export interface TestBucket {
  bucket: string;
  /** s3://<bucket>/<path>/ */
  uri(path?: string): string;
  remove(): Promise<void>;
}

function suffix(): string {
  return randomBytes(4).toString('hex');
}

/** Where a fixture goes: `at` (a name or s3:// URI), else a fresh name in the client's warehouse. */
function placeOf(client: Lakevault, label: string, at?: string): string {
  if (at) return at;
  const warehouse = client.context.config.warehouse;
  return formatS3Uri({ bucket: warehouse.bucket, prefix: `${warehouse.prefix}${label}-${suffix()}/` });
}

function testTable(client: Lakevault, report: TableCreateReport | TableWriteReport): TestTable {
  return {
    uri: report.uri, name: report.table, rows: report.rows, client, report,
    drop: async () => { await client.table.drop(report.uri, { force: true }); },
  };
}

export interface SalesFixtureOptions {
  /** Table name or s3:// URI; default: a unique name in the warehouse. */
  at?: string;
  rows?: number;
  seed?: number;
  rowsPerFile?: number;
  rowGroupRows?: number;
}

/** Writes the generated sales table (the seed's `vendas`) in one call. */
export async function createSalesTable(client: Lakevault, options: SalesFixtureOptions = {}): Promise<TestTable> {
  const { at, ...create } = options;
  const report = await client.table.create(placeOf(client, 'sales', at), { rows: 1_000, ...create });
  return testTable(client, report);
}

export interface ArrowFixtureOptions {
  at?: string;
  rowsPerFile?: number;
  rowGroupRows?: number;
  /** Replace a table already at `at`. */
  overwrite?: boolean;
}

/** Writes any Arrow table the test hands over as a lakevault table. */
export async function createArrowTable(client: Lakevault, table: Table, options: ArrowFixtureOptions = {}): Promise<TestTable> {
  const { at, ...write } = options;
  const report = await client.table.write(placeOf(client, 'table', at), table, write);
  return testTable(client, report);
}

/**
 * Deletes every object under an s3:// prefix (a whole bucket's prefix must be named
 * explicitly as s3://bucket/). The keys come from one complete listing; a failed listing
 * deletes nothing.
 */
export async function removePrefix(client: Lakevault, uri: string): Promise<number> {
  const { bucket, prefix } = parseS3Uri(uri);
  const store = client.context.store;
  if (!(await store.bucketExists(bucket))) return 0;
  const keys: string[] = [];
  for await (const object of store.list(bucket, prefix)) keys.push(object.key);
  const result = await store.deleteKeys(bucket, keys);
  if (result.errors.length) throw new UsageError(`could not delete ${result.errors.length} objects under ${uri}, first: ${result.errors[0]!.key}: ${result.errors[0]!.code}`);
  return result.deleted.length;
}

/** Creates a bucket no other test uses (lv-<label>-<random>); remove() empties and deletes it. */
export async function createTestBucket(client: Lakevault, label = 'test'): Promise<TestBucket> {
  const clean = label.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 30) || 'test';
  const bucket = `lv-${clean}-${suffix()}`;
  const store = client.context.store;
  await store.ensureBucket(bucket);
  return {
    bucket,
    uri: (path = '') => formatS3Uri({ bucket, prefix: path.split('/').filter(Boolean).map((p) => `${p}/`).join('') }),
    remove: async () => {
      await removePrefix(client, `s3://${bucket}/`);
      await store.deleteBucket(bucket);
    },
  };
}
