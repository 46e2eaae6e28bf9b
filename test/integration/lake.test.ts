import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapePathName, unescapePathName } from '../../src/lake/hive';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';
import { parseS3Uri } from '../../src/store/location';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { resolveTable } from '../../src/table/table-ref';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { openTableSource } from '../../src/sources/registry';
import {
  CATEGORIES, cli, commit, commitKey, DELTA_PROTOCOL, deltaAdd, deltaMetadata, deltaRemove, downloadPrefix, duckdb, figures, filesUnder,
  objectsUnder, salesQuery, sql, tempDir, uploadDir, type Run,
} from './lake-fixtures';

/**
 * Tables lakevault did not write, end to end through the CLI: backup create of an s3://
 * prefix → backup restore --to another prefix → validate (full) → the engine that wrote
 * the table reads the restored copy exactly as the original.
 */
describe(`tables lakevault did not write (${TARGET})`, () => {
  jest.setTimeout(600_000); // several CLI processes per test on a shared 2-core machine
  let open: OpenStore;
  const bucket = uniqueBucket('lake');
  const env = { LAKEVAULT_BACKUPS: `s3://${bucket}/backups`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}/checkpoints`, LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse` };
  const dir = tempDir('lake');
  const run = (...args: string[]) => cli(args, env);
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  /** Every object under a is under b with the same key and the same bytes. */
  async function expectSameObjects(a: string, b: string): Promise<void> {
    const objectsA = await objectsUnder(open.store, bucket, a);
    const objectsB = await objectsUnder(open.store, bucket, b);
    expect(Object.keys(objectsB).sort()).toEqual(Object.keys(objectsA).sort());
    for (const [key, [size, etag]] of Object.entries(objectsA)) {
      expect({ key, size: objectsB[key]![0], etag: objectsB[key]![1] }).toEqual({ key, size, etag });
      if (key.endsWith('/')) continue;
      expect(Buffer.from(await open.store.getBytes(bucket, b + key)).equals(Buffer.from(await open.store.getBytes(bucket, a + key)))).toBe(true);
    }
  }

  async function backupRestoreValidate(source: string, restored: string, extra: string[] = []): Promise<{ backup: any; restore: any; validation: any }> {
    const backup = ok(await run('backup', 'create', `s3://${bucket}/${source}`, ...extra));
    const restore = ok(await run('backup', 'restore', backup.id, '--to', `s3://${bucket}/${restored}`));
    expect(restore).toMatchObject({ ok: true, mode: 'new', objects: backup.objects, rows: backup.rows });
    const validation = ok(await run('validate', backup.id, `s3://${bucket}/${restored}`, '--level', 'full'));
    expect(validation).toMatchObject({ ok: true, level: 'full', differences: [], fileErrors: [] });
    return { backup, restore, validation };
  }

  it('a Hive-partitioned sales dataset written by DuckDB: backup → restore → validate (full) → DuckDB reads the same', async () => {
    const db = await duckdb();
    const written = join(dir, 'vendas');
    await db.run(`COPY (${salesQuery(20_000)}) TO ${sql(written)} (FORMAT parquet, PARTITION_BY (categoria))`);
    const original = await figures(db, `read_parquet(${sql(join(written, '*/*.parquet'))}, hive_partitioning = true)`);
    expect(original).toMatchObject({ count: 20_000, categories: [...CATEGORIES].sort() });

    const source = 'lake/vendas/';
    const dataKeys = await uploadDir(open.store, bucket, source, written);
    expect(dataKeys).toContain(`${source}categoria=Caf%C3%A9%20%E2%98%95/data_0.parquet`);
    await open.store.put(bucket, source + '_SUCCESS', new Uint8Array(0));
    await open.store.put(bucket, source + 'categoria=Casa%2BJardim/.data_0.parquet.crc', Buffer.from([0x63, 0x72, 0x63, 0, 0, 0, 2, 0x5a]));

    const { backup, validation } = await backupRestoreValidate(source, 'restored/vendas/');
    expect(backup).toMatchObject({ objects: CATEGORIES.length + 2, rows: 20_000 });
    // validate counts rows of data files only and reports the rest as metadata.
    for (const subject of validation.subjects) expect(subject).toMatchObject({ files: 8, dataFiles: 6, metadataFiles: 2, rows: 20_000, complete: true });
    expect(validation.subjects[0].contentDigest).toBe(validation.subjects[1].contentDigest);
    await expectSameObjects(source, 'restored/vendas/');

    const local = join(dir, 'restored-vendas');
    await downloadPrefix(open.store, bucket, 'restored/vendas/', local);
    expect(filesUnder(local)).toEqual(filesUnder(written).concat(['_SUCCESS', 'categoria=Casa%2BJardim/.data_0.parquet.crc']).sort());
    const restored = await figures(db, `read_parquet(${sql(join(local, '*/*.parquet'))}, hive_partitioning = true)`);
    expect(restored).toEqual(original);
  });

  it('Spark-style keys (raw unicode, emoji, spaces, "+", "&", "#", %XX) and layout noise survive byte-exact', async () => {
    const db = await duckdb();
    const values = [...CATEGORIES, 'hash#tag & more'];
    const written = join(dir, 'spark');
    await db.run(`COPY (${salesQuery(5_000, values)}) TO ${sql(written)} (FORMAT parquet, PARTITION_BY (categoria))`);
    const source = 'lake/spark vendas/';
    // Keys as Spark names them: Hive's escapePathName (unicode, spaces, '+', '&' raw; '%', '=', '#' as %XX).
    await uploadDir(open.store, bucket, source, written, (key) =>
      `categoria=${escapePathName(unescapePathName(key.split('/')[0]!.slice('categoria='.length)))}/part-00000-8d1f-c000.snappy.parquet`);
    const noise = ['_SUCCESS', 'categoria=Café ☕/.part-00000-8d1f-c000.snappy.parquet.crc', 'categoria=100%25 Algodão/_committed_42',
      '_temporary/0/_temporary/attempt_1/part-00001.parquet', 'categoria=hash%23tag & more/'];
    for (const key of noise) await open.store.put(bucket, source + key, key.endsWith('/') ? new Uint8Array(0) : Buffer.from(`left by the writer: ${key}`));
    const keys = Object.keys(await objectsUnder(open.store, bucket, source));
    expect(keys).toEqual(expect.arrayContaining(['categoria=Café ☕/part-00000-8d1f-c000.snappy.parquet', 'categoria=a%3Db/part-00000-8d1f-c000.snappy.parquet', 'categoria=Eletrônicos & Cia/part-00000-8d1f-c000.snappy.parquet', 'categoria=dois  espaços/part-00000-8d1f-c000.snappy.parquet']));

    const { backup } = await backupRestoreValidate(source, 'restored/spark vendas/');
    expect(backup).toMatchObject({ objects: values.length + noise.length, rows: 5_000 });
    await expectSameObjects(source, 'restored/spark vendas/');
    const local = join(dir, 'restored-spark');
    await downloadPrefix(open.store, bucket, 'restored/spark vendas/', local);
    const restored = await figures(db, `read_parquet(${sql(join(local, 'categoria=*/*.parquet'))}, hive_partitioning = true)`);
    const original = await figures(db, `read_parquet(${sql(join(written, '*/*.parquet'))}, hive_partitioning = true)`);
    expect(restored).toEqual(original);
    expect(restored.categories).toEqual([...values].sort());
  });

  describe('a Delta table (log written here in Delta\'s JSON commit format)', () => {
    const source = 'lake/delta vendas/';
    const keys = { a: 'categoria=Café ☕/part-00000-a.snappy.parquet', b: 'categoria=Café ☕/part-00001-b.snappy.parquet', c: 'categoria=a%3Db/part-00002-c.snappy.parquet', d: 'categoria=a%3Db/part-00003-d.snappy.parquet' };
    const bytes: Record<string, Buffer> = {};
    beforeAll(async () => {
      const db = await duckdb();
      for (const [name, from] of [['a', 0], ['b', 100], ['c', 200], ['d', 300]] as const) {
        const path = join(dir, `delta-${name}.parquet`);
        await db.run(`COPY (select range::BIGINT as id, (range * 1.5)::DOUBLE as total from range(${from}, ${from + 100})) TO ${sql(path)} (FORMAT parquet)`);
        bytes[name] = readFileSync(path);
      }
      for (const name of ['a', 'b', 'c'] as const) await open.store.put(bucket, source + keys[name], bytes[name]!);
      await open.store.put(bucket, source + commitKey(0), commit(DELTA_PROTOCOL, deltaMetadata(['categoria']), deltaAdd(keys.a, bytes.a!.length, { categoria: 'Café ☕' })));
      await open.store.put(bucket, source + commitKey(1), commit(deltaRemove(keys.a), deltaAdd(keys.b, bytes.b!.length, { categoria: 'Café ☕' })));
      await open.store.put(bucket, source + commitKey(2), commit(deltaAdd(keys.c, bytes.c!.length, { categoria: 'a=b' })));
    });

    it('backs up exactly the live files of the chosen version plus the log up to it', async () => {
      const backup = ok(await run('backup', 'create', `s3://${bucket}/${source}`, '--delta-version', '1'));
      expect(backup).toMatchObject({ generation: 'delta-v1', objects: 3, rows: 100 });
      const shown = ok(await run('backup', 'show', backup.id));
      expect(shown.files.map((f: any) => [f.relativeKey, f.kind ?? 'data'])).toEqual([[commitKey(0), 'metadata'], [commitKey(1), 'metadata'], [keys.b, 'data']]);

      const restore = ok(await run('backup', 'restore', backup.id, '--to', `s3://${bucket}/restored/delta-v1/`));
      expect(restore).toMatchObject({ ok: true, objects: 3 });
      expect(Object.keys(await objectsUnder(open.store, bucket, 'restored/delta-v1/')).sort()).toEqual([commitKey(0), commitKey(1), keys.b].sort());
      ok(await run('validate', backup.id, `s3://${bucket}/restored/delta-v1/`, '--level', 'full'));
      // The restored table's newest version is the one backed up.
      const inspected = ok(await run('table', 'inspect', `s3://${bucket}/restored/delta-v1/`));
      expect(inspected).toMatchObject({ format: 'delta', delta: { version: 1, latestVersion: 1, liveFiles: 1 }, totals: { files: 1, rows: 100 } });
    });

    it('is consistent with one version while a writer commits meanwhile: the later commit is not in the backup', async () => {
      const config = { backups: parseS3Uri(`s3://${bucket}/backups`) };
      let committed = false;
      // The writer commits version 3 (adding d) right after the backup has read the log and starts copying.
      const racing = new Proxy(open.store, {
        get(target, property, receiver) {
          if (property !== 'copy') return Reflect.get(target, property, receiver);
          return async (...args: Parameters<ObjectStore['copy']>) => {
            if (!committed) {
              committed = true;
              await target.put(bucket, source + keys.d, bytes.d!);
              await target.put(bucket, source + commitKey(3), commit(deltaAdd(keys.d, bytes.d!.length, { categoria: 'a=b' })));
            }
            return target.copy(...args);
          };
        },
      });
      const result = await createSnapshot(racing, backupRepository(config), resolveTable({ warehouse: config.backups }, `s3://${bucket}/${source}`), openTableSource, { concurrency: 4 });
      expect(committed).toBe(true);
      expect(result).toMatchObject({ generation: 'delta-v2', objects: 5, rows: 200, attempts: 1 });
      const shown = ok(await run('backup', 'show', result.id));
      expect(shown.files.map((f: any) => f.relativeKey)).toEqual([commitKey(0), commitKey(1), commitKey(2), keys.b, keys.c]);

      const restore = ok(await run('backup', 'restore', result.id, '--to', `s3://${bucket}/restored/delta-v2/`));
      expect(restore).toMatchObject({ ok: true, rows: 200 });
      const validation = ok(await run('validate', result.id, `s3://${bucket}/restored/delta-v2/`, '--level', 'full'));
      expect(validation.subjects[1]).toMatchObject({ label: `delta table s3://${bucket}/restored/delta-v2/ version 2`, dataFiles: 2, metadataFiles: 3, rows: 200 });
      // The source now reads as version 3 (300 rows); the backup as version 2.
      const now = ok(await run('validate', `s3://${bucket}/${source}`));
      expect(now.subjects[0]).toMatchObject({ rows: 300, dataFiles: 3 });
      // DuckDB reads the restored version's live files: 200 rows, ids 100..299.
      const local = join(dir, 'restored-delta');
      await downloadPrefix(open.store, bucket, 'restored/delta-v2/', local);
      const db = await duckdb();
      const rows = (await db.runAndReadAll(`select count(*)::BIGINT, min(id), max(id) from read_parquet([${[keys.b, keys.c].map((k) => sql(join(local, k))).join(', ')}])`)).getRows()[0]!;
      expect(rows.map(Number)).toEqual([200, 100, 299]);
    });

    it('refuses a version the log does not have, and --delta-version on a prefix that is not Delta', async () => {
      const missing = await run('backup', 'create', `s3://${bucket}/${source}`, '--delta-version', '99');
      expect(missing).toMatchObject({ code: 2, json: { error: { code: 'USAGE' } } });
      expect(missing.json.error.message).toMatch(/has no version 99 \(latest is [23]\)/);
      await open.store.put(bucket, 'lake/plain/part-0.parquet', bytes.a!);
      const notDelta = await run('backup', 'create', `s3://${bucket}/lake/plain/`, '--delta-version', '1');
      expect(notDelta).toMatchObject({ code: 2, json: { error: { code: 'USAGE' } } });
      expect(notDelta.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it('a prefix with a schema-drifted file: inspect reports the drift; backup, restore and validate still agree', async () => {
    const db = await duckdb();
    const source = 'lake/drift/';
    const old = join(dir, 'drift-old.parquet');
    const newer = join(dir, 'drift-new.parquet');
    await db.run(`COPY (select range::BIGINT as id, (1 + range % 10)::INTEGER as quantidade, (range * 2.5)::DOUBLE as total from range(0, 1000)) TO ${sql(old)} (FORMAT parquet)`);
    await db.run(`COPY (select range::BIGINT as id, (1 + range % 10)::BIGINT as quantidade, (range * 2.5)::DOUBLE as total, 0.1::DOUBLE as desconto from range(1000, 1500)) TO ${sql(newer)} (FORMAT parquet)`);
    await open.store.put(bucket, source + 'part-00000.parquet', readFileSync(old));
    await open.store.put(bucket, source + 'part-00001.parquet', readFileSync(newer));

    const inspected = ok(await run('table', 'inspect', `s3://${bucket}/${source}`));
    expect(inspected.drift).toEqual([
      expect.objectContaining({ change: 'widened', field: 'quantidade', types: ['Int32', 'Int64'], files: ['part-00000.parquet'] }),
      expect.objectContaining({ change: 'added', field: 'desconto', files: ['part-00000.parquet'] }),
    ]);
    expect(inspected.schema.map((f: any) => `${f.name} ${f.type}`)).toEqual(['id Int64', 'quantidade Int64', 'total Float64', 'desconto Float64']);
    const text = await cli(['table', 'inspect', `s3://${bucket}/${source}`], env, false);
    expect(text.stdout).toMatch(/schema drift:\n {2}widened: column "quantidade" widened Int32 → Int64/);

    // validate of the prefix alone: the drift is noted, not a failure.
    const alone = ok(await run('validate', `s3://${bucket}/${source}`, '--level', 'full'));
    expect(alone.notes.join('\n')).toMatch(/schema drift: 1 file\(s\) have their own schema/);
    const { backup } = await backupRestoreValidate(source, 'restored/drift/');
    expect(backup).toMatchObject({ objects: 2, rows: 1_500 });
    await expectSameObjects(source, 'restored/drift/');
  });

  it('checkpoint → disaster (objects deleted, one overwritten) → recover brings back every key byte-exact', async () => {
    const source = 'lake/recover me/';
    const db = await duckdb();
    await db.run(`COPY (${salesQuery(600)}) TO ${sql(join(dir, 'recover'))} (FORMAT parquet, PARTITION_BY (categoria))`);
    await uploadDir(open.store, bucket, source, join(dir, 'recover'), (key) =>
      `categoria=${escapePathName(unescapePathName(key.split('/')[0]!.slice('categoria='.length)))}/part 0 + ☕ & #.parquet`);
    await open.store.put(bucket, source + '_SUCCESS', new Uint8Array(0));
    const before: Record<string, Buffer> = {};
    for (const key of Object.keys(await objectsUnder(open.store, bucket, source))) before[key] = Buffer.from(await open.store.getBytes(bucket, source + key));
    expect(Object.keys(before)).toContain('categoria=Café ☕/part 0 + ☕ & #.parquet');

    const checkpoint = ok(await run('checkpoint', 'create', `s3://${bucket}/${source}`));
    expect(checkpoint).toMatchObject({ objects: CATEGORIES.length + 1, rows: 600 });
    const keys = Object.keys(before);
    await open.store.deleteKeys(bucket, keys.slice(0, 3).map((key) => source + key));
    await open.store.put(bucket, source + keys[4]!, Buffer.from('not parquet any more'));

    const recovered = ok(await run('recover', `s3://${bucket}/${source}`, '--latest', '--level', 'full'));
    expect(recovered).toMatchObject({ checkpoint_id: checkpoint.id, recovered_records: 600, recovery_valid: true });
    const after = await objectsUnder(open.store, bucket, source);
    expect(Object.keys(after).sort()).toEqual(keys.sort());
    for (const key of keys) expect(Buffer.from(await open.store.getBytes(bucket, source + key)).equals(before[key]!)).toBe(true);
  });

  it('restore refuses a non-empty target and a target inside the source, changing nothing', async () => {
    const source = 'lake/small/';
    const db = await duckdb();
    await db.run(`COPY (select range::BIGINT as id from range(10)) TO ${sql(join(dir, 'small.parquet'))} (FORMAT parquet)`);
    await open.store.put(bucket, source + 'part-0.parquet', readFileSync(join(dir, 'small.parquet')));
    const backup = ok(await run('backup', 'create', `s3://${bucket}/${source}`));
    await open.store.put(bucket, 'occupied/t/keep.txt', 'mine');
    const occupied = await run('backup', 'restore', backup.id, '--to', `s3://${bucket}/occupied/t`);
    expect(occupied).toMatchObject({ code: 1, json: { error: { code: 'CONFLICT' } } });
    expect(Object.keys(await objectsUnder(open.store, bucket, 'occupied/t/'))).toEqual(['keep.txt']);
    const inside = await run('backup', 'restore', backup.id, '--to', `s3://${bucket}/${source}restored`);
    expect(inside).toMatchObject({ code: 2, json: { error: { code: 'USAGE' } } });
    expect(Object.keys(await objectsUnder(open.store, bucket, source))).toEqual(['part-0.parquet']);
  });
});
