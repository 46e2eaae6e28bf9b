import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenStore } from '../../src/store/open';
import { seriesName } from '../../src/snapshot/identity';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import {
  CATEGORIES, cli, commit, commitKey, DELTA_PROTOCOL, deltaAdd, deltaMetadata, deltaRemove, duckdb, objectsUnder, salesQuery, sql, tempDir, uploadDir, type Run,
} from './lake-fixtures';

/**
 * Disaster recovery of tables lakevault did not write: `drill`, `checkpoint create` and
 * `recover` on an s3:// prefix without a lakevault manifest (DuckDB's Hive-partitioned
 * output, a Delta table), and `--delta-version` for `table inspect` and `validate`.
 */
describe(`disaster recovery of prefixes lakevault did not write (${TARGET})`, () => {
  jest.setTimeout(600_000);
  let open: OpenStore;
  const home = uniqueBucket('lake-dr');
  const env = { LAKEVAULT_BACKUPS: `s3://${home}/backups`, LAKEVAULT_CHECKPOINTS: `s3://${home}/checkpoints`, LAKEVAULT_WAREHOUSE: `s3://${home}/warehouse` };
  const run = (...args: string[]) => cli(args, env);
  const dir = tempDir('lake-dr');
  const buckets: string[] = [home];
  let hive: string;
  const delta: Record<string, Buffer> = {};
  const deltaKeys = { a: 'categoria=Café ☕/part-00000-a.snappy.parquet', b: 'categoria=Café ☕/part-00001-b.snappy.parquet', c: 'categoria=a%3Db/part-00002-c.snappy.parquet', d: 'categoria=a%3Db/part-00003-d.snappy.parquet' };

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  /** Every key under the prefix with its bytes. */
  async function contents(bucket: string, prefix: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const key of Object.keys(await objectsUnder(open.store, bucket, prefix))) out[key] = Buffer.from(await open.store.getBytes(bucket, prefix + key)).toString('base64');
    return out;
  }

  /** A fresh bucket holding a DuckDB Hive-partitioned sales dataset plus _SUCCESS and a .crc file. */
  async function hiveTable(label: string): Promise<{ bucket: string; prefix: string }> {
    const bucket = uniqueBucket(label);
    buckets.push(bucket);
    await open.store.ensureBucket(bucket);
    const prefix = 'lake/vendas hive/';
    await uploadDir(open.store, bucket, prefix, hive);
    await open.store.put(bucket, prefix + '_SUCCESS', new Uint8Array(0));
    await open.store.put(bucket, prefix + '.part-00000.parquet.crc', Buffer.from('crc32c'));
    return { bucket, prefix };
  }

  /** A fresh bucket holding a Delta table at version 2: v0 +a, v1 -a +b, v2 +c (a is removed, not vacuumed). */
  async function deltaTable(label: string): Promise<{ bucket: string; prefix: string }> {
    const bucket = uniqueBucket(label);
    buckets.push(bucket);
    await open.store.ensureBucket(bucket);
    const prefix = 'lake/eventos/';
    for (const name of ['a', 'b', 'c'] as const) await open.store.put(bucket, prefix + deltaKeys[name], delta[name]!);
    await open.store.put(bucket, prefix + commitKey(0), commit(DELTA_PROTOCOL, deltaMetadata(['categoria']), deltaAdd(deltaKeys.a, delta.a!.length, { categoria: 'Café ☕' })));
    await open.store.put(bucket, prefix + commitKey(1), commit(deltaRemove(deltaKeys.a), deltaAdd(deltaKeys.b, delta.b!.length, { categoria: 'Café ☕' })));
    await open.store.put(bucket, prefix + commitKey(2), commit(deltaAdd(deltaKeys.c, delta.c!.length, { categoria: 'a=b' })));
    return { bucket, prefix };
  }

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(home);
    const db = await duckdb();
    hive = join(dir, 'vendas');
    await db.run(`COPY (${salesQuery(3_000)}) TO ${sql(hive)} (FORMAT parquet, PARTITION_BY (categoria))`);
    for (const [name, from] of [['a', 0], ['b', 100], ['c', 200], ['d', 300]] as const) {
      const path = join(dir, `delta-${name}.parquet`);
      await db.run(`COPY (select range::BIGINT as id, (range * 1.5)::DOUBLE as total from range(${from}, ${from + 100})) TO ${sql(path)} (FORMAT parquet)`);
      delta[name] = readFileSync(path);
    }
  });
  afterAll(async () => {
    for (const bucket of buckets) await removeBucket(open, bucket);
    await open.close();
  });

  for (const disaster of ['delete-prefix', 'delete-objects', 'corrupt-object', 'drop-bucket']) {
    it(`drill (${disaster}) of a Hive-partitioned DuckDB prefix: every key back byte-exact, SUCCESS`, async () => {
      const { bucket, prefix } = await hiveTable(`lake-dr-${disaster}`);
      const before = await contents(bucket, prefix);
      const report = ok(await run('drill', `s3://${bucket}/${prefix}`, '--disaster', disaster));
      expect(report).toMatchObject({
        table: 'vendas hive', disaster, status: 'SUCCESS', recovery_valid: true,
        original_records: 3_000, recovered_records: 3_000, objects: CATEGORIES.length + 2,
      });
      expect(report.validation).toMatchObject({ ok: true, level: 'full' });
      expect(report.disaster_detail.objectsAffected).toBeGreaterThan(0);
      // delete-objects takes the data files and leaves _SUCCESS and the .crc; corrupt-object hits a data file.
      if (disaster === 'delete-objects') expect(report.disaster_detail).toMatchObject({ objectsAffected: CATEGORIES.length, detail: expect.stringMatching(/kept its metadata/) });
      if (disaster === 'corrupt-object') expect(report.disaster_detail.detail).toMatch(/of categoria=.*\.parquet$/);
      expect(report.checkpoint_location).toBe(`s3://${home}/checkpoints/${seriesName({ bucket, prefix })}/${report.checkpoint_id}/`);
      expect(await contents(bucket, prefix)).toEqual(before);
      // No lakevault manifest was written into the engine's prefix.
      expect(Object.keys(before).some((key) => key.startsWith('_lakevault'))).toBe(false);
    });
  }

  for (const disaster of ['delete-objects', 'corrupt-object']) {
    it(`drill (${disaster}) of a Delta table: the live files come back, the log is untouched, SUCCESS`, async () => {
      const { bucket, prefix } = await deltaTable(`lake-dr-delta-${disaster}`);
      const before = await contents(bucket, prefix);
      const report = ok(await run('drill', `s3://${bucket}/${prefix}`, '--disaster', disaster));
      expect(report).toMatchObject({ table: 'eventos', status: 'SUCCESS', original_records: 200, recovered_records: 200, objects: 5 });
      // The disaster aimed at the live data files (b, c), never at the log.
      if (disaster === 'delete-objects') expect(report.disaster_detail.objectsAffected).toBe(2);
      if (disaster === 'corrupt-object') expect(report.disaster_detail.detail).toContain(deltaKeys.b);
      // a (removed at v1, not vacuumed) is not part of the version: untouched, still there.
      expect(await contents(bucket, prefix)).toEqual(before);
    });
  }

  it('drill (delete-prefix) of a Delta table with an un-vacuumed file is refused before anything, naming the file', async () => {
    const { bucket, prefix } = await deltaTable('lake-dr-delta-prefix');
    const before = await contents(bucket, prefix);
    const checkpointsBefore = await objectsUnder(open.store, home, 'checkpoints/');
    const result = await run('drill', `s3://${bucket}/${prefix}`, '--disaster', 'delete-prefix');
    expect(result.code).toBe(1);
    // a was removed at v1: the checkpoint holds version 2's files only, so deleting a would lose it.
    expect(result.stderr).toContain(`refusing the delete-prefix disaster: its checkpoint of table eventos would not bring back 1 object(s) it destroys`);
    expect(result.stderr).toContain(`s3://${bucket}/${prefix}${deltaKeys.a}`);
    expect(await contents(bucket, prefix)).toEqual(before);
    expect(await objectsUnder(open.store, home, 'checkpoints/')).toEqual(checkpointsBefore);
  });

  it('checkpoint create → loss → recover of a Delta table; recover refuses a log that moved past the checkpoint', async () => {
    const { bucket, prefix } = await deltaTable('lake-dr-delta-recover');
    const uri = `s3://${bucket}/${prefix}`;
    const before = await contents(bucket, prefix);
    const checkpoint = ok(await run('checkpoint', 'create', uri));
    expect(checkpoint).toMatchObject({ generation: 'delta-v2', objects: 5, rows: 200 });

    // Loss: every object under the prefix.
    await open.store.deleteKeys(bucket, Object.keys(before).map((key) => prefix + key));
    const recovered = ok(await run('recover', uri, '--latest', '--level', 'full'));
    expect(recovered).toMatchObject({ checkpoint_id: checkpoint.id, recovered_records: 200, recovery_valid: true });
    // The version's files and log come back; a (removed, never part of v2) is not in the checkpoint.
    const { [deltaKeys.a]: removedFile, ...version2 } = before;
    expect(removedFile).toBeDefined();
    expect(await contents(bucket, prefix)).toEqual(version2);
    expect(ok(await run('table', 'inspect', uri))).toMatchObject({ delta: { version: 2, liveFiles: 2 }, totals: { rows: 200 } });

    // A writer commits version 3; losing a data file now and recovering to the v2 checkpoint
    // would leave commit 3 in charge: refused, nothing changed.
    await open.store.put(bucket, prefix + deltaKeys.d, delta.d!);
    await open.store.put(bucket, prefix + commitKey(3), commit(deltaAdd(deltaKeys.d, delta.d!.length, { categoria: 'a=b' })));
    await open.store.deleteKeys(bucket, [prefix + deltaKeys.b]);
    const now = await contents(bucket, prefix);
    const refused = await run('recover', uri, '--latest');
    expect(refused).toMatchObject({ code: 1, json: { error: { code: 'CONFLICT' } } });
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/Delta table at version 3 or later; restoring version 2 over it/);
    expect(await contents(bucket, prefix)).toEqual(now);
  });

  it('--delta-version: inspect and validate read the table as that version; only its live files count', async () => {
    const { bucket, prefix } = await deltaTable('lake-dr-delta-version');
    const uri = `s3://${bucket}/${prefix}`;
    const v1 = ok(await run('table', 'inspect', uri, '--delta-version', '1'));
    expect(v1).toMatchObject({ format: 'delta', delta: { version: 1, latestVersion: 2, liveFiles: 1 }, totals: { files: 1, rows: 100 } });
    expect(v1.files.map((f: any) => f.key)).toEqual([deltaKeys.b]);
    const text = await cli(['table', 'inspect', uri, '--delta-version', '0'], env, false);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/format: delta, version 0 of 2 \(1 log files\); 1 data files/);

    const validated = ok(await run('validate', uri, '--delta-version', '1', '--level', 'full'));
    expect(validated).toMatchObject({ ok: true, level: 'full' });
    expect(validated.subjects[0]).toMatchObject({ label: `delta table ${uri} version 1`, dataFiles: 1, metadataFiles: 2, rows: 100 });
    const latest = ok(await run('validate', uri));
    expect(latest.subjects[0]).toMatchObject({ dataFiles: 2, metadataFiles: 3, rows: 200 });

    // A backup of version 1 equals the live table read as version 1, and differs from the newest.
    const backup = ok(await run('backup', 'create', uri, '--delta-version', '1'));
    ok(await run('validate', backup.id, uri, '--delta-version', '1', '--level', 'full'));
    const different = await run('validate', backup.id, uri);
    expect(different).toMatchObject({ code: 1, json: { ok: false } });
    expect(different.json.differences.length).toBeGreaterThan(0);
  });

  it('--delta-version is a one-line usage error (exit 2) where it does not apply, changing nothing', async () => {
    const { bucket, prefix } = await deltaTable('lake-dr-delta-usage');
    const uri = `s3://${bucket}/${prefix}`;
    await open.store.put(bucket, 'plain/part-0.parquet', delta.a!);
    const ownTable = ok(await run('table', 'create', `s3://${bucket}/ours`, '--rows', '100'));
    expect(ownTable.rows).toBe(100);
    const backup = ok(await run('backup', 'create', uri));
    const before = await contents(bucket, '');

    const cases: [string[], RegExp][] = [
      [['table', 'inspect', uri, '--delta-version', '7'], /has no version 7 \(latest is 2\)/],
      [['validate', uri, '--delta-version', '7'], /has no version 7 \(latest is 2\)/],
      [['table', 'inspect', `s3://${bucket}/plain/`, '--delta-version', '0'], /applies to Delta tables; .* has no _delta_log/],
      [['validate', `s3://${bucket}/plain/`, '--delta-version', '0'], /applies to Delta tables; .* has no _delta_log/],
      [['table', 'inspect', `s3://${bucket}/ours`, '--delta-version', '0'], /is a lakevault table/],
      [['validate', `s3://${bucket}/ours`, '--delta-version', '0'], /is a lakevault table/],
      [['validate', backup.id, '--delta-version', '1'], /not to a backup or checkpoint/],
      [['validate', uri, '--delta-version', '-1'], /--delta-version/],
      [['table', 'inspect', uri, '--delta-version', 'two'], /--delta-version/],
    ];
    for (const [args, message] of cases) {
      const result = await run(...args);
      expect({ args, code: result.code, error: result.json?.error?.code }).toEqual({ args, code: 2, error: 'USAGE' });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
    expect(await contents(bucket, '')).toEqual(before);
  });
});
