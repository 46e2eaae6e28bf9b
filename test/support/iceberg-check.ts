import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ObjectStore } from '../../src/store/types';
import { decodeAvroContainer } from './avro-decoder';

/**
 * Reads an Iceberg table the way an engine does, sharing no code with lakevault's reader:
 * the metadata JSON as text (64-bit ids kept as strings), manifest lists and manifests
 * through the test's own Avro decoder, and the data and delete files through DuckDB's
 * read_parquet. Works on a folder: a fixture as shipped, or a table downloaded from S3.
 */
export interface IcebergReadBack {
  location: string;
  currentSnapshotId: string | undefined;
  snapshotIds: string[];
  summary: Record<string, string>;
  /** Every path the table records for the current snapshot (metadata-log, manifest list, manifests, files). */
  paths: string[];
  /** Paths whose object is missing, or whose size differs from what the metadata says. */
  problems: string[];
  dataFiles: number;
  /** Rows of the live data files (DuckDB), those the position deletes remove, rows of the equality delete files. */
  rows: number;
  positionDeleted: number;
  equalityDeleteRows: number;
}

const ID_FIELDS = /("(?:snapshot-id|current-snapshot-id|parent-snapshot-id)"\s*:\s*)(-?\d+)/g;

/** The table in `dir`, read from the metadata file `metadataKey` (relative to the folder). */
export async function readIcebergFolder(dir: string, metadataKey: string): Promise<IcebergReadBack> {
  const metadata = JSON.parse(readFileSync(join(dir, metadataKey), 'utf8').replace(ID_FIELDS, '$1"$2"')) as Record<string, any>;
  const location = String(metadata['location']).replace(/\/+$/, '');
  const problems: string[] = [];
  const paths: string[] = [];
  const local = (path: string, size?: bigint | number) => {
    paths.push(path);
    if (!path.startsWith(location + '/')) { problems.push(`${path} is not under ${location}`); return undefined; }
    const file = join(dir, path.slice(location.length + 1));
    if (!existsSync(file)) { problems.push(`${path} is missing`); return undefined; }
    if (size !== undefined && BigInt(statSync(file).size) !== BigInt(size)) problems.push(`${path} is ${statSync(file).size} bytes, the metadata says ${size}`);
    return file;
  };
  for (const entry of metadata['metadata-log'] ?? []) local(entry['metadata-file']);
  const current = metadata['current-snapshot-id'] === undefined || metadata['current-snapshot-id'] === '-1' ? undefined : String(metadata['current-snapshot-id']);
  const snapshot = (metadata['snapshots'] ?? []).find((s: Record<string, unknown>) => String(s['snapshot-id']) === current);
  const result: IcebergReadBack = {
    location, currentSnapshotId: current, snapshotIds: (metadata['snapshots'] ?? []).map((s: Record<string, unknown>) => String(s['snapshot-id'])),
    summary: snapshot?.['summary'] ?? {}, paths, problems, dataFiles: 0, rows: 0, positionDeleted: 0, equalityDeleteRows: 0,
  };
  if (!snapshot) return result;
  const listFile = local(snapshot['manifest-list']);
  if (!listFile) return result;
  const entries: Record<string, any>[] = [];
  for (const manifest of decodeAvroContainer(readFileSync(listFile)).records) {
    const file = local(manifest['manifest_path'] as string, manifest['manifest_length'] as bigint);
    if (file) entries.push(...decodeAvroContainer(readFileSync(file)).records.filter((e) => Number(e['status']) !== 2).map((e) => e['data_file'] as Record<string, any>));
  }
  const files = (content: number) => entries.filter((f) => Number(f['content'] ?? 0) === content).map((f) => ({ path: f['file_path'] as string, file: local(f['file_path'] as string, f['file_size_in_bytes'] as bigint) }));
  for (const f of entries) if (typeof f['referenced_data_file'] === 'string') local(f['referenced_data_file']);
  const data = files(0).filter((f) => f.file);
  const positionDeletes = files(1).filter((f) => f.file);
  const equalityDeletes = files(2).filter((f) => f.file);
  result.dataFiles = data.length;
  const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  if (data.length) {
    await db.run(`CREATE TABLE paths AS SELECT * FROM (VALUES ${data.map((f) => `(${q(f.file!)}, ${q(f.path)})`).join(', ')}) AS t(local, path)`);
    await db.run(`CREATE TABLE rows AS SELECT p.path, r.file_row_number AS pos FROM read_parquet([${data.map((f) => q(f.file!)).join(', ')}], filename = true, file_row_number = true, union_by_name = true) r JOIN paths p ON p.local = r.filename`);
    result.rows = Number((await db.runAndReadAll('SELECT count(*) AS n FROM rows')).getRowObjects()[0]!['n']);
  }
  if (positionDeletes.length && data.length) {
    await db.run(`CREATE TABLE deletes AS SELECT file_path, pos FROM read_parquet([${positionDeletes.map((f) => q(f.file!)).join(', ')}])`);
    result.positionDeleted = Number((await db.runAndReadAll('SELECT count(*) AS n FROM rows r JOIN deletes d ON d.file_path = r.path AND d.pos = r.pos')).getRowObjects()[0]!['n']);
  }
  if (equalityDeletes.length) {
    result.equalityDeleteRows = Number((await db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet([${equalityDeletes.map((f) => q(f.file!)).join(', ')}], union_by_name = true)`)).getRowObjects()[0]!['n']);
  }
  return result;
}

/** Every object under the prefix, downloaded into a fresh folder (keys relative to the prefix). */
export async function downloadTable(store: ObjectStore, bucket: string, prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'lakevault-iceberg-readback-'));
  for await (const object of store.list(bucket, prefix)) {
    const file = join(dir, object.key.slice(prefix.length));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await store.getBytes(bucket, object.key));
  }
  return dir;
}
