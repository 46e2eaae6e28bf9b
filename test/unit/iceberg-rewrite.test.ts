/**
 * Moving Iceberg tables written by other engines to a new location, checked with readers
 * lakevault does not contain: every rewritten Avro file decoded by test/support/avro-decoder
 * (written from the Avro spec, not avsc), metadata JSON read as text, DuckDB reading the
 * Parquet data and position delete files.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  LocationRewrite, TablePaths, openIcebergTable, planTableRewrite, readAvroFile, reachableFiles, rewriteManifest, rewritePuffinReferences, writeAvroFile,
  type AvroFile, type RewritePlan,
} from '../../src/lake/iceberg';
import { decodeAvroContainer, type DecodedAvro } from '../support/avro-decoder';
import { ALL_ICEBERG_FIXTURES, storeWithFixture, type IcebergFixture } from '../support/iceberg-fixtures';
import type { MemoryStore } from '../support/memory-store';

const OLD_LOCATION: Record<IcebergFixture, string> = {
  'iceberg-spark-bunnies': 'hyperparam-iceberg/spark/bunnies',
  'iceberg-java-bunnies': 'hyperparam-iceberg/java/bunnies',
  'iceberg-java-equality_deletes-partitioned': 'data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned',
  'iceberg-pyiceberg-map_stats': 'data/persistent/map_stats/default.db/map_stats',
};

/** Every string (and byte string, as UTF-8) inside a decoded value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Buffer.isBuffer(value)) out.push(value.toString('utf8'));
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** Integer tokens of id, sequence and time fields, as written (text, never a number). */
function integerFields(json: string): string[] {
  return [...json.matchAll(/"((?:current-|parent-)?snapshot-id|(?:last-)?sequence-number|timestamp-ms|last-updated-ms)"\s*:\s*(-?\d+)/g)].map((m) => `${m[1]}=${m[2]}`);
}

interface Moved {
  store: MemoryStore;
  source: { bucket: string; prefix: string };
  target: { bucket: string; prefix: string };
  targetLocation: string;
  plan: RewritePlan;
}

async function move(name: IcebergFixture): Promise<Moved> {
  const { store, location } = await storeWithFixture(name);
  await store.ensureBucket('restore');
  const target = { bucket: 'restore', prefix: `moved/${name}/` };
  const targetLocation = `s3://restore/moved/${name}`;
  const plan = await planTableRewrite(store, await openIcebergTable(store, location), { targetLocation });
  for (const file of plan.rewritten) await store.put(target.bucket, target.prefix + file.relativeKey, file.bytes);
  for (const copy of plan.copies) await store.copy(location.bucket, location.prefix + copy.relativeKey, target.bucket, target.prefix + copy.relativeKey);
  return { store, source: location, target, targetLocation, plan };
}

async function objectAt(store: MemoryStore, path: string, moved: Moved): Promise<Uint8Array> {
  expect(path.startsWith(moved.targetLocation + '/')).toBe(true);
  return store.getBytes(moved.target.bucket, moved.target.prefix + path.slice(moved.targetLocation.length + 1));
}

