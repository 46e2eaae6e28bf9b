import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describePrefix } from '../../src/lake/describe';
import { escapePathName, unescapePathName } from '../../src/lake/hive';
import type { OpenStore } from '../../src/store/open';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import {
  CATEGORIES, commit, commitKey, DELTA_PROTOCOL, deltaAdd, deltaMetadata, deltaRemove, duckdb, filesUnder, salesQuery, sql, tempDir, uploadDir,
} from './lake-fixtures';

describe(`describing prefixes lakevault did not write (${TARGET})`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('lake-describe');
  const dir = tempDir('duck');
  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    const db = await duckdb();
    await db.run(`COPY (${salesQuery(3_000)}) TO ${sql(join(dir, 'out'))} (FORMAT parquet, PARTITION_BY (categoria))`);
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('a DuckDB Hive-partitioned dataset: data vs layout noise, partition values decoded exactly', async () => {
    const prefix = 'duck/vendas/';
    await uploadDir(open.store, bucket, prefix, join(dir, 'out'));
    await open.store.put(bucket, prefix + '_SUCCESS', new Uint8Array(0));
    const oneFile = filesUnder(join(dir, 'out'))[0]!;
    const crcKey = oneFile.replace(/[^/]+$/, (name) => `.${name}.crc`);
    await open.store.put(bucket, prefix + crcKey, Buffer.from('crc\0\0\0\x01'));

    const d = await describePrefix(open.store, { bucket, prefix });
    expect(d.format).toBe('hive');
    expect(d.totals).toMatchObject({ dataFiles: CATEGORIES.length, metadataFiles: 2, rows: 3_000 });
    expect(d.layout).toEqual({ data: CATEGORIES.length, 'success-marker': 1, checksum: 1 });
    expect(d.partitions.columns).toEqual(['categoria']);
    expect(d.partitions.values.categoria).toEqual([...CATEGORIES].sort());
    expect(d.drift).toEqual([]);
    expect(d.warnings).toEqual([]);
    // The FileSet: every object, data files with rows, the rest metadata.
    expect(d.fileSet.files).toHaveLength(CATEGORIES.length + 2);
    expect(d.fileSet.files.filter((f) => f.kind === 'metadata').map((f) => f.relativeKey).sort()).toEqual(['_SUCCESS', crcKey].sort());
    expect(d.fileSet.files.filter((f) => f.kind === 'data').reduce((s, f) => s + f.rows!, 0)).toBe(3_000);
    expect(d.fileSet.schema!.map((f) => f.name)).toEqual(['id', 'data_venda', 'produto', 'quantidade', 'preco_unitario', 'total']);
    // Describing again gives the same generation; a changed object gives another.
    expect((await describePrefix(open.store, { bucket, prefix })).generation).toBe(d.generation);
    await open.store.put(bucket, prefix + '_SUCCESS', Buffer.from('x'));
    expect((await describePrefix(open.store, { bucket, prefix })).generation).not.toBe(d.generation);
  });

  it('Spark/Hive-style keys (raw unicode, spaces, "+", "&", "#", %XX) and every kind of noise', async () => {
    const prefix = 'spark/vendas/';
    const values = [...CATEGORIES, 'hash#tag', 'x/y'];
    const db = await duckdb();
    await db.run(`COPY (${salesQuery(800, values)}) TO ${sql(join(dir, 'spark'))} (FORMAT parquet, PARTITION_BY (categoria))`);
    // DuckDB percent-encodes; Spark writes FileUtils.escapePathName: re-home each file as Spark would name it.
    const keys = await uploadDir(open.store, bucket, prefix, join(dir, 'spark'), (key) => {
      const [dirName] = key.split('/');
      return `categoria=${escapePathName(unescapePathName(dirName!.slice('categoria='.length)))}/part-00000-5f1e2d3c-c000.snappy.parquet`;
    });
    expect(keys).toContain(prefix + 'categoria=Café ☕/part-00000-5f1e2d3c-c000.snappy.parquet');
    expect(keys).toContain(prefix + 'categoria=100%25 Algodão/part-00000-5f1e2d3c-c000.snappy.parquet');
    expect(keys).toContain(prefix + 'categoria=hash%23tag/part-00000-5f1e2d3c-c000.snappy.parquet');
    const noise = {
      '_SUCCESS': 'success-marker',
      'categoria=Casa+Jardim/.part-00000-5f1e2d3c-c000.snappy.parquet.crc': 'checksum',
      '_temporary/0/_temporary/attempt_202611290300_0001_m_000000_0/part-00000.parquet': 'temporary',
      'categoria=a%3Db/_committed_4711': 'commit-marker',
      'categoria=a%3Db/_started_4711': 'commit-marker',
      '.hive-staging_hive_2026-11-29_03-00-00_000_1/-ext-10000/000000_0': 'hive-staging',
      'categoria=dois  espaços/': 'directory-marker',
    };
    for (const key of Object.keys(noise)) await open.store.put(bucket, prefix + key, key.endsWith('/') ? new Uint8Array(0) : Buffer.from(`noise ${key}`));

    const d = await describePrefix(open.store, { bucket, prefix });
    expect(d.partitions.values.categoria).toEqual([...values].sort());
    expect(d.totals).toMatchObject({ dataFiles: values.length, metadataFiles: Object.keys(noise).length, rows: 800 });
    const roles = Object.fromEntries(d.files.filter((f) => f.kind === 'metadata').map((f) => [f.relativeKey, f.role]));
    expect(roles).toEqual(noise);
    const cafe = d.files.find((f) => f.relativeKey.startsWith('categoria=Café ☕/'))!;
    expect(cafe).toMatchObject({ kind: 'data', partition: { categoria: 'Café ☕' }, key: prefix + 'categoria=Café ☕/part-00000-5f1e2d3c-c000.snappy.parquet' });
  });

  it('a Delta table: the live files of the newest or a chosen version, the log up to it, nothing else', async () => {
    const prefix = 'delta/t/';
    const db = await duckdb();
    const part = async (name: string, from: number) => {
      const path = join(dir, name);
      await db.run(`COPY (select range::BIGINT as id, (range * 1.5)::DOUBLE as total from range(${from}, ${from + 100})) TO ${sql(path)} (FORMAT parquet)`);
      return readFileSync(path);
    };
    const a = await part('a.parquet', 0);
    const b = await part('b.parquet', 100);
    const c = await part('c.parquet', 200);
    const keyA = 'categoria=Café ☕/part-00000-a.snappy.parquet';
    const keyB = 'categoria=Café ☕/part-00001-b.snappy.parquet';
    const keyC = 'categoria=a%3Db/part-00002-c.snappy.parquet';
    for (const [key, bytes] of [[keyA, a], [keyB, b], [keyC, c]] as const) await open.store.put(bucket, prefix + key, bytes);
    await open.store.put(bucket, prefix + commitKey(0), commit(DELTA_PROTOCOL, deltaMetadata(['categoria']), deltaAdd(keyA, a.length, { categoria: 'Café ☕' })));
    await open.store.put(bucket, prefix + commitKey(1), commit(deltaRemove(keyA), deltaAdd(keyB, b.length, { categoria: 'Café ☕' })));
    await open.store.put(bucket, prefix + commitKey(2), commit(deltaAdd(keyC, c.length, { categoria: 'a=b' })));
    await open.store.put(bucket, prefix + '_SUCCESS', new Uint8Array(0));

    const latest = await describePrefix(open.store, { bucket, prefix });
    expect(latest.format).toBe('delta');
    expect(latest.delta).toMatchObject({ version: 2, latestVersion: 2, liveFiles: 2, logFiles: 3, partitionColumns: ['categoria'] });
    expect(latest.files.filter((f) => f.kind === 'data').map((f) => [f.relativeKey, f.partition])).toEqual([[keyB, { categoria: 'Café ☕' }], [keyC, { categoria: 'a=b' }]]);
    expect(latest.totals.rows).toBe(200);
    expect(latest.excluded).toMatchObject({ objects: 2 }); // the removed file and _SUCCESS
    expect(latest.generation).toBe('delta-v2');

    const v1 = await describePrefix(open.store, { bucket, prefix }, { version: 1 });
    expect(v1.fileSet.files.map((f) => f.relativeKey)).toEqual([commitKey(0), commitKey(1), keyB]);
    expect(v1.fileSet.label).toBe(`delta table s3://${bucket}/${prefix} version 1`);
    await expect(describePrefix(open.store, { bucket, prefix }, { version: 9 })).rejects.toThrow('has no version 9 (latest is 2)');
    await expect(describePrefix(open.store, { bucket, prefix: 'duck/vendas/' }, { version: 1 })).rejects.toMatchObject({ code: 'USAGE' });

    // A live file gone (VACUUM run too early): the version cannot be backed up, and says why.
    await open.store.deleteKeys(bucket, [prefix + keyC]);
    await expect(describePrefix(open.store, { bucket, prefix })).rejects.toThrow(/needs data file categoria=a%3Db\/part-00002-c.snappy.parquet, which is not under the prefix/);
  });

  it('an Iceberg prefix: described object by object, with a note that says what a backup of it holds', async () => {
    const prefix = 'iceberg/t/';
    await open.store.put(bucket, prefix + 'data/00000-0-a.parquet', readFileSync(join(dir, 'a.parquet')));
    await open.store.put(bucket, prefix + 'metadata/v1.metadata.json', '{"format-version":2}');
    await open.store.put(bucket, prefix + 'metadata/snap-1-1-x.avro', 'avro');
    const d = await describePrefix(open.store, { bucket, prefix });
    expect(d.format).toBe('iceberg');
    expect(d.totals).toMatchObject({ dataFiles: 1, metadataFiles: 2 });
    expect(d.notes.join('\n')).toMatch(/Iceberg table .*a backup holds the files of one snapshot.*rewrites the paths/);
    // Its metadata is no Iceberg table: described object by object, and the warning says why.
    expect(d.warnings).toContain('Iceberg metadata could not be read: Iceberg metadata metadata/v1.metadata.json has no "location"');
  });

  it('an empty prefix is not a table', async () => {
    await expect(describePrefix(open.store, { bucket, prefix: 'nothing/here/' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
