import { createHash } from 'node:crypto';
import { Field, Int64, Struct, Table, Utf8, vectorFromArray, tableToIPC } from 'apache-arrow';
import { parquet } from '../../src/parquet/wasm';
import type { ObjectInfo, ObjectStore } from '../../src/store/types';
import { readDeltaSnapshot } from '../../src/lake/delta/snapshot';
import { parseLogFile, completeCheckpoints } from '../../src/lake/delta/log-files';
import { decodeZ85, deletionVectorKey, relativeKeyOfPath } from '../../src/lake/delta/paths';
import { parseCommit } from '../../src/lake/delta/actions';

/** Just enough of an ObjectStore for the log reader: list and ETag-pinned range reads. */
function memoryStore(objects: Record<string, Uint8Array | string>): ObjectStore & { listed: () => ObjectInfo[] } {
  const bytes = new Map(Object.entries(objects).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : Buffer.from(v)]));
  const info = (key: string): ObjectInfo => ({ key, size: bytes.get(key)!.length, etag: createHash('md5').update(bytes.get(key)!).digest('hex') });
  const store = {
    endpoint: 'memory',
    listed: () => [...bytes.keys()].sort().map(info),
    async *list(_bucket: string, prefix: string) { for (const key of [...bytes.keys()].sort()) if (key.startsWith(prefix)) yield info(key); },
    async getRange(_bucket: string, key: string, start: number, end: number, options: { etag?: string } = {}) {
      if (!bytes.has(key)) throw new Error(`no ${key}`);
      if (options.etag && options.etag !== info(key).etag) throw new Error('precondition failed');
      return new Uint8Array(bytes.get(key)!.subarray(start, end));
    },
    async getBytes(_bucket: string, key: string) { return new Uint8Array(bytes.get(key)!); },
  };
  return store as unknown as ObjectStore & { listed: () => ObjectInfo[] };
}

const T = { bucket: 'b', prefix: 'lake/t/' };
const v = (n: number) => `lake/t/_delta_log/${String(n).padStart(20, '0')}.json`;
const lines = (...actions: object[]) => actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
const protocol = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const metaData = { metaData: { id: 'x', format: { provider: 'parquet', options: {} }, schemaString: '{}', partitionColumns: ['categoria'], configuration: {}, createdTime: 0 } };
const add = (path: string, size = 10) => ({ add: { path, size, partitionValues: {}, modificationTime: 0, dataChange: true } });
const remove = (path: string) => ({ remove: { path, deletionTimestamp: 1, dataChange: true } });
const logOf = (store: ReturnType<typeof memoryStore>) => store.listed().filter((o) => o.key.startsWith('lake/t/_delta_log/'));