describe('rewriting Iceberg tables to a new location (rewrite_table_path without Spark)', () => {
  it.each(ALL_ICEBERG_FIXTURES)('%s: every path under the new location, lengths and sizes true, ids exact, the old location nowhere', async (name) => {
    const moved = await move(name);
    const { store, plan, targetLocation } = moved;
    const sourceBefore: string[] = [];
    for await (const o of store.list('lake', moved.source.prefix)) sourceBefore.push(`${o.key} ${o.etag}`);
    expect(plan.targetLocation).toBe(targetLocation);
    expect(plan.metadataLocation.startsWith(`${targetLocation}/metadata/`)).toBe(true);

    for (const file of plan.rewritten) {
      const at = `${targetLocation}/${file.relativeKey}`;
      const source = Buffer.from(await store.getBytes('lake', moved.source.prefix + file.relativeKey)).toString('latin1');
      if (file.role === 'metadata') {
        const text = Buffer.from(file.bytes).toString('utf8');
        expect(text).not.toContain(OLD_LOCATION[name]);
        expect(integerFields(text)).toEqual(integerFields(source));
        const json = JSON.parse(text) as { location: string; snapshots?: { 'manifest-list': string }[]; 'metadata-log'?: { 'metadata-file': string }[] };
        expect(json.location).toBe(targetLocation);
        for (const p of [...(json.snapshots ?? []).map((s) => s['manifest-list']), ...(json['metadata-log'] ?? []).map((m) => m['metadata-file'])]) expect(p.startsWith(targetLocation + '/')).toBe(true);
      } else if (file.role === 'manifest-list' || file.role === 'manifest') {
        const decoded = decodeAvroContainer(file.bytes);
        const original = decodeAvroContainer(Buffer.from(source, 'latin1'));
        expect(decoded.schemaText).toBe(original.schemaText); // field ids and all
        expect(Object.keys(decoded.meta).sort()).toEqual(Object.keys(original.meta).sort());
        for (const s of [...strings(decoded.records), ...strings(decoded.meta)]) expect(s).not.toContain(OLD_LOCATION[name]);
        expect(decoded.records).toHaveLength(original.records.length);
        if (file.role === 'manifest-list') await checkManifestList(decoded, original, moved);
        else await checkManifest(decoded, original, moved);
      } else {
        expect(file.role).toBe('position-deletes'); // checked by DuckDB below
      }
      expect(at.startsWith(targetLocation)).toBe(true);
    }
    // The moved table reads at its new place: every file it names is there, of the size it states.
    const movedTable = await openIcebergTable(store, moved.target, { metadataLocation: plan.metadataLocation });
    const every = await reachableFiles(store, movedTable, { allSnapshots: true });
    for (const file of every.files) {
      const head = await store.head(moved.target.bucket, moved.target.prefix + file.relativeKey);
      expect([file.relativeKey, head?.size]).toEqual([file.relativeKey, file.size ?? head?.size]);
    }
    // The source is untouched.
    const sourceAfter: string[] = [];
    for await (const o of store.list('lake', moved.source.prefix)) sourceAfter.push(`${o.key} ${o.etag}`);
    expect(sourceAfter).toEqual(sourceBefore);
  });

  async function checkManifestList(decoded: DecodedAvro, original: DecodedAvro, moved: Moved): Promise<void> {
    decoded.records.forEach((record, i) => {
      expect(record['added_snapshot_id']).toBe(original.records[i]!['added_snapshot_id']);
      expect(typeof record['added_snapshot_id']).toBe('bigint');
    });
    for (const record of decoded.records) {
      const manifest = await objectAt(moved.store, record['manifest_path'] as string, moved);
      expect(record['manifest_length']).toBe(BigInt(manifest.length)); // readers drop entries of a manifest whose length is wrong
    }
  }

  async function checkManifest(decoded: DecodedAvro, original: DecodedAvro, moved: Moved): Promise<void> {
    for (const [i, record] of decoded.records.entries()) {
      expect(record['snapshot_id']).toBe(original.records[i]!['snapshot_id']);
      const file = record['data_file'] as Record<string, unknown>;
      const path = file['file_path'] as string;
      expect(path.startsWith(moved.targetLocation + '/')).toBe(true);
      if (record['status'] === 2) continue; // a deleted entry's file need not exist
      const bytes = await objectAt(moved.store, path, moved);
      expect([path, file['file_size_in_bytes']]).toEqual([path, BigInt(bytes.length)]);
      expect(file['record_count']).toBe((original.records[i]!['data_file'] as Record<string, unknown>)['record_count']);
    }
  }

  it.each(['iceberg-java-bunnies', 'iceberg-spark-bunnies'] as IcebergFixture[])('%s: DuckDB counts the same live rows before and after the move (the rewritten position deletes still match)', async (name) => {
    const moved = await move(name);
    const before = await liveRows(moved.store, moved.source, await sourceLocationOf(moved));
    const after = await liveRows(moved.store, moved.target, moved.targetLocation);
    expect(after).toEqual(before);
    if (name === 'iceberg-java-bunnies') expect(after).toEqual({ rows: 22, deleted: 6 });
    // Spark's delete file names the data file its copy-on-write overwrite replaced: nothing to delete any more.
    if (name === 'iceberg-spark-bunnies') expect(after).toEqual({ rows: 20, deleted: 0 });
  });

  async function sourceLocationOf(moved: Moved): Promise<string> {
    return (await openIcebergTable(moved.store, moved.source)).metadata.location;
  }

  /** Rows of the current snapshot's data files and how many of them its position deletes remove, by DuckDB. */
  async function liveRows(store: MemoryStore, at: { bucket: string; prefix: string }, location: string): Promise<{ rows: number; deleted: number }> {
    const dir = mkdtempSync(join(tmpdir(), 'lakevault-iceberg-'));
    for await (const object of store.list(at.bucket, at.prefix)) {
      const file = join(dir, object.key.slice(at.prefix.length));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, await store.getBytes(at.bucket, object.key));
    }
    const table = await openIcebergTable(store, at);
    const current = table.metadata.snapshots.find((s) => s.snapshotId === table.metadata.currentSnapshotId)!;
    const local = (path: string) => join(dir, path.slice(location.length + 1));
    const list = decodeAvroContainer(await store.getBytes(at.bucket, at.prefix + current.manifestList!.slice(location.length + 1)));
    const live = list.records.flatMap((m) => decodeAvroContainer(readFileSync(local(m['manifest_path'] as string)) as Buffer).records)
      .filter((e) => e['status'] !== 2).map((e) => e['data_file'] as Record<string, unknown>);
    const data = live.filter((f) => f['content'] === 0).map((f) => f['file_path'] as string);
    const deletes = live.filter((f) => f['content'] === 1).map((f) => f['file_path'] as string);
    const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    await connection.run(`CREATE TABLE paths AS SELECT * FROM (VALUES ${data.map((p) => `(${q(local(p))}, ${q(p)})`).join(', ')}) AS t(local, path)`);
    await connection.run(`CREATE TABLE rows AS SELECT p.path, r.file_row_number AS pos FROM read_parquet([${data.map((p) => q(local(p))).join(', ')}], filename = true, file_row_number = true) r JOIN paths p ON p.local = r.filename`);
    await connection.run(deletes.length
      ? `CREATE TABLE deletes AS SELECT file_path, pos FROM read_parquet([${deletes.map((p) => q(local(p))).join(', ')}])`
      : 'CREATE TABLE deletes (file_path VARCHAR, pos BIGINT)');
    const result = await connection.runAndReadAll('SELECT (SELECT count(*) FROM rows) AS rows, (SELECT count(*) FROM rows r JOIN deletes d ON d.file_path = r.path AND d.pos = r.pos) AS deleted');
    const [row] = result.getRowObjects();
    return { rows: Number(row!['rows']), deleted: Number(row!['deleted']) };
  }

  it('refuses a table whose manifests name files outside it, before anything is planned', async () => {
    const { store, location } = await storeWithFixture('iceberg-java-bunnies');
    const key = location.prefix + 'metadata/a01399a1-e864-4562-b921-c8cb56e6e4a9-m0.avro';
    const avro = await readAvroFile(await store.getBytes('lake', key), 'm0');
    const file = avro.records[0]!['data_file'] as Record<string, unknown>;
    avro.records[0] = { ...avro.records[0], data_file: { ...file, file_path: 's3a://other-bucket/java/bunnies/data/x.parquet' } };
    await store.put('lake', key, await writeAvroFile(avro));
    const table = await openIcebergTable(store, location);
    await expect(planTableRewrite(store, table, { targetLocation: 's3://restore/t' })).rejects.toThrow('s3a://other-bucket/java/bunnies/data/x.parquet is outside the table (bucket other-bucket, the table is in hyperparam-iceberg)');
    const lenient = await planTableRewrite(store, table, { targetLocation: 's3://restore/t', allowOutside: true });
    expect(lenient.outside.map((o) => o.path)).toEqual(['s3a://other-bucket/java/bunnies/data/x.parquet']);
    expect(lenient.copies.some((c) => c.relativeKey.includes('x.parquet'))).toBe(false);
  });

  it('a metadata chain with a file missing is refused with one clear line; a table without snapshots moves as its metadata alone', async () => {
    const { store, location } = await storeWithFixture('iceberg-java-bunnies');
    const empty = await planTableRewrite(store, await openIcebergTable(store, location, { metadataLocation: 'metadata/v1.metadata.json' }), { targetLocation: 's3://restore/t' });
    expect([empty.rewritten.map((f) => f.relativeKey), empty.copies, empty.snapshotIds]).toEqual([['metadata/v1.metadata.json'], [], []]);
    await store.deleteKeys('lake', [location.prefix + 'metadata/v2.metadata.json']);
    await expect(planTableRewrite(store, await openIcebergTable(store, location), { targetLocation: 's3://restore/t' }))
      .rejects.toThrow('Iceberg metadata file metadata/v2.metadata.json, named by the metadata-log of metadata/v5.metadata.json, does not exist');
  });

  it('one snapshot only: its manifest list and manifests, every metadata file of the chain', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    const table = await openIcebergTable(store, location);
    const plan = await planTableRewrite(store, table, { targetLocation: 's3://restore/t', snapshotId: 7505300640432048841n });
    expect(plan.snapshotIds).toEqual([7505300640432048841n]);
    expect(plan.rewritten.filter((f) => f.role === 'manifest-list').map((f) => f.relativeKey)).toEqual(['metadata/snap-7505300640432048841-1-bbd21bb7-5974-4d4b-bd54-82fb9b0ed6bf.avro']);
    expect(plan.rewritten.filter((f) => f.role === 'metadata')).toHaveLength(5);
    expect(plan.copies.map((c) => c.relativeKey)).toEqual(['data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet', 'metadata/version-hint.text']);
  });

  it('format 3 deletion vectors: referenced_data_file in the manifest and referenced-data-file in the Puffin footer move, blob bytes stay at their offsets', async () => {
    const rewrite = new LocationRewrite(new TablePaths('s3://lake/t'), 's3://restore/u');
    const blob = Buffer.from('roaring-bitmap-bytes');
    const footer = `{"blobs":[{"type":"deletion-vector-v1","fields":[2147483645],"snapshot-id":9158179788527662767,"sequence-number":3,"offset":4,"length":${blob.length},"properties":{"referenced-data-file":"s3://lake/t/data/a.parquet","cardinality":"2"}}],"properties":{"created-by":"test"}}`;
    const puffin = Buffer.concat([Buffer.from('PFA1'), blob, Buffer.from('PFA1'), Buffer.from(footer), int32(Buffer.byteLength(footer)), Buffer.alloc(4), Buffer.from('PFA1')]);
    const out = Buffer.from(rewritePuffinReferences(puffin, rewrite, 'dv.puffin'));
    expect(out.subarray(4, 4 + blob.length)).toEqual(blob);
    const size = out.readInt32LE(out.length - 12);
    const text = out.subarray(out.length - 12 - size, out.length - 12).toString('utf8');
    expect(text).toContain('"referenced-data-file":"s3://restore/u/data/a.parquet"');
    expect(text).toContain('"snapshot-id":9158179788527662767');
    expect(out.subarray(out.length - 16 - size, out.length - 12 - size).toString()).toBe('PFA1');
    expect(() => rewritePuffinReferences(Buffer.concat([puffin.subarray(0, puffin.length - 8), Buffer.from([1, 0, 0, 0]), Buffer.from('PFA1')]), rewrite, 'lz4.puffin')).toThrow('LZ4-compressed');

    const schema = {
      type: 'record', name: 'manifest_entry', fields: [
        { name: 'status', type: 'int', 'field-id': 0 },
        { name: 'snapshot_id', type: ['null', 'long'], default: null, 'field-id': 1 },
        { name: 'data_file', 'field-id': 2, type: { type: 'record', name: 'r2', fields: [
          { name: 'content', type: 'int', 'field-id': 134 },
          { name: 'file_path', type: 'string', 'field-id': 100 },
          { name: 'file_format', type: 'string', 'field-id': 101 },
          { name: 'record_count', type: 'long', 'field-id': 103 },
          { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
          { name: 'referenced_data_file', type: ['null', 'string'], default: null, 'field-id': 143 },
          { name: 'content_offset', type: ['null', 'long'], default: null, 'field-id': 144 },
          { name: 'content_size_in_bytes', type: ['null', 'long'], default: null, 'field-id': 145 },
        ] } },
      ],
    };
    const dv = { content: 1, file_path: 's3://lake/t/data/dv.puffin', file_format: 'PUFFIN', record_count: 2n, file_size_in_bytes: BigInt(puffin.length), referenced_data_file: 's3://lake/t/data/a.parquet', content_offset: 4n, content_size_in_bytes: BigInt(blob.length) };
    const manifest: AvroFile = { schema: schema as AvroFile['schema'], schemaText: Buffer.from(JSON.stringify(schema)), metadata: { 'format-version': Buffer.from('3') }, codec: 'deflate' as const, records: [{ status: 1, snapshot_id: 9158179788527662767n, data_file: dv }] };
    const bytes = await writeAvroFile(rewriteManifest(manifest, rewrite, new Map([['s3://lake/t/data/dv.puffin', BigInt(out.length)]])));
    const decoded = decodeAvroContainer(bytes);
    expect(decoded.records[0]).toEqual({
      status: 1, snapshot_id: 9158179788527662767n,
      data_file: { ...dv, file_path: 's3://restore/u/data/dv.puffin', referenced_data_file: 's3://restore/u/data/a.parquet', file_size_in_bytes: BigInt(out.length) },
    });
  });
});

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return buffer;
}
