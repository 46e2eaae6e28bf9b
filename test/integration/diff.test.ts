import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Float64, makeData, RecordBatch, Struct, Table } from 'apache-arrow';
import { generateSalesBatch, SALES_SCHEMA } from '../../src/datagen/sales';
import { diffSnapshots } from '../../src/diff';
import { writeArrowTable } from '../../src/api/write-arrow';
import { resolveFileSet } from '../../src/api/subjects';
import { parseS3Uri } from '../../src/store/location';
import type { OpenStore } from '../../src/store/open';
import { resolveTable } from '../../src/table/table-ref';
import { openTestStore, removeBucket, TARGET, testConfig, uniqueBucket } from '../support/target';
import { cli, duckdb, objectsUnder, sql, tempDir, type Run } from './lake-fixtures';

const ROWS = 20_000;

/** The sales rows with `total` changed where `change` says (same schema, one batch per input batch). */
function withTotals(table: Table, change: (id: bigint, total: number) => number): Table {
  return new Table(table.batches.map((batch) => {
    const ids = batch.getChild('id')!.toArray() as BigInt64Array;
    const totals = Float64Array.from(batch.getChild('total')!.toArray() as Float64Array, (total, i) => change(ids[i]!, total));
    const children = SALES_SCHEMA.fields.map((field, index) => (field.name === 'total'
      ? makeData({ type: new Float64(), length: batch.numRows, nullCount: 0, data: totals })
      : batch.data.children[index]!));
    return new RecordBatch(SALES_SCHEMA, makeData({ type: new Struct(SALES_SCHEMA.fields), length: batch.numRows, nullCount: 0, children }));
  }));
}

/**
 * `lakevault diff` through the CLI (dist/) on the suite's S3 server. Table b is table a
 * with 1 % of its rows changed (200 totals), 50 rows deleted, 30 added and one row
 * duplicated: 250 rows removed, 231 added. DuckDB's EXCEPT ALL over local copies of the
 * same files is the independent answer, for the counts and for the rows written by --out.
 */