describe('Delta log replay', () => {
  const store = memoryStore({
    [v(0)]: lines(protocol, metaData, add('categoria=A/part-0.parquet'), { commitInfo: { operation: 'WRITE' } }),
    [v(1)]: lines(remove('categoria=A/part-0.parquet'), add('categoria=A/part-1.parquet')),
    [v(2)]: lines(add('categoria=Caf%C3%A9%20%E2%98%95/part-2.parquet'), add('categoria=a%253Db/part-3.parquet')),
    'lake/t/_delta_log/00000000000000000001.crc': '{}',
    'lake/t/_delta_log/_last_checkpoint': '{"version":5}',
  });

  it('gives the live files of the newest version: adds minus removes, paths decoded', async () => {
    const snapshot = await readDeltaSnapshot(store, T, logOf(store));
    expect(snapshot.version).toBe(2);
    expect(snapshot.latestVersion).toBe(2);
    expect(snapshot.live.map((f) => f.relativeKey)).toEqual(['categoria=A/part-1.parquet', 'categoria=Café ☕/part-2.parquet', 'categoria=a%3Db/part-3.parquet']);
    expect(snapshot.metadata?.partitionColumns).toEqual(['categoria']);
    // The hint names a checkpoint that does not exist here (version 5 > 2): left out.
    expect(snapshot.logKeys).toEqual(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.crc', '_delta_log/00000000000000000001.json', '_delta_log/00000000000000000002.json']);
  });

  it('gives an older version with only the log up to it', async () => {
    const snapshot = await readDeltaSnapshot(store, T, logOf(store), 1);
    expect(snapshot.live.map((f) => f.relativeKey)).toEqual(['categoria=A/part-1.parquet']);
    expect(snapshot.logKeys).toEqual(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.crc', '_delta_log/00000000000000000001.json']);
    const v0 = await readDeltaSnapshot(store, T, logOf(store), 0);
    expect(v0.live.map((f) => f.relativeKey)).toEqual(['categoria=A/part-0.parquet']);
  });

  it('refuses a version that does not exist, naming the latest', async () => {
    await expect(readDeltaSnapshot(store, T, logOf(store), 7)).rejects.toThrow('has no version 7 (latest is 2)');
  });

  it('refuses a log with a gap (commits cleaned up, no checkpoint)', async () => {
    const gappy = memoryStore({ [v(0)]: lines(protocol, metaData, add('a.parquet')), [v(2)]: lines(add('b.parquet')) });
    await expect(readDeltaSnapshot(gappy, T, logOf(gappy))).rejects.toThrow(/commits 1 are missing/);
  });

  it('treats (path, deletion vector) as the file identity: a DV update keeps the file live', async () => {
    const dv = { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 };
    const s = memoryStore({
      [v(0)]: lines(protocol, metaData, add('p.parquet')),
      [v(1)]: lines(remove('p.parquet'), { add: { ...add('p.parquet').add, deletionVector: dv } }),
    });
    const snapshot = await readDeltaSnapshot(s, T, logOf(s));
    expect(snapshot.live).toEqual([{ relativeKey: 'p.parquet', size: 10, partitionValues: {}, deletionVectorKey: 'ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin' }]);
  });

  it('starts from a complete checkpoint and replays only the commits after it', async () => {
    const addType = new Struct([new Field('path', new Utf8(), true), new Field('size', new Int64(), true)]);
    const removeType = new Struct([new Field('path', new Utf8(), true)]);
    const table = new Table({
      add: vectorFromArray([null, { path: 'x.parquet', size: 5n }, { path: 'y.parquet', size: 6n }, null], addType),
      remove: vectorFromArray([null, null, null, { path: 'gone.parquet' }], removeType),
    });
    const checkpoint = parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream')));
    const s = memoryStore({
      // Commits 0..3 were cleaned up: only the checkpoint of version 3 and what came after.
      'lake/t/_delta_log/00000000000000000003.checkpoint.parquet': checkpoint,
      [v(3)]: lines(add('ignored-because-checkpoint-covers-it.parquet')),
      [v(4)]: lines(remove('x.parquet'), add('z.parquet')),
      // A partial multi-part checkpoint of version 4 is never used.
      'lake/t/_delta_log/00000000000000000004.checkpoint.0000000001.0000000002.parquet': checkpoint,
    });
    const snapshot = await readDeltaSnapshot(s, T, logOf(s));
    expect(snapshot.replayedFrom).toBe(3);
    expect(snapshot.live.map((f) => [f.relativeKey, f.size])).toEqual([['y.parquet', 6], ['z.parquet', 10]]);
    await expect(readDeltaSnapshot(s, T, logOf(s), 2)).rejects.toThrow(/version 2 .* gone/);
  });
});

describe('Delta log file names and paths', () => {
  it('parses the protocol\'s file names', () => {
    expect(parseLogFile('_delta_log/00000000000000000007.json')).toEqual({ relativeKey: '_delta_log/00000000000000000007.json', kind: 'commit', version: 7 });
    expect(parseLogFile('_delta_log/00000000000000000010.checkpoint.0000000002.0000000003.parquet')).toMatchObject({ kind: 'checkpoint', version: 10, part: 2, parts: 3 });
    expect(parseLogFile('_delta_log/00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json')).toMatchObject({ kind: 'checkpoint-v2', version: 10 });
    expect(parseLogFile('_delta_log/00000000000000000004.00000000000000000007.compacted.json')).toMatchObject({ kind: 'compacted', version: 7 });
    expect(parseLogFile('_delta_log/.00000000000000000008.json.3f2a.tmp')).toMatchObject({ kind: 'other', version: 8 });
    expect(parseLogFile('_delta_log/_last_checkpoint')).toMatchObject({ kind: 'last-checkpoint' });
    const parts = ['1', '2'].map((p) => parseLogFile(`_delta_log/00000000000000000010.checkpoint.000000000${p}.0000000002.parquet`));
    expect(completeCheckpoints([parts[0]!])).toEqual([]);
    expect(completeCheckpoints(parts).map((c) => c.version)).toEqual([10]);
  });

  it('decodes add.path URIs and refuses files outside the table', () => {
    expect(relativeKeyOfPath('categoria=Casa+Jardim/part%200.parquet', T, 'w')).toBe('categoria=Casa+Jardim/part 0.parquet');
    expect(relativeKeyOfPath('s3a://b/lake/t/x%20y.parquet', T, 'w')).toBe('x y.parquet');
    expect(() => relativeKeyOfPath('s3://other/lake/t/x.parquet', T, 'w')).toThrow(/outside the table/);
    expect(() => relativeKeyOfPath('bad%zz.parquet', T, 'w')).toThrow(/not a valid percent-encoded URI/);
  });

  it('decodes Z85 (ZeroMQ test vector) and deletion vector file names', () => {
    expect(decodeZ85('HelloWorld').toString('hex')).toBe('864fd26fb559f75b');
    expect(deletionVectorKey({ storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L' }, T, 'w')).toBeUndefined();
    expect(deletionVectorKey({ storageType: 'p', pathOrInlineDv: 's3://b/lake/t/dv/x.bin' }, T, 'w')).toBe('dv/x.bin');
  });

  it('reports a line that is not JSON with its place', () => {
    expect(() => parseCommit('{"add":{"path":"a"}}\n{oops\n', 's3://b/_delta_log/0.json')).toThrow('s3://b/_delta_log/0.json line 2 is not valid JSON');
  });
});
