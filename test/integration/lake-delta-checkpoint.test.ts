import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenStore } from '../../src/store/open';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { cli, commit, commitKey, deltaAdd, deltaMetadata, deltaPath, deltaRemove, downloadPrefix, duckdb, objectsUnder, sql, tempDir, type Run } from './lake-fixtures';
import { checkpointKey, checkpointParquet } from './lake-delta-fixtures';

/**
 * Delta tables the way Spark leaves them after a while: the log starts at a checkpoint
 * (`NNN.checkpoint.parquet`, multi-part, or V2 with sidecar files) because log retention
 * removed the commits before it. lakevault must read the checkpoint's add/remove actions
 * to know the live files — the commits alone no longer say — and a backup must carry the
 * checkpoint (and sidecars) plus the commits after it, so the restored copy reads the same.
 */
describe(`Delta tables whose log starts at a checkpoint (${TARGET})`, () => {
  jest.setTimeout(600_000);
  let open: OpenStore;
  const bucket = uniqueBucket('lake-deltacp');
  const env = { LAKEVAULT_BACKUPS: `s3://${bucket}/backups`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}/checkpoints`, LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse` };
  const run = (...args: string[]) => cli(args, env);
  const dir = tempDir('lake-deltacp');
  const source = 'lake/eventos delta/';
  const uri = `s3://${bucket}/${source}`;
  /** Data file i: 100 rows, ids i*100 .. i*100+99, in partition categoria = Café ☕ (even) or a=b (odd). */
  const files: { key: string; bytes: Buffer; categoria: string }[] = [];
  const add = (i: number) => deltaAdd(files[i]!.key, files[i]!.bytes.length, { categoria: files[i]!.categoria });
  const remove = (i: number) => deltaRemove(files[i]!.key);
  const put = (key: string, body: string | Buffer) => open.store.put(bucket, source + key, body);
  const del = (...keys: string[]) => open.store.deleteKeys(bucket, keys.map((key) => source + key));
  let db: Awaited<ReturnType<typeof duckdb>>;

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    db = await duckdb();
    for (let i = 0; i < 9; i++) {
      const path = join(dir, `f${i}.parquet`);
      await db.run(`COPY (select range::BIGINT as id, (range * 1.5)::DOUBLE as total from range(${i * 100}, ${i * 100 + 100})) TO ${sql(path)} (FORMAT parquet)`);
      const categoria = i % 2 === 0 ? 'Café ☕' : 'a=b';
      files.push({ key: `categoria=${i % 2 === 0 ? 'Café ☕' : 'a%3Db'}/part-0000${i}-c000.snappy.parquet`, bytes: readFileSync(path), categoria });
    }
    for (const file of files.slice(0, 8)) await put(file.key, file.bytes);

    // History: v0 f0 f1 · v1 +f2 · v2 -f0 +f3 · v3 -f1 · v4 +f4 · v5..v9 no file change · v10 +f5.
    await put(commitKey(0), commit({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, deltaMetadata(['categoria']), add(0), add(1)));
    await put(commitKey(1), commit(add(2)));
    await put(commitKey(2), commit(remove(0), add(3)));
    await put(commitKey(3), commit(remove(1)));
    await put(commitKey(4), commit(add(4)));
    for (let v = 5; v <= 9; v++) await put(commitKey(v), commit({ txn: { appId: 'stream-1', version: v, lastUpdated: 1764374400000 } }));
    await put(commitKey(10), commit(add(5)));
    // Spark's checkpoint of version 10: the live files as add rows, f0 and f1 as tombstones.
    const checkpoint = await checkpointParquet(db, dir, [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, deltaMetadata(['categoria']),
      { txn: { appId: 'stream-1', version: 9, lastUpdated: 1764374400000 } },
      add(2), add(3), add(4), add(5), remove(0), remove(1),
    ].map(withoutDataChange));
    await put(checkpointKey(10), checkpoint);
    await put('_delta_log/_last_checkpoint', JSON.stringify({ version: 10, size: 9, sizeInBytes: checkpoint.length }));
    // Log retention removed the commits before the checkpoint; VACUUM removed f1 but not yet f0.
    await del(...Array.from({ length: 10 }, (_, v) => commitKey(v)), files[1]!.key);
    await put(commitKey(11), commit(remove(2), add(6)));
    await put(commitKey(12), commit(add(7)));
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  /** count and sum(id) DuckDB reads from the given files of a restored prefix. */
  async function duckdbReads(prefix: string, keys: string[]): Promise<[number, number]> {
    const local = tempDir('lake-deltacp-restored');
    await downloadPrefix(open.store, bucket, prefix, local);
    const row = (await db.runAndReadAll(`select count(*)::BIGINT, sum(id)::BIGINT from read_parquet([${keys.map((k) => sql(join(local, k))).join(', ')}])`)).getRows()[0]!;
    return [Number(row[0]), Number(row[1])];
  }

  const ids = (...numbers: number[]) => numbers.reduce((sum, i) => sum + (i * 100 * 100 + (99 * 100) / 2), 0);

  /** backup → restore to a new prefix → validate (full): the restored prefix holds exactly `expected`. */
  async function backupRestoreValidate(restored: string, expected: string[]): Promise<any> {
    const backup = ok(await run('backup', 'create', uri));
    const shown = ok(await run('backup', 'show', backup.id));
    expect(shown.files.map((f: any) => f.relativeKey).sort()).toEqual([...expected].sort());
    ok(await run('backup', 'restore', backup.id, '--to', `s3://${bucket}/${restored}`));
    expect(Object.keys(await objectsUnder(open.store, bucket, restored)).sort()).toEqual([...expected].sort());
    const validation = ok(await run('validate', backup.id, `s3://${bucket}/${restored}`, '--level', 'full'));
    expect(validation).toMatchObject({ ok: true, differences: [], fileErrors: [] });
    return backup;
  }

  it('a single-file Parquet checkpoint: live files from its add/remove rows plus the commits after it', async () => {
    const inspected = ok(await run('table', 'inspect', uri));
    expect(inspected).toMatchObject({ format: 'delta', delta: { version: 12, latestVersion: 12, replayedFrom: 10, liveFiles: 5, partitionColumns: ['categoria'] }, totals: { files: 5, rows: 500 } });
    expect(inspected.files.map((f: any) => f.key)).toEqual([3, 4, 5, 6, 7].map((i) => files[i]!.key).sort());
    // f0 was removed (a tombstone in the checkpoint) but not vacuumed: under the prefix, not in the version.
    expect(inspected.excluded.examples).toContain(files[0]!.key);

    const live = [3, 4, 5, 6, 7].map((i) => files[i]!.key);
    const backup = await backupRestoreValidate('restored/cp-single/', [checkpointKey(10), '_delta_log/_last_checkpoint', commitKey(10), commitKey(11), commitKey(12), ...live]);
    expect(backup).toMatchObject({ generation: 'delta-v12', rows: 500 });
    const restored = ok(await run('table', 'inspect', `s3://${bucket}/restored/cp-single/`));
    expect(restored.delta).toMatchObject({ version: 12, replayedFrom: 10, liveFiles: 5 });
    expect(await duckdbReads('restored/cp-single/', live)).toEqual([500, ids(3, 4, 5, 6, 7)]);

    // Versions at and after the checkpoint are readable; before it the commits are gone.
    const v10 = ok(await run('table', 'inspect', uri, '--delta-version', '10'));
    expect(v10).toMatchObject({ delta: { version: 10, replayedFrom: 10, liveFiles: 4 }, totals: { rows: 400 } });
    expect(v10.files.map((f: any) => f.key)).toEqual([2, 3, 4, 5].map((i) => files[i]!.key).sort());
    const v9 = await run('table', 'inspect', uri, '--delta-version', '9');
    expect(v9).toMatchObject({ code: 2, json: { error: { code: 'USAGE' } } });
    expect(v9.json.error.message).toMatch(/version 9 is gone \(log cleaned up\); versions 10\.\.12 are readable/);
  });

  it('a multi-part checkpoint is read only when every part is there, and the backup carries every part', async () => {
    const part1 = await checkpointParquet(db, dir, [{ protocol: { minReaderVersion: 1, minWriterVersion: 2 } }, deltaMetadata(['categoria']), add(3), add(4)].map(withoutDataChange));
    const part2 = await checkpointParquet(db, dir, [add(5), add(6), add(7), remove(2), remove(0)].map(withoutDataChange));
    await put(checkpointKey(12, { part: 1, parts: 2 }), part1);
    // Only part 1 so far: the checkpoint is incomplete and replay still starts at checkpoint 10.
    expect(ok(await run('table', 'inspect', uri)).delta).toMatchObject({ version: 12, replayedFrom: 10 });
    await put(checkpointKey(12, { part: 2, parts: 2 }), part2);
    await put('_delta_log/_last_checkpoint', JSON.stringify({ version: 12, size: 8, parts: 2 }));
    // Log retention again: the old checkpoint and the commits before 12 go.
    await del(checkpointKey(10), commitKey(10), commitKey(11));

    const inspected = ok(await run('table', 'inspect', uri));
    expect(inspected).toMatchObject({ delta: { version: 12, replayedFrom: 12, liveFiles: 5 }, totals: { rows: 500 } });
    const live = [3, 4, 5, 6, 7].map((i) => files[i]!.key);
    await backupRestoreValidate('restored/cp-parts/', [checkpointKey(12, { part: 1, parts: 2 }), checkpointKey(12, { part: 2, parts: 2 }), '_delta_log/_last_checkpoint', commitKey(12), ...live]);
    expect(await duckdbReads('restored/cp-parts/', live)).toEqual([500, ids(3, 4, 5, 6, 7)]);
  });

  it('V2 checkpoints (UUID-named Parquet, then JSON) are read with their sidecar files, which the backup copies', async () => {
    await put(files[8]!.key, files[8]!.bytes);
    await put(commitKey(13), commit(remove(3)));
    const v2Protocol = { protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] } };
    // The file actions live in two sidecars; the checkpoint names them.
    const sidecarA = await checkpointParquet(db, dir, [add(4), add(5)].map(withoutDataChange));
    const sidecarB = await checkpointParquet(db, dir, [add(6), add(7), remove(3)].map(withoutDataChange));
    const sidecarKeys = ['_delta_log/_sidecars/016ae953-37a9-438e-8683-9a9a4a79a395.parquet', '_delta_log/_sidecars/3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet'];
    await put(sidecarKeys[0]!, sidecarA);
    await put(sidecarKeys[1]!, sidecarB);
    const sidecar = (key: string, bytes: Buffer) => ({ sidecar: { path: deltaPath(key.slice('_delta_log/_sidecars/'.length)), sizeInBytes: bytes.length, modificationTime: 1764374400000 } });
    const v2Key = '_delta_log/00000000000000000013.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.parquet';
    await put(v2Key, await checkpointParquet(db, dir, [
      { checkpointMetadata: { version: 13 } }, v2Protocol, deltaMetadata(['categoria']), sidecar(sidecarKeys[0]!, sidecarA), sidecar(sidecarKeys[1]!, sidecarB),
    ], { v2: true }));
    await put('_delta_log/_last_checkpoint', JSON.stringify({ version: 13, size: 5, v2Checkpoint: { path: v2Key.slice('_delta_log/'.length) } }));
    await del(checkpointKey(12, { part: 1, parts: 2 }), checkpointKey(12, { part: 2, parts: 2 }), commitKey(12));
    await put(commitKey(14), commit(add(8)));

    const inspected = ok(await run('table', 'inspect', uri));
    expect(inspected).toMatchObject({ delta: { version: 14, replayedFrom: 13, liveFiles: 5, readerFeatures: ['v2Checkpoint'] }, totals: { rows: 500 } });
    const live = [4, 5, 6, 7, 8].map((i) => files[i]!.key);
    await backupRestoreValidate('restored/cp-v2/', [v2Key, ...sidecarKeys, '_delta_log/_last_checkpoint', commitKey(13), commitKey(14), ...live]);
    expect(await duckdbReads('restored/cp-v2/', live)).toEqual([500, ids(4, 5, 6, 7, 8)]);

    // A V2 checkpoint may also be newline-delimited JSON; its sidecar holds every file action.
    const sidecarC = await checkpointParquet(db, dir, [add(4), add(5), add(6), add(7), add(8)].map(withoutDataChange));
    const sidecarCKey = '_delta_log/_sidecars/c6c2e7f3-5a43-4f0e-9a55-0d7a4b3c2b11.parquet';
    await put(sidecarCKey, sidecarC);
    const jsonKey = '_delta_log/00000000000000000014.checkpoint.5e0b1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4.json';
    await put(jsonKey, commit({ checkpointMetadata: { version: 14 } }, v2Protocol, deltaMetadata(['categoria']), sidecar(sidecarCKey, sidecarC)));
    await del(v2Key, commitKey(13), ...sidecarKeys);
    await put('_delta_log/_last_checkpoint', JSON.stringify({ version: 14, size: 4 }));
    const fromJson = ok(await run('table', 'inspect', uri));
    expect(fromJson).toMatchObject({ delta: { version: 14, replayedFrom: 14, liveFiles: 5 }, totals: { rows: 500 } });
    await backupRestoreValidate('restored/cp-v2-json/', [jsonKey, sidecarCKey, '_delta_log/_last_checkpoint', commitKey(14), ...live]);
  });
});

/** Checkpoints record file actions with dataChange = false (they change no data). */
function withoutDataChange(action: any): object {
  for (const type of ['add', 'remove']) if (action[type]) return { [type]: { ...action[type], dataChange: false } };
  return action;
}