describe(`lakevault diff (${TARGET})`, () => {
  jest.setTimeout(600_000);
  let open: OpenStore;
  const bucket = uniqueBucket('diff');
  const env = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp` };
  const config = testConfig(env);
  const dir = tempDir('diff');
  const run = (...args: string[]) => cli(args, env);
  const local: Record<string, string> = {};

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  /** Every Parquet object under a prefix, downloaded into a fresh directory. */
  async function download(prefix: string, label: string): Promise<string> {
    const to = join(dir, label);
    mkdirSync(to, { recursive: true });
    for (const [key] of Object.entries(await objectsUnder(open.store, bucket, prefix))) {
      if (key.endsWith('.parquet')) writeFileSync(join(to, key.replace(/\//g, '_')), await open.store.getBytes(bucket, prefix + key));
    }
    return to;
  }

  const parquet = (at: string) => `read_parquet(${sql(join(at, '*.parquet'))})`;

  async function count(query: string): Promise<number> {
    const db = await duckdb();
    return Number((await db.runAndReadAll(`select count(*)::BIGINT from (${query})`)).getRows()[0]![0]);
  }

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    const base = generateSalesBatch(21, 1, ROWS);
    await writeArrowTable(open.store, resolveTable(config, 'base'), base, { rowsPerFile: 5_000, rowGroupRows: 2_048, overwrite: false });
    const changed = withTotals(base, (id, total) => (id % 100n === 0n ? total + 1 : total));
    const b = new Table([...changed.slice(50).batches, ...generateSalesBatch(21, ROWS + 1, 30).batches, ...changed.slice(776, 777).batches]);
    await writeArrowTable(open.store, resolveTable(config, 'changed'), b, { rowsPerFile: 5_000, rowGroupRows: 2_048, overwrite: false });
    local.base = await download('warehouse/base/data/', 'base');
    local.changed = await download('warehouse/changed/data/', 'changed');
  });
  afterAll(async () => {
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(open, b);
    await open.close();
  });

  it('two tables: rows added and removed as DuckDB\'s EXCEPT ALL counts them; --out writes exactly those rows with _change_type', async () => {
    const removed = await count(`select * from ${parquet(local.base!)} except all select * from ${parquet(local.changed!)}`);
    const added = await count(`select * from ${parquet(local.changed!)} except all select * from ${parquet(local.base!)}`);
    expect({ removed, added }).toEqual({ removed: 250, added: 231 });

    const result = ok(await run('diff', 'base', 'changed', '--out', `s3://${bucket}/changes/base-changed/`));
    expect(result).toMatchObject({
      sameRows: false, sameFiles: false, schema: { equal: true, differences: [] },
      files: { same: 0, changed: [], matchedByContent: 0, readA: 4, readB: 4 },
      rows: { compared: true, a: ROWS, b: ROWS - 50 + 30 + 1, read: 2 * ROWS - 50 + 30 + 1, added, removed, unchanged: ROWS - removed },
      changes: { uri: `s3://${bucket}/changes/base-changed/`, rows: added + removed, files: 1 },
      notes: [],
    });
    expect(result.files.onlyInA).toHaveLength(4);
    expect(result.files.onlyInB).toHaveLength(4);

    // The changes table validates, and holds exactly DuckDB's answer, row for row.
    expect(ok(await run('validate', `s3://${bucket}/changes/base-changed/`, '--level', 'full'))).toMatchObject({ ok: true });
    const changes = await download('changes/base-changed/data/', 'changes');
    const ofType = (type: string) => `select * exclude (_change_type) from ${parquet(changes)} where _change_type = '${type}'`;
    const exceptBoth = async (x: string, y: string) => [await count(`${x} except all ${y}`), await count(`${y} except all ${x}`)];
    expect(await exceptBoth(ofType('removed'), `select * from ${parquet(local.base!)} except all select * from ${parquet(local.changed!)}`)).toEqual([0, 0]);
    expect(await exceptBoth(ofType('added'), `select * from ${parquet(local.changed!)} except all select * from ${parquet(local.base!)}`)).toEqual([0, 0]);
    expect(await count(`select * from ${parquet(changes)} where _change_type not in ('added', 'removed')`)).toBe(0);
  });

  it('spilled to disk by hash partition, with the changed rows picked out in several rounds: the same answer', async () => {
    const a = await resolveFileSet(open.store, config, 'base');
    const b = await resolveFileSet(open.store, config, 'changed');
    const result = await diffSnapshots(open.store, a, b, { memoryBudgetBytes: 16 * 1024, out: parseS3Uri(`s3://${bucket}/changes/spilled/`) });
    expect(result.memory.spilledBytes).toBeGreaterThan(0);
    expect(result.rows).toMatchObject({ added: 231, removed: 250 });
    expect(result.changes).toMatchObject({ rows: 481 });
    const spilled = await download('changes/spilled/data/', 'spilled');
    const changes = await download('changes/base-changed/data/', 'changes-again');
    expect([await count(`select * from ${parquet(spilled)} except all select * from ${parquet(changes)}`), await count(`select * from ${parquet(changes)} except all select * from ${parquet(spilled)}`)]).toEqual([0, 0]);
  });

  it('a table and its backup: the same files, nothing read; a backup against the changed table: the same rows as table against table', async () => {
    const backup = ok(await run('backup', 'create', 'base'));
    const same = ok(await run('diff', 'base', backup.id));
    expect(same).toMatchObject({ sameRows: true, sameFiles: true, files: { same: 4, changed: [], onlyInA: [], onlyInB: [], matchedByContent: 4, readA: 0, readB: 0 }, rows: { read: 0, added: 0, removed: 0, unchanged: ROWS } });
    const across = ok(await run('diff', backup.id, 'changed'));
    expect(across).toMatchObject({ a: { kind: 'backup' }, b: { kind: 'table' }, rows: { added: 231, removed: 250 } });
  });

  it('a compacted table against its checkpoint: other files, the same rows', async () => {
    const checkpoint = ok(await run('checkpoint', 'create', 'base'));
    ok(await run('table', 'compact', 'base', '--target-rows', '20000'));
    const result = ok(await run('diff', checkpoint.id, 'base'));
    expect(result).toMatchObject({ sameRows: true, sameFiles: false, files: { readA: 4, readB: 1 }, rows: { read: 2 * ROWS, added: 0, removed: 0 } });
  });

  it('a prefix DuckDB wrote (nullable columns) against the table: rows compared by value', async () => {
    const db = await duckdb();
    const written = join(dir, 'duck.parquet');
    await db.run(`COPY (select * from ${parquet(local.changed!)} where id % 3 <> 0) TO ${sql(written)} (FORMAT parquet)`);
    await open.store.put(bucket, 'duck/part-0.parquet', (await import('node:fs')).readFileSync(written));
    const expected = await count(`select * from ${parquet(local.changed!)} where id % 3 = 0`);
    const result = ok(await run('diff', 'changed', `s3://${bucket}/duck/`));
    expect(result).toMatchObject({ b: { kind: 'prefix' }, schema: { equal: true }, rows: { added: 0, removed: expected } });
  });

  it('a file whose rows are not what its manifest records is named; a missing file fails the diff, naming it', async () => {
    const table = resolveTable(config, 'edited');
    await writeArrowTable(open.store, table, generateSalesBatch(21, 1, 6_000), { rowsPerFile: 2_000, rowGroupRows: 2_048, overwrite: false });
    const manifestKey = `${table.location.prefix}_lakevault/table.json`;
    const manifest = JSON.parse(Buffer.from(await open.store.getBytes(bucket, manifestKey)).toString('utf8'));
    const recorded = manifest.files[1].digest;
    manifest.files[1].digest = manifest.files[0].digest;
    await open.store.put(bucket, manifestKey, JSON.stringify(manifest));
    const result = ok(await run('diff', 'base', 'edited'));
    expect(result.rows).toMatchObject({ removed: ROWS - 6_000, added: 0 });
    expect(result.notes).toEqual([`${manifestKey.replace('_lakevault/table.json', '')}${manifest.files[1].key}: its rows read back as content ${recorded}, its manifest records ${manifest.files[0].digest} (lakevault validate --level full says more)`]);

    await open.store.deleteKeys(bucket, [table.location.prefix + manifest.files[2].key]);
    const missing = await run('diff', 'base', 'edited');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(new RegExp(`^lakevault: error: .*${manifest.files[2].key.replace(/\./g, '\\.')}.*not found\n$`));
  });

  it('bad input: one line, the right exit code, nothing written', async () => {
    await open.store.put(bucket, 'occupied/x.txt', 'here');
    const before = await objectsUnder(open.store, bucket, '');
    for (const [args, code, message] of [
      [['--out', `s3://${bucket}/occupied/`], 1, `--out s3://${bucket}/occupied/ is not empty (found occupied/x.txt): give an empty prefix`],
      [['--out', `s3://${bucket}/warehouse/base/changes/`], 2, `--out (s3://${bucket}/warehouse/base/changes/) and table base (s3://${bucket}/warehouse/base/) overlap: one lies inside the other; choose separate locations`],
      [['--out', '/tmp/changes'], 2, '--out must be an s3:// prefix, got "/tmp/changes"'],
      [['--memory-mb', '8'], 2, '--memory-mb must be a whole number from 16 to 65,536, got "8"'],
    ] as const) {
      const result = await run('diff', 'base', 'changed', ...args);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: `lakevault: error: ${message}\n` });
    }
    const missing = await run('diff', 'base', 'nosuchtable');
    expect(missing.code).toBe(1);
    expect(await objectsUnder(open.store, bucket, '')).toEqual(before);
  });
});
