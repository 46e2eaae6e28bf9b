import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describePrefix } from '../../src/lake/describe';
import {
  metadataBytes, parseMetadataBytes, readTableMetadata, openIcebergTable, reachableFiles, readAvroFile, readManifest, summarizeIceberg, unreferencedObjects, writeAvroFile, type ReachableSet,
} from '../../src/lake/iceberg';
import type { ObjectInfo } from '../../src/store/types';
import { fixtureFolder, storeWithFixture, type IcebergFixture } from '../support/iceberg-fixtures';
import type { MemoryStore } from '../support/memory-store';

async function listAll(store: MemoryStore, location: { bucket: string; prefix: string }): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const object of store.list(location.bucket, location.prefix)) out.push(object);
  return out;
}

const sumRecords = (set: ReachableSet, role: string) => set.files.filter((f) => f.role === role).reduce((s, f) => s + Number(f.records ?? 0n), 0);
const count = (set: ReachableSet, role: string) => set.files.filter((f) => f.role === role).length;

/** Facts from test/fixtures/iceberg/PROVENANCE.md (read there from the metadata by another reader). */
const FACTS: Record<IcebergFixture, {
  metadata: string; foundBy: string; snapshots: number; metadataFiles: number; rows: number;
  positionDeleteFiles: number; positionDeletes: number; equalityDeleteFiles: number; objects: number; bytes: number; crc: number;
}> = {
  'iceberg-spark-bunnies': { metadata: 'metadata/v5.metadata.json', foundBy: 'version-hint', snapshots: 3, metadataFiles: 5, rows: 20, positionDeleteFiles: 1, positionDeletes: 1, equalityDeleteFiles: 0, objects: 16, bytes: 69_951, crc: 0 },
  'iceberg-java-bunnies': { metadata: 'metadata/v5.metadata.json', foundBy: 'version-hint', snapshots: 3, metadataFiles: 5, rows: 22, positionDeleteFiles: 1, positionDeletes: 6, equalityDeleteFiles: 1, objects: 17, bytes: 72_874, crc: 0 },
  'iceberg-java-equality_deletes-partitioned': { metadata: 'metadata/v6.metadata.json', foundBy: 'version-hint', snapshots: 5, metadataFiles: 6, rows: 6, positionDeleteFiles: 0, positionDeletes: 0, equalityDeleteFiles: 3, objects: 52, bytes: 92_035, crc: 26 },
  'iceberg-pyiceberg-map_stats': { metadata: 'metadata/00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json', foundBy: 'newest', snapshots: 2, metadataFiles: 3, rows: 2, positionDeleteFiles: 0, positionDeletes: 0, equalityDeleteFiles: 0, objects: 9, bytes: 23_918, crc: 0 },
};

