import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapePathName, unescapePathName } from '../../src/lake/hive';
import { parseS3Uri } from '../../src/store/location';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { writeTable } from '../../src/table/write';
import { generateSalesBatch, SALES_SCHEMA } from '../../src/datagen/sales';
import { readTableManifest, TABLE_MANIFEST, type TableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { itWith, openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { compactTable } from '../../src/compact';
import { COMPACTION_JOURNAL } from '../../src/compact/journal';
import type { ObjectStore } from '../../src/store/types';

/** The store, with `action` run once right after the first PUT of a key `match` accepts: another writer at work. */
function afterPut(store: ObjectStore, match: (key: string) => boolean, action: () => Promise<void>): ObjectStore {
  let fired = false;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'put') {
        return async (...args: Parameters<ObjectStore['put']>) => {
          const stored = await target.put(...args);
          if (!fired && match(args[1])) { fired = true; await action(); }
          return stored;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
import { CATEGORIES, cli, duckdb, figures, filesUnder, objectsUnder, salesQuery, sql, tempDir, uploadDir, type Run } from './lake-fixtures';

/**
 * `table compact` through the CLI (dist/) on the suite's S3 server: a lakevault table of
 * many small files, a Hive-partitioned prefix written by DuckDB with Spark's key escapes,
 * and what must be refused. DuckDB reads the files before and after: the same rows.
 */
describe(`table compact (${TARGET})`, () => {
  jest.setTimeout(600_000);
  let open: OpenStore;
  const bucket = uniqueBucket('compact');
  const env = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp` };
  const config = { warehouse: parseS3Uri(env.LAKEVAULT_WAREHOUSE) };
  const dir = tempDir('compact');
  const run = (...args: string[]) => cli(args, env);
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => {
    for (const b of [bucket, `${bucket}-bk`]) await removeBucket(open, b);
    await open.close();
  });

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  /** The table's data files downloaded into a fresh directory (for DuckDB). */
  async function download(table: TableRef, manifest: TableManifest, label: string): Promise<string> {
    const to = join(dir, label);
    mkdirSync(to, { recursive: true });
    for (const file of manifest.files) writeFileSync(join(to, file.key.replace(/\//g, '_')), await open.store.getBytes(bucket, table.location.prefix + file.key));
    return to;
  }

  /** Rows in one and not the other, both ways, as DuckDB counts them (EXCEPT ALL: a bag, duplicates count). */
  async function exceptAll(a: string, b: string): Promise<[number, number]> {
    const db = await duckdb();
    const count = async (x: string, y: string) => Number((await db.runAndReadAll(`select count(*)::BIGINT from (select * from ${x} except all select * from ${y})`)).getRows()[0]![0]);
    return [await count(a, b), await count(b, a)];
  }

  it('a table of 60 small files becomes 4; the content digest is equal, proven before the switch; old files go; DuckDB reads the same rows', async () => {
    const table = resolveTable(config, 'small');
    await createSalesTable(open.store, table, { rows: 30_000, seed: 9, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
    const before = (await readTableManifest(open.store, table.location))!;
    const beforeDir = await download(table, before, 'before');

    const result = ok(await run('table', 'compact', 'small', '--target-rows', '8000'));
    expect(result).toMatchObject({
      compacted: true, mode: 'manifest', replacedGeneration: before.generation,
      before: { files: 60, rows: 30_000 }, after: { files: 4, rows: 30_000 },
      partitions: [{ directory: 'data/', inputFiles: 60, outputFiles: 4, rows: 30_000 }],
      keptFiles: 0, removedFiles: 60,
      contentDigest: { before: before.contentDigest, after: before.contentDigest, verified: true },
    });
    const after = (await readTableManifest(open.store, table.location))!;
    expect(after.generation).toBe(result.generation);
    expect(after.contentDigest).toBe(before.contentDigest);
    expect(after.files.map((f) => [f.key, f.rows])).toEqual([0, 1, 2, 3].map((i) => [`data/part-0000${i}-${result.generation}.parquet`, 7_500]));
    expect(after.source).toMatchObject({ generator: 'sales', seed: 9, compactedFrom: before.generation });
    // Only the new files and the manifest remain: no journal, no old file.
    expect(Object.keys(await objectsUnder(open.store, bucket, table.location.prefix)).sort()).toEqual([TABLE_MANIFEST, ...after.files.map((f) => f.key)].sort());
    // Row groups as table create sizes them (the default 262,144 holds a whole 7,500-row file).
    expect(after.files.every((f) => f.rowGroups === 1)).toBe(true);

    const validation = ok(await run('validate', 'small', '--level', 'full'));
    expect(validation.subjects[0]).toMatchObject({ rows: 30_000, contentDigest: before.contentDigest });

    const afterDir = await download(table, after, 'after');
    const [removed, added] = await exceptAll(`read_parquet(${sql(join(beforeDir, '*.parquet'))})`, `read_parquet(${sql(join(afterDir, '*.parquet'))})`);
    expect({ removed, added }).toEqual({ removed: 0, added: 0 });

    // Compacting again finds nothing to do and changes nothing.
    const again = ok(await run('table', 'compact', 'small', '--target-rows', '8000'));
    expect(again).toMatchObject({ compacted: false, before: { files: 4 }, after: { files: 4 } });
    expect((await readTableManifest(open.store, table.location))!.generation).toBe(after.generation);
  });

  it('files large enough stay as they are; backups after a compaction copy the new files in full and reuse the kept ones; the backup restores and validates', async () => {
    const table = resolveTable(config, 'backed');
    // Files of 9,000, 500, 500, 500 and 9,000 rows: with a 10,000-row target the three small ones merge, the others stay.
    const sizes = [9_000, 500, 500, 500, 9_000];
    const starts = sizes.map((_, i) => 1 + sizes.slice(0, i).reduce((a, b) => a + b, 0));
    await writeTable(open.store, table, {
      schema: SALES_SCHEMA, totalRows: 19_500, fileCount: sizes.length, rowGroupRows: 4_096, overwrite: false, overwriteHint: '--overwrite',
      filePart: (i) => generateSalesBatch(10, starts[i]!, sizes[i]!), source: { generator: 'sales', seed: 10 },
    });
    const before = (await readTableManifest(open.store, table.location))!;
    const first = ok(await run('backup', 'create', 'backed'));
    expect({ copied: first.copied.objects, reused: first.reused.objects }).toEqual({ copied: 5, reused: 0 });

    const compacted = ok(await run('table', 'compact', 'backed', '--target-rows', '10000'));
    expect(compacted).toMatchObject({ compacted: true, before: { files: 5 }, after: { files: 3, rows: 19_500 }, keptFiles: 2, removedFiles: 3 });
    expect(compacted.notes.join('\n')).toMatch(/the 1 new file\(s\) .* incremental reuse cannot apply to them: the next backup copies them in full; the 2 file\(s\) compaction left as they were can still be referenced from earlier backups/);
    const after = (await readTableManifest(open.store, table.location))!;
    const kept = [before.files[0]!, before.files[4]!];
    expect(after.files.filter((f) => !f.key.includes(compacted.generation))).toEqual(kept);
    expect(after.contentDigest).toBe(before.contentDigest);

    const second = ok(await run('backup', 'create', 'backed'));
    expect({ copied: second.copied.objects, reused: second.reused.objects }).toEqual({ copied: 1, reused: 2 });
    const restored = ok(await run('backup', 'restore', second.id, '--to', 'backed-restored', '--level', 'full'));
    expect(restored).toMatchObject({ ok: true, rows: 19_500, objects: 3 });
    // The backup before the compaction and the one after hold the same content in different layouts.
    const compared = ok(await run('validate', first.id, second.id, '--level', 'full'));
    expect(compared).toMatchObject({ ok: true, differences: [] });
    expect(compared.subjects[0].contentDigest).toBe(compared.subjects[1].contentDigest);
  });

  it('--target-file-mb sizes the new files by the bytes per row of the files merged', async () => {
    const table = resolveTable(config, 'bymb');
    await createSalesTable(open.store, table, { rows: 200_000, seed: 11, rowsPerFile: 4_000, rowGroupRows: 4_000, overwrite: false });
    const before = (await readTableManifest(open.store, table.location))!;
    const result = ok(await run('table', 'compact', 'bymb', '--target-file-mb', '1'));
    const bytesPerRow = before.totals.bytes / before.totals.rows;
    const targetRows = Math.floor((1024 * 1024) / bytesPerRow);
    expect(result).toMatchObject({ compacted: true, target: { fileMb: 1 }, after: { files: Math.ceil(200_000 / targetRows), rows: 200_000 } });
    const after = (await readTableManifest(open.store, table.location))!;
    // Merged rows compress a little better than they did in small files: at most the target.
    for (const file of after.files) expect(file.bytes).toBeLessThanOrEqual(1024 * 1024);
  });

  it('refuses, changing nothing, when the rows read differ from the digests the manifest records', async () => {
    const table = resolveTable(config, 'tampered');
    await createSalesTable(open.store, table, { rows: 4_000, seed: 12, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
    const manifestKey = table.location.prefix + TABLE_MANIFEST;
    const manifest = JSON.parse(Buffer.from(await open.store.getBytes(bucket, manifestKey)).toString('utf8'));
    // A file whose recorded digest is not its content's (the manifest edited, or the file replaced by other rows).
    const other = (await readTableManifest(open.store, resolveTable(config, 'small').location))!.files[0]!.digest;
    manifest.files[3].digest = other;
    await open.store.put(bucket, manifestKey, JSON.stringify(manifest));
    const objects = await objectsUnder(open.store, bucket, table.location.prefix);
    const result = await run('table', 'compact', 'tampered', '--target-rows', '4000');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^lakevault: error: the rows read from the 8 files to compact have content bag1:\w+, their manifest records bag1:\w+: .*nothing was switched\n$/);
    expect(await objectsUnder(open.store, bucket, table.location.prefix)).toEqual(objects);
  });

  it('refuses a manifest whose file key leaves the table prefix, before reading or writing anything', async () => {
    const table = resolveTable(config, 'hostile');
    await createSalesTable(open.store, table, { rows: 2_000, seed: 13, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
    const manifestKey = table.location.prefix + TABLE_MANIFEST;
    const manifest = JSON.parse(Buffer.from(await open.store.getBytes(bucket, manifestKey)).toString('utf8'));
    manifest.files[1].key = '../small/_lakevault/table.json';
    await open.store.put(bucket, manifestKey, JSON.stringify(manifest));
    const everything = await objectsUnder(open.store, bucket, 'warehouse/');
    const result = await run('table', 'compact', 'hostile', '--target-rows', '4000');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: `lakevault: error: manifest s3://${bucket}/${manifestKey}: key "../small/_lakevault/table.json" leaves the table prefix: it has a ".." segment\n` });
    expect(await objectsUnder(open.store, bucket, 'warehouse/')).toEqual(everything);
  });

  it('refuses a journal that names a key outside the table (undoing it would delete another table\'s manifest): nothing is done', async () => {
    const table = resolveTable(config, 'hostile-journal');
    await createSalesTable(open.store, table, { rows: 2_000, seed: 17, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
    const journal = {
      format: 'lakevault.compaction', formatVersion: 1, generation: 'G', from: 'F', startedAt: new Date().toISOString(),
      mode: 'manifest', state: 'writing', writes: ['data/../../small/_lakevault/table.json'], replaces: [],
    };
    await open.store.put(bucket, table.location.prefix + COMPACTION_JOURNAL, JSON.stringify(journal));
    const everything = await objectsUnder(open.store, bucket, 'warehouse/');
    const result = await run('table', 'compact', 'hostile-journal', '--target-rows', '4000');
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 1,
      stderr: `lakevault: error: compaction journal s3://${bucket}/${table.location.prefix}${COMPACTION_JOURNAL} (nothing was done): key "data/../../small/_lakevault/table.json" leaves the table prefix: it has a ".." segment\n`,
    });
    expect(await objectsUnder(open.store, bucket, 'warehouse/')).toEqual(everything);
  });

  it('another writer replaces the table during the compaction: nothing is switched, the compaction\'s files are removed, the writer\'s table stands', async () => {
    const table = resolveTable(config, 'raced');
    // The other writer overwrites the table when the compaction has written its first new file (it then fails reading
    // files that are gone), or its last (it then finds another manifest before switching): a conflict either way.
    for (const [label, written] of [['first', 'part-00000-'], ['last', 'part-00002-']] as const) {
      await createSalesTable(open.store, table, { rows: 6_000, seed: 14, rowsPerFile: 500, rowGroupRows: 500, overwrite: true });
      const ours = (await readTableManifest(open.store, table.location))!;
      let theirs: TableManifest | undefined;
      const racing = afterPut(open.store, (key) => key.startsWith(table.location.prefix + 'data/' + written), async () => {
        await createSalesTable(open.store, table, { rows: 3_000, seed: 15, rowsPerFile: 1_000, rowGroupRows: 1_000, overwrite: true });
        theirs = (await readTableManifest(open.store, table.location))!;
      });
      const failure = await compactTable(racing, table, 'raced', { target: { rows: 2_000 } }).then(() => undefined, (error: Error) => error);
      expect({ label, message: failure?.message }).toEqual({ label, message: `table ${table.uri} was changed by another writer during the compaction (generation ${ours.generation} → ${theirs!.generation}); nothing was switched` });
      const now = (await readTableManifest(open.store, table.location))!;
      expect(now).toEqual(theirs);
      expect(Object.keys(await objectsUnder(open.store, bucket, table.location.prefix)).sort()).toEqual([TABLE_MANIFEST, ...now.files.map((f) => f.key)].sort());
    }
  });

  it('a file of the table is missing: the compaction fails naming it, removes what it wrote, and the table is as it was', async () => {
    const table = resolveTable(config, 'holed');
    await createSalesTable(open.store, table, { rows: 4_000, seed: 16, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
    const manifest = (await readTableManifest(open.store, table.location))!;
    await open.store.deleteKeys(bucket, [table.location.prefix + manifest.files[5]!.key]);
    const objects = await objectsUnder(open.store, bucket, table.location.prefix);
    const result = await run('table', 'compact', 'holed', '--target-rows', '4000');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(manifest.files[5]!.key);
    expect(await objectsUnder(open.store, bucket, table.location.prefix)).toEqual(objects);
    expect((await readTableManifest(open.store, table.location))!).toEqual(manifest);
  });

  itWith('sse-kms')('new files are stored encrypted as the files they replace (SSE-KMS, RGW testing key testkey-1)', async () => {
    const table = resolveTable(config, 'sealed');
    await createSalesTable(open.store, table, { rows: 3_000, seed: 17, rowsPerFile: 500, rowGroupRows: 500, overwrite: false, encryption: { sse: 'aws:kms', kmsKeyId: 'testkey-1' } });
    ok(await run('table', 'compact', 'sealed', '--target-rows', '3000'));
    const after = (await readTableManifest(open.store, table.location))!;
    expect(after.files).toHaveLength(1);
    const head = (await open.store.head(bucket, table.location.prefix + after.files[0]!.key))!;
    expect({ sse: head.serverSideEncryption, key: head.kmsKeyId }).toEqual({ sse: 'aws:kms', key: 'testkey-1' });
  });

  itWith('sse-kms')('a prefix of SSE-KMS files: compacted into SSE-KMS files, or — where the server stores a copy unencrypted — refused before the switch, unchanged', async () => {
    const db = await duckdb();
    const written = join(dir, 'sealed-prefix');
    for (let run = 0; run < 2; run++) {
      await db.run(`COPY (select * from (${salesQuery(1_000)}) where (id // 6) % 2 = ${run}) TO ${sql(written)} (FORMAT parquet, PARTITION_BY (categoria), APPEND, FILENAME_PATTERN ${sql(`part-${run}-{uuid}`)})`);
    }
    const source = 'lake/sealed/';
    for (const key of filesUnder(written)) await open.store.put(bucket, source + key, readFileSync(join(written, key)), { encryption: { sse: 'aws:kms', kmsKeyId: 'testkey-1' } });
    const before = await objectsUnder(open.store, bucket, source);
    const result = await run('table', 'compact', `s3://${bucket}/${source}`);
    const after = await objectsUnder(open.store, bucket, source);
    if (result.code === 0) {
      const finals = Object.keys(after).filter((key) => key.includes(result.json.generation));
      expect(finals).toHaveLength(CATEGORIES.length);
      for (const key of finals) expect((await open.store.head(bucket, source + key))!.serverSideEncryption).toBe('aws:kms');
    } else {
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/^lakevault: error: the new files of s3:\/\/.* cannot be copied into place with SSE-KMS with key testkey-1, as the files they replace are stored \(.*\); nothing was switched\n$/) });
      expect(after).toEqual(before);
    }
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    for (const [args, message] of [
      [['--target-rows', '0'], '--target-rows must be a whole number from 1 to 2,000,000, got "0"'],
      [['--target-rows', '10', '--target-file-mb', '1'], '--target-rows and --target-file-mb each set the file size: give one'],
      [['--target-file-mb', '1e3'], '--target-file-mb must be a whole number from 1 to 4,096, got "1e3"'],
    ] as const) {
      const result = await run('table', 'compact', 'small', ...args);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: `lakevault: error: ${message}\n` });
    }
    const missing = await run('table', 'compact', 'nosuchtable');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lakevault: error: table "nosuchtable" not found/);
  });

  it('a Hive-partitioned prefix (DuckDB, Spark\'s escapes): compacted within each partition, keys byte for byte, noise untouched; DuckDB reads the same rows', async () => {
    const db = await duckdb();
    const values = [...CATEGORIES, 'hash#tag & more'];
    const written = join(dir, 'hive');
    // Five appends: five files in every partition.
    for (let run = 0; run < 5; run++) {
      await db.run(`COPY (select * from (${salesQuery(7_000, values)}) where id % 5 = ${run}) TO ${sql(written)} (FORMAT parquet, PARTITION_BY (categoria), APPEND, FILENAME_PATTERN ${sql(`part-${run}-{uuid}`)})`);
    }
    const source = 'lake/hive vendas/';
    // Keys as Spark names them: Hive's escapePathName (unicode, spaces, '+', '&' raw; '%', '=', '#' as %XX).
    await uploadDir(open.store, bucket, source, written, (key) => {
      const [partition, name] = key.split('/') as [string, string];
      return `categoria=${escapePathName(unescapePathName(partition.slice('categoria='.length)))}/${name}`;
    });
    const noise = ['_SUCCESS', 'categoria=Café ☕/.part-0.parquet.crc', 'categoria=100%25 Algodão/_committed_42'];
    for (const key of noise) await open.store.put(bucket, source + key, Buffer.from(`left by the writer: ${key}`));
    const before = await objectsUnder(open.store, bucket, source);
    const directories = [...new Set(Object.keys(before).filter((k) => k.endsWith('.parquet')).map((k) => k.slice(0, k.lastIndexOf('/') + 1)))].sort();
    expect(directories).toHaveLength(values.length);
    expect(directories).toEqual(expect.arrayContaining(['categoria=Café ☕/', 'categoria=a%3Db/', 'categoria=100%25 Algodão/', 'categoria=hash%23tag & more/']));
    const uri = `s3://${bucket}/${source}`;
    const contentBefore = ok(await run('validate', uri, '--level', 'full')).subjects[0].contentDigest;

    const result = ok(await run('table', 'compact', uri));
    expect(result).toMatchObject({ compacted: true, mode: 'prefix', before: { files: 5 * values.length, rows: 7_000 }, after: { files: values.length, rows: 7_000 }, removedFiles: 5 * values.length, contentDigest: { verified: true } });
    expect(result.partitions.map((p: any) => [p.directory, p.inputFiles, p.outputFiles])).toEqual(directories.map((d) => [d, 5, 1]));
    expect(result.notes[0]).toMatch(/^a prefix has no manifest to switch at once: for \d+ ms .* a reader of the prefix could see both$/);

    const after = await objectsUnder(open.store, bucket, source);
    expect(Object.keys(after).sort()).toEqual([...noise, ...directories.map((d) => `${d}part-00000-${result.generation}.parquet`)].sort());
    for (const key of noise) expect(after[key]).toEqual(before[key]);
    expect(ok(await run('validate', uri, '--level', 'full')).subjects[0].contentDigest).toBe(contentBefore);

    const local = join(dir, 'hive-after');
    for (const key of Object.keys(after).filter((k) => k.endsWith('.parquet'))) {
      mkdirSync(join(local, key.slice(0, key.lastIndexOf('/'))), { recursive: true });
      writeFileSync(join(local, key), await open.store.getBytes(bucket, source + key));
    }
    const read = (at: string) => `read_parquet(${sql(join(at, '*/*.parquet'))}, hive_partitioning = true)`;
    expect(await figures(db, read(local))).toEqual(await figures(db, read(written)));
    const [removed, added] = await exceptAll(read(written), read(local));
    expect({ removed, added }).toEqual({ removed: 0, added: 0 });
  });

  it('a prefix file rewritten by another writer during the compaction: nothing is switched, the staged files and the journal go', async () => {
    const source = 'lake/raced/';
    const db = await duckdb();
    const written = join(dir, 'raced');
    for (let run = 0; run < 3; run++) {
      await db.run(`COPY (select * from (${salesQuery(3_000)}) where (id // 6) % 3 = ${run}) TO ${sql(written)} (FORMAT parquet, PARTITION_BY (categoria), APPEND, FILENAME_PATTERN ${sql(`part-${run}-{uuid}`)})`);
    }
    const keys = await uploadDir(open.store, bucket, source, written);
    const victim = keys[0]!;
    const racing = afterPut(open.store, (key) => key === source + COMPACTION_JOURNAL, async () => {
      await open.store.put(bucket, victim, await open.store.getBytes(bucket, keys[1]!));
    });
    const uri = `s3://${bucket}/${source}`;
    const before = await objectsUnder(open.store, bucket, source);
    await expect(compactTable(racing, resolveTable(config, uri), uri, { target: { rows: 1_000_000 } })).rejects.toThrow(/changed during the compaction .* was rewritten\); nothing was switched/);
    const after = await objectsUnder(open.store, bucket, source);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const key of keys.filter((k) => k !== victim)) expect(after[key.slice(source.length)]).toEqual(before[key.slice(source.length)]);
  });

  it('a Delta table is refused (its own engine compacts it, in its log)', async () => {
    const source = 'lake/delta/';
    await open.store.put(bucket, `${source}_delta_log/00000000000000000000.json`, '{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}\n');
    const result = await run('table', 'compact', `s3://${bucket}/${source}`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^lakevault: error: s3:\/\/.* is a Delta table: compact it with its own engine/);
  });
});
