import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from '../../src/store/types';
import { runLakevault, targetEnv, type CliRun } from '../support/cli';

/** The category values of the acceptance test: every character a key can trip over. */
export const CATEGORIES = ['Eletrônicos & Cia', 'Casa+Jardim', '100% Algodão', 'Café ☕', 'a=b', 'dois  espaços'];

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `lakevault-${label}-`));
}

export async function duckdb(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

/** SQL literal of a string. */
export function sql(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** Deterministic sales rows (the seed's columns) as DuckDB SQL, categories from CATEGORIES. */
export function salesQuery(rows: number, categories = CATEGORIES): string {
  const list = `[${categories.map(sql).join(', ')}]`;
  return `select id, data_venda, categoria, produto, quantidade, preco_unitario, round(quantidade * preco_unitario, 2) as total from (
    select i as id, DATE '2023-01-01' + (i % 731)::INTEGER as data_venda, (${list})[1 + (i % ${categories.length})::INTEGER] as categoria,
      'Produto ' || (i % 40) as produto, (1 + i % 10)::INTEGER as quantidade, round(4.9 + ((i * 7919) % 250000) / 100.0, 2)::DOUBLE as preco_unitario
    from range(${rows}) r(i))`;
}

export interface Figures { count: number; sum: number; categories: string[] }

/** count(*), sum(total) and the distinct categories of a query, as DuckDB computes them. */
export async function figures(db: DuckDBConnection, from: string): Promise<Figures> {
  const totals = (await db.runAndReadAll(`select count(*)::BIGINT, round(sum(total), 2)::DOUBLE from ${from}`)).getRows()[0]!;
  const categories = (await db.runAndReadAll(`select distinct categoria from ${from} order by 1`)).getRows().map((r) => String(r[0]));
  return { count: Number(totals[0]), sum: Number(totals[1]), categories };
}

/** Every file under dir, relative, '/'-separated. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path); else out.push(relative(dir, path).split('\\').join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Uploads dir's files under prefix, keys = relative paths (byte-exact names). */
export async function uploadDir(store: ObjectStore, bucket: string, prefix: string, dir: string, rename: (key: string) => string = (k) => k): Promise<string[]> {
  const keys: string[] = [];
  for (const file of filesUnder(dir)) {
    const key = prefix + rename(file);
    await store.put(bucket, key, readFileSync(join(dir, file)));
    keys.push(key);
  }
  return keys;
}

/** Downloads every object under prefix into dir (directory markers become directories). */
export async function downloadPrefix(store: ObjectStore, bucket: string, prefix: string, dir: string): Promise<void> {
  for await (const object of store.list(bucket, prefix)) {
    const path = join(dir, object.key.slice(prefix.length));
    if (object.key.endsWith('/')) { mkdirSync(path, { recursive: true }); continue; }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, await store.getBytes(bucket, object.key));
  }
}

/** key → [size, etag] of everything under a prefix, keys relative to it. */
export async function objectsUnder(store: ObjectStore, bucket: string, prefix: string): Promise<Record<string, [number, string]>> {
  const out: Record<string, [number, string]> = {};
  for await (const object of store.list(bucket, prefix)) out[object.key.slice(prefix.length)] = [object.size, object.etag];
  return out;
}

export type Run = CliRun;

/** `node bin/lakevault.js [--json] ...args` against the suite's S3 target, with the given repositories. */
export function cli(args: string[], env: Record<string, string> = {}, json = true): Promise<Run> {
  return runLakevault([...(json ? ['--json'] : []), ...args], {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...targetEnv(), ...env },
  });
}

/** A Delta commit: one JSON action per line. */
export function commit(...actions: object[]): string {
  return actions.map((action) => JSON.stringify(action)).join('\n') + '\n';
}

export function commitKey(version: number): string {
  return `_delta_log/${String(version).padStart(20, '0')}.json`;
}

export const DELTA_PROTOCOL = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };

export function deltaMetadata(partitionColumns: string[]): object {
  const fields = [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'total', type: 'double', nullable: true, metadata: {} },
    ...partitionColumns.map((name) => ({ name, type: 'string', nullable: true, metadata: {} })),
  ];
  return { metaData: { id: '7f1c9d2e-0000-4000-8000-000000000001', format: { provider: 'parquet', options: {} }, schemaString: JSON.stringify({ type: 'struct', fields }), partitionColumns, configuration: {}, createdTime: 1764374400000 } };
}

/** Spark's add.path: the relative key as a URI (percent-encoded, '/' kept). */
export function deltaPath(relativeKey: string): string {
  return relativeKey.split('/').map(encodeURIComponent).join('/');
}

export function deltaAdd(relativeKey: string, size: number, partitionValues: Record<string, string> = {}): object {
  return { add: { path: deltaPath(relativeKey), partitionValues, size, modificationTime: 1764374400000, dataChange: true } };
}

export function deltaRemove(relativeKey: string): object {
  return { remove: { path: deltaPath(relativeKey), deletionTimestamp: 1764374500000, dataChange: true } };
}