describe('reading Iceberg tables written by Spark, the Iceberg Java API and pyiceberg', () => {
  it.each(Object.keys(FACTS) as IcebergFixture[])('%s: the current snapshot reaches what its metadata says, every object is reached by some snapshot', async (name) => {
    const facts = FACTS[name];
    const { store, location } = await storeWithFixture(name);
    const listing = await listAll(store, location);
    expect(listing).toHaveLength(facts.objects);
    expect(listing.reduce((s, o) => s + o.size, 0)).toBe(facts.bytes);

    const table = await openIcebergTable(store, location);
    expect([table.metadataKey, table.foundBy]).toEqual([facts.metadata, facts.foundBy]);
    expect(table.metadata.formatVersion).toBe(2);
    expect(table.metadata.snapshots).toHaveLength(facts.snapshots);

    const current = await reachableFiles(store, table);
    expect(current.snapshotIds).toEqual([table.metadata.currentSnapshotId]);
    expect(sumRecords(current, 'data')).toBe(facts.rows);
    expect(count(current, 'position-deletes')).toBe(facts.positionDeleteFiles);
    expect(sumRecords(current, 'position-deletes')).toBe(facts.positionDeletes);
    expect(count(current, 'equality-deletes')).toBe(facts.equalityDeleteFiles);
    expect(count(current, 'metadata')).toBe(facts.metadataFiles);
    expect(count(current, 'manifest-list')).toBe(1);
    // Every size the metadata states is the object's size.
    const sizes = new Map(listing.map((o) => [o.key.slice(location.prefix.length), o.size]));
    for (const file of current.files) {
      expect(sizes.has(file.relativeKey)).toBe(true);
      if (file.size !== undefined) expect([file.relativeKey, file.size]).toEqual([file.relativeKey, sizes.get(file.relativeKey)]);
    }

    const every = await reachableFiles(store, table, { allSnapshots: true });
    expect(count(every, 'manifest-list')).toBe(facts.snapshots);
    const unreferenced = unreferencedObjects(table, listing, every);
    expect(unreferenced.orphans).toEqual([]);
    expect(unreferenced.companions.map((c) => c.why)).toEqual(Array(facts.crc).fill('checksum of a reached file'));
    expect(every.files.length + facts.crc).toBe(facts.objects);
  });

  it('snapshot ids are 64-bit and read exactly (a JavaScript number would round them)', async () => {
    const { store, location } = await storeWithFixture('iceberg-java-bunnies');
    const table = await openIcebergTable(store, location);
    const text = readFileSync(join(fixtureFolder('iceberg-java-bunnies'), 'metadata/v5.metadata.json'), 'utf8');
    const written = /"current-snapshot-id" : (\d+)/.exec(text)![1]!;
    expect(written).toBe('9158179788527662767');
    expect(table.metadata.currentSnapshotId!.toString()).toBe(written);
    expect(BigInt(Number(written))).not.toBe(BigInt(written)); // the precision a number loses
    const list = (await reachableFiles(store, table)).files.find((f) => f.role === 'manifest-list')!;
    expect(list.relativeKey).toBe(`metadata/snap-${written}-1-a01399a1-e864-4562-b921-c8cb56e6e4a9.avro`);
    const manifest = await readManifest(await store.getBytes('lake', location.prefix + 'metadata/a01399a1-e864-4562-b921-c8cb56e6e4a9-m0.avro'), 'm0');
    expect(manifest.entries.map((e) => e.snapshotId)).toContain(BigInt(written));
  });

  it('a snapshot by id or by ref; an older snapshot reaches its own files; unknown ones are one clear error', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    const table = await openIcebergTable(store, location);
    const byRef = await reachableFiles(store, table, { ref: 'main' });
    expect(byRef.snapshotIds).toEqual([2701171901096418979n]);
    const first = await reachableFiles(store, table, { snapshotId: 7505300640432048841n });
    expect(first.files.filter((f) => f.role === 'data').map((f) => [f.relativeKey, f.records])).toEqual([['data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet', 21n]]);
    expect(count(first, 'position-deletes')).toBe(0);
    await expect(reachableFiles(store, table, { ref: 'nightly' })).rejects.toThrow('Iceberg table has no branch or tag "nightly" (refs: main)');
    await expect(reachableFiles(store, table, { snapshotId: 1n })).rejects.toThrow(/has no snapshot 1 /);
  });

  it('a metadata location given by the user: the chain stops at it', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    const table = await openIcebergTable(store, location, { metadataLocation: 's3a://hyperparam-iceberg/spark/bunnies/metadata/v3.metadata.json' });
    expect([table.metadataKey, table.foundBy]).toEqual(['metadata/v3.metadata.json', 'given']);
    expect(table.metadata.currentSnapshotId).toBe(469881615898633426n);
    const set = await reachableFiles(store, table);
    expect(set.files.filter((f) => f.role === 'metadata').map((f) => f.relativeKey)).toEqual(['metadata/v1.metadata.json', 'metadata/v2.metadata.json', 'metadata/v3.metadata.json']);
    expect(set.files.some((f) => f.role === 'version-hint')).toBe(false);
    await expect(openIcebergTable(store, location, { metadataLocation: 'metadata/v9.metadata.json' })).rejects.toThrow('Iceberg metadata file s3://lake/tables/iceberg-spark-bunnies/metadata/v9.metadata.json does not exist');
    await expect(openIcebergTable(store, location, { metadataLocation: 'data/x.parquet' })).rejects.toThrow('is not a metadata/*.metadata.json file');
  });

  it('a version hint that names no file: the newest metadata file is read, and a note says why', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    await store.put('lake', location.prefix + 'metadata/version-hint.text', '9');
    await store.deleteKeys('lake', [location.prefix + 'metadata/v5.metadata.json']);
    const table = await openIcebergTable(store, location);
    expect([table.metadataKey, table.foundBy]).toEqual(['metadata/v4.metadata.json', 'newest']);
    expect(table.notes.join()).toMatch(/version-hint.text says "9", which names no metadata file/);
  });

  it('hostile metadata: paths leaving the table are refused unless asked; broken files are one clear error', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    const listKey = location.prefix + 'metadata/snap-2701171901096418979-1-91d5eea0-314d-4056-8818-59b825cbd38a.avro';
    const original = await store.getBytes('lake', listKey);
    const avro = await readAvroFile(original, 'list');
    avro.records[0] = { ...avro.records[0], manifest_path: 's3a://hyperparam-iceberg/spark/bunnies/../../other/m0.avro' };
    await store.put('lake', listKey, await writeAvroFile(avro));
    const table = await openIcebergTable(store, location);
    await expect(reachableFiles(store, table)).rejects.toThrow('Iceberg manifest s3a://hyperparam-iceberg/spark/bunnies/../../other/m0.avro is outside the table (it has a ".." segment)');
    const lenient = await reachableFiles(store, table, { allowOutside: true });
    expect(lenient.outside).toEqual([{ path: 's3a://hyperparam-iceberg/spark/bunnies/../../other/m0.avro', role: 'manifest', reason: 'it has a ".." segment' }]);

    await store.put('lake', listKey, original.subarray(0, original.length - 40));
    await expect(reachableFiles(store, table)).rejects.toThrow(/^Avro file metadata\/snap-2701171901096418979.* does not decode/);
    await store.put('lake', location.prefix + 'metadata/v5.metadata.json', '{"format-version": 2, "location": ');
    await expect(openIcebergTable(store, location)).rejects.toThrow(/Iceberg metadata metadata\/v5.metadata.json is not valid JSON/);
    await store.put('lake', location.prefix + 'metadata/v5.metadata.json', '{"format-version": 4, "location": "s3://x/y"}');
    await expect(openIcebergTable(store, location)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });

  it('the summary names missing files, sizes that differ and orphans; companions are not orphans', async () => {
    const { store, location } = await storeWithFixture('iceberg-java-bunnies');
    await store.deleteKeys('lake', [location.prefix + 'data/bunnies-updated-new-zealand.parquet']);
    await store.put('lake', location.prefix + 'data/bunnies-pos-deletes.parquet', new Uint8Array(10));
    await store.put('lake', location.prefix + 'data/stray.parquet', new Uint8Array(3));
    await store.put('lake', location.prefix + 'metadata/v6.metadata.json', '{}');
    const summary = await summarizeIceberg(store, location, await listAll(store, location));
    expect(summary.problems).toEqual([
      'position-deletes data/bunnies-pos-deletes.parquet is 10 bytes, the metadata says 1376',
      'data data/bunnies-updated-new-zealand.parquet is missing',
    ]);
    expect(summary.orphans).toEqual([{ key: 'data/stray.parquet', size: 3 }]);
    expect(summary.companions).toBe(1);
    expect(summary.currentSnapshotId).toBe('9158179788527662767');
    expect(summary.files).toEqual({ manifests: 4, dataFiles: 2, records: 22, positionDeleteFiles: 1, positionDeletes: 6, equalityDeleteFiles: 1, equalityDeletes: 1, deletionVectors: 0 });
  });

  it('read from an older metadata file (no snapshot yet): files of later commits are not orphans', async () => {
    const { store, location } = await storeWithFixture('iceberg-java-bunnies');
    const summary = await summarizeIceberg(store, location, await listAll(store, location), { metadataLocation: 'metadata/v1.metadata.json' });
    expect(summary.snapshotId).toBeUndefined();
    expect(summary.snapshots).toEqual([]);
    expect(summary.files.dataFiles).toBe(0);
    expect(summary.orphans).toEqual([]);
  });

  it('format 1 and format 3 metadata: v1 schema, partition-spec and snapshot manifests; v3 row lineage; no current snapshot; numbers written back exactly', () => {
    const v1 = readTableMetadata(parseMetadataBytes(Buffer.from(`{"format-version":1,"location":"s3://b/t","last-updated-ms":1700000000000,
      "schema":{"type":"struct","fields":[{"id":1,"name":"id","required":true,"type":"long"}]},
      "partition-spec":[{"name":"id_bucket","transform":"bucket[16]","source-id":1,"field-id":1000}],
      "current-snapshot-id":-1,
      "snapshots":[{"snapshot-id":9007199254740993,"timestamp-ms":1700000000000,"manifests":["s3://b/t/metadata/m1.avro"],"summary":{"operation":"append"}}]}`), 'v1'), 'v1');
    expect(v1.schemas).toEqual([{ schemaId: 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }], identifierFieldIds: [] }]);
    expect(v1.partitionSpecs).toEqual([{ specId: 0, fields: [{ sourceId: 1, fieldId: 1000, name: 'id_bucket', transform: 'bucket[16]' }] }]);
    expect(v1.currentSnapshotId).toBeUndefined();
    expect(v1.snapshots[0]).toMatchObject({ snapshotId: 9007199254740993n, manifests: ['s3://b/t/metadata/m1.avro'] }); // 2^53 + 1

    const text = `{"format-version":3,"location":"s3://b/t","next-row-id":18446744073709551,"current-snapshot-id":null,"snapshots":[{"snapshot-id":1,"timestamp-ms":1,"first-row-id":0,"added-rows":12,"manifest-list":"s3://b/t/metadata/snap-1.avro"}],"properties":{"x":"1.0"},"statistics":[{"snapshot-id":1,"statistics-path":"s3://b/t/metadata/1.stats","file-size-in-bytes":413,"file-footer-size-in-bytes":42,"blob-metadata":[]}]}`;
    const document = parseMetadataBytes(Buffer.from(text), 'v3');
    const v3 = readTableMetadata(document, 'v3');
    expect([v3.formatVersion, v3.nextRowId, v3.currentSnapshotId, v3.snapshots[0]!.firstRowId, v3.snapshots[0]!.addedRows]).toEqual([3, 18446744073709551n, undefined, 0n, 12n]);
    expect(v3.statistics).toEqual([{ snapshotId: 1n, path: 's3://b/t/metadata/1.stats', sizeInBytes: 413 }]);
    expect(JSON.stringify(JSON.parse(Buffer.from(metadataBytes(document)).toString()))).toBe(JSON.stringify(JSON.parse(text)));
    expect(Buffer.from(metadataBytes(document)).toString()).toContain('"next-row-id": 18446744073709551');
  });

  it('describePrefix: Iceberg data files are data even under _day=…/, delete files are not rows, footers agree with record counts', async () => {
    const { store, location } = await storeWithFixture('iceberg-pyiceberg-map_stats');
    const d = await describePrefix(store, location);
    expect(d.format).toBe('iceberg');
    expect(d.totals.rows).toBe(2);
    expect(d.iceberg?.partitionSpec).toEqual({ specId: 0, fields: [{ name: '_day', transform: 'day', sourceId: 1, source: 'timestamp' }] });
    expect(d.warnings.filter((w) => w.startsWith('iceberg:'))).toEqual([]);

    const java = await storeWithFixture('iceberg-java-bunnies');
    const j = await describePrefix(java.store, java.location);
    expect(j.files.filter((f) => f.role === 'iceberg-deletes').map((f) => f.relativeKey)).toEqual(['data/bunnies-eq-delete-new-zealand.parquet', 'data/bunnies-pos-deletes.parquet']);
    expect(j.totals.rows).toBe(22);
  });

  it('describePrefix: an Iceberg metadata file that does not read is a warning (the prefix is still backed up object by object), unless a snapshot was asked for', async () => {
    const { store, location } = await storeWithFixture('iceberg-spark-bunnies');
    await store.put('lake', location.prefix + 'metadata/v5.metadata.json', '{"format-version":2}');
    const d = await describePrefix(store, location);
    expect(d.format).toBe('iceberg');
    expect(d.warnings).toContain('Iceberg metadata could not be read: Iceberg metadata metadata/v5.metadata.json has no "location"');
    expect(d.fileSet.files).toHaveLength(16);
    await expect(describePrefix(store, location, { iceberg: { ref: 'main' } })).rejects.toThrow('has no "location"');
  });
});
