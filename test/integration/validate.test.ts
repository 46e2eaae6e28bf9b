import { Field, Int64 } from 'apache-arrow';
import { openTestStore, removeBucket, uniqueBucket, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { writeTableManifest, type TableManifest } from '../../src/table/manifest';
import { tableFileSet } from '../../src/table/file-set';
import { type FileSet } from '../../src/model/file-set';
import { compareFileSets, validateFileSet, type ValidationReport } from '../../src/validate';
import { duckdbCountAndSum, expectedTotalCents, int64Column, salesParts, withColumns, writeTable } from './validate-fixtures';

/** Only what a test asserts on, so a failure shows what the validator said. */
function summary(report: ValidationReport) {
  return { ok: report.ok, differences: report.differences.map((d) => d.message), fileErrors: report.fileErrors.map((e) => `${e.file}: ${e.error}`) };
}

describe(`validator on ${TARGET}`, () => {
  let open: OpenStore;
  let store: ObjectStore;
  const bucket = uniqueBucket('validate');
  const table = (name: string): TableRef => resolveTable({ warehouse: { bucket, prefix: 'warehouse/' } }, name);
  const fileSet = (ref: TableRef, manifest: TableManifest): FileSet => tableFileSet(ref, manifest);
  const ROWS = 60_000;
  let a: FileSet;
  let aManifest: TableManifest;
  const aParts = salesParts(ROWS, 25_000);

  /** b = a's objects copied server-side, then changed by `mutate`; b's manifest as `edit` says. */
  async function copyOfA(name: string, mutate: (ref: TableRef) => Promise<void> = async () => undefined, edit: (m: TableManifest) => TableManifest = (m) => m): Promise<FileSet> {
    const ref = table(name);
    for (const file of aManifest.files) await store.copy(bucket, a.files[0]!.key.replace(a.files[0]!.relativeKey, '') + file.key, bucket, ref.location.prefix + file.key);
    await mutate(ref);
    const manifest = edit(structuredClone({ ...aManifest, name }));
    await writeTableManifest(store, ref.location, manifest);
    return fileSet(ref, manifest);
  }

  beforeAll(async () => {
    open = await openTestStore();
    store = open.store;
    await store.ensureBucket(bucket);
    const ref = table('a');
    aManifest = await writeTable(store, ref, aParts, { rowGroupRows: 10_000 });
    a = fileSet(ref, aManifest);
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('finds an intact table clean at both levels, and its rows and sum(total) agree with DuckDB', async () => {
    for (const level of ['quick', 'full'] as const) {
      const report = await validateFileSet(store, a, { level });
      expect(summary(report)).toEqual({ ok: true, differences: [], fileErrors: [] });
      expect(report.totals.rows).toBe(ROWS);
      expect(report.rowsChecked).toBe(ROWS);
      expect(report.bytesRead).toBeGreaterThan(0);
      if (level === 'full') expect(report.subjects[0]!.contentDigest).toBe(aManifest.contentDigest);
    }
    const duck = await duckdbCountAndSum(store, a.files.map((file) => ({ bucket: file.bucket, key: file.key })));
    expect(duck.rows).toBe(BigInt(ROWS));
    expect(duck.cents).toBe(expectedTotalCents(aParts));
  });

  it('finds two identical tables equal at both levels', async () => {
    const b = await copyOfA('identical');
    for (const level of ['quick', 'full'] as const) {
      const report = await compareFileSets(store, a, b, { level });
      expect(summary(report)).toEqual({ ok: true, differences: [], fileErrors: [] });
      expect(report.layoutDifferences).toEqual([]);
    }
  });

  it('catches a 4 KiB bit flip inside a data page that leaves count and sum(total) unchanged, naming file, row group and column', async () => {
    // Uncompressed, plain-encoded pages: the flipped bytes decode "fine" into other ids.
    const cleanRef = table('plain');
    const parts = salesParts(30_000, 15_000);
    const clean = await writeTable(store, cleanRef, parts, { rowGroupRows: 5_000, compression: 'none', dictionary: false });
    const rottenRef = table('rotten');
    const rotten = await writeTable(store, rottenRef, parts, { rowGroupRows: 5_000, compression: 'none', dictionary: false });
    const target = rotten.files[1]!; // rows 15,001..30,000; row group 1 holds ids 20,001..25,000
    const key = rottenRef.location.prefix + target.key;
    const bytes = Buffer.from(await store.getBytes(bucket, key));
    const marker = Buffer.alloc(16);
    marker.writeBigInt64LE(21_000n, 0);
    marker.writeBigInt64LE(21_001n, 8);
    const at = bytes.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    for (let i = at; i < at + 4096; i++) bytes[i]! ^= 0x10;
    const stored = await store.put(bucket, key, bytes);
    // Bit rot at rest: the server still reports the size and ETag the manifest holds.
    target.etag = stored.etag;
    await writeTableManifest(store, rottenRef.location, rotten);
    const rottenSet = fileSet(rottenRef, rotten);

    const objects = (set: FileSet) => set.files.map((file) => ({ bucket: file.bucket, key: file.key }));
    const [duckClean, duckRotten] = [await duckdbCountAndSum(store, objects(fileSet(cleanRef, clean))), await duckdbCountAndSum(store, objects(rottenSet))];
    expect(duckRotten).toEqual(duckClean); // count and sum(total) cannot see it

    const quick = await validateFileSet(store, rottenSet, { level: 'quick' });
    expect(summary(quick)).toEqual({ ok: true, differences: [], fileErrors: [] });

    const full = await validateFileSet(store, rottenSet, { level: 'full' });
    expect(full.ok).toBe(false);
    expect(full.fileErrors).toEqual([]);
    expect(full.differences.map(({ kind, file, rowGroup, column }) => ({ kind, file, rowGroup, column }))).toEqual([
      { kind: 'digest', file: target.key, rowGroup: 1, column: 'id' },
    ]);

    const compared = await compareFileSets(store, fileSet(cleanRef, clean), rottenSet, { level: 'full' });
    expect(compared.ok).toBe(false);
    const crossDifferences = compared.differences.filter((d) => d.subject === 'a vs b');
    expect(crossDifferences.filter((d) => d.kind === 'digest').map(({ file, rowGroup, column }) => ({ file, rowGroup, column }))).toEqual([
      { file: undefined, rowGroup: undefined, column: 'id' },
      { file: target.key, rowGroup: 1, column: 'id' },
    ]);
  });

  it('reports a truncated object as a size difference and that file\'s error, and checks the other files', async () => {
    const victim = aManifest.files[0]!;
    const b = await copyOfA('truncated', async (ref) => {
      const key = ref.location.prefix + victim.key;
      const bytes = await store.getBytes(bucket, key);
      await store.put(bucket, key, bytes.subarray(0, Math.floor(bytes.length / 2)));
    });
    for (const level of ['quick', 'full'] as const) {
      const report = await validateFileSet(store, b, { level });
      expect(report.ok).toBe(false);
      expect(report.differences.map((d) => [d.kind, d.file])).toEqual(expect.arrayContaining([['size', victim.key], ['etag', victim.key]]));
      expect(report.fileErrors.map((e) => e.file)).toEqual([victim.key]);
      expect(report.fileErrors[0]!.error).toMatch(/not a Parquet file|magic|corrupt|eof|Parquet/i);
      expect(report.rowsChecked).toBe(ROWS - victim.rows); // the other files were read
    }
  });

  it('reports a deleted file, an extra file and one row fewer precisely', async () => {
    const deleted = await copyOfA('deleted', async (ref) => { await store.deleteKeys(bucket, [ref.location.prefix + aManifest.files[2]!.key]); });
    const own = await validateFileSet(store, deleted, { level: 'quick' });
    expect(own.differences.map((d) => [d.kind, d.file])).toEqual([['missing-file', aManifest.files[2]!.key]]);
    const vsA = await compareFileSets(store, a, deleted, { level: 'full' });
    expect(vsA.differences.filter((d) => d.subject === 'a vs b' && d.kind === 'totals')).toHaveLength(1);

    const extraRef = table('extra');
    const extra = await writeTable(store, extraRef, [...aParts, ...salesParts(100, 100, 99)], { rowGroupRows: 10_000 });
    const withExtra = await compareFileSets(store, a, fileSet(extraRef, extra), { level: 'quick' });
    expect(withExtra.differences.filter((d) => d.kind === 'extra-file').map((d) => d.file)).toEqual(['data/part-00003.parquet']);
    expect(withExtra.differences.find((d) => d.kind === 'totals')).toMatchObject({ expected: ROWS, actual: ROWS + 100 });

    const fewerRef = table('fewer');
    const fewerParts = salesParts(ROWS - 1, 25_000);
    const fewer = await writeTable(store, fewerRef, fewerParts, { rowGroupRows: 10_000 });
    for (const level of ['quick', 'full'] as const) {
      const report = await compareFileSets(store, a, fileSet(fewerRef, fewer), { level });
      expect(report.ok).toBe(false);
      expect(report.differences).toEqual(expect.arrayContaining([
        expect.objectContaining({ kind: 'totals', subject: 'a vs b', expected: ROWS, actual: ROWS - 1 }),
        expect.objectContaining({ kind: 'rows', file: 'data/part-00002.parquet', expected: 10_000, actual: 9_999 }),
      ]));
      if (level === 'full') expect(report.differences.filter((d) => d.kind === 'digest' && d.rowGroup === undefined).map((d) => d.column)).toEqual(expect.arrayContaining(['id', 'total']));
    }
  });

  it('reports a changed field type and a renamed field as schema differences', async () => {
    const typedRef = table('typed');
    const typed = await writeTable(store, typedRef, aParts.map((part) => withColumns(part, (field, column) =>
      field.name === 'quantidade' ? { field: new Field('quantidade', new Int64(), false), data: int64Column(column) } : { field })), { rowGroupRows: 10_000 });
    const typeReport = await compareFileSets(store, a, fileSet(typedRef, typed), { level: 'full' });
    expect(typeReport.differences.filter((d) => d.kind === 'schema').map((d) => d.message)).toEqual([expect.stringContaining('field "quantidade" type Int32 → Int64')]);
    // The values are the same numbers: the content digest (integers hash as 64-bit values) agrees.
    expect(typeReport.differences.filter((d) => d.kind === 'digest')).toEqual([]);

    const renamedRef = table('renamed');
    const renamed = await writeTable(store, renamedRef, aParts.map((part) => withColumns(part, (field) =>
      ({ field: field.name === 'produto' ? new Field('product', field.type, field.nullable) : field }))), { rowGroupRows: 10_000 });
    const renameReport = await compareFileSets(store, a, fileSet(renamedRef, renamed), { level: 'quick' });
    expect(renameReport.ok).toBe(false);
    expect(renameReport.differences.filter((d) => d.kind === 'schema').map((d) => d.message)).toEqual([
      expect.stringContaining('field "produto" missing'),
      expect.stringContaining('field "product" added'),
    ]);
  });

  it('finds the same rows with other row-group sizes and file splits equal at full level, different at quick', async () => {
    const otherRef = table('relaid');
    const other = await writeTable(store, otherRef, salesParts(ROWS, 17_000), { rowGroupRows: 4_096 });
    const b = fileSet(otherRef, other);
    const quick = await compareFileSets(store, a, b, { level: 'quick' });
    expect(quick.ok).toBe(false);
    expect(quick.differences.map((d) => d.kind)).toEqual(expect.arrayContaining(['extra-file', 'rows', 'row-groups']));
    const full = await compareFileSets(store, a, b, { level: 'full' });
    expect(summary(full)).toEqual({ ok: true, differences: [], fileErrors: [] });
    expect(full.layoutDifferences.map((d) => d.kind)).toEqual(expect.arrayContaining(['extra-file', 'row-groups']));
    expect(full.subjects[0]!.contentDigest).toBe(full.subjects[1]!.contentDigest);
  });

  it('reports a non-Parquet object and a 404 mid-validation as per-file errors and finishes the run', async () => {
    const [first, second] = aManifest.files;
    const b = await copyOfA('broken', async (ref) => {
      await store.put(bucket, ref.location.prefix + first!.key, 'this is not parquet, just some text that is long enough\n'.repeat(20));
    });
    const vanishing = b.files.find((file) => file.relativeKey === second!.key)!;
    let deleted = false;
    // The object exists when listed, and is deleted just before its first byte is read.
    const faulty: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      getRange: async (...args: Parameters<ObjectStore['getRange']>) => {
        if (args[1] === vanishing.key && !deleted) { deleted = true; await store.deleteKeys(bucket, [vanishing.key]); }
        return store.getRange(...args);
      },
    });
    const report = await validateFileSet(faulty, b, { level: 'full', fileTimeoutMs: 20_000 });
    expect(report.ok).toBe(false);
    const errors = Object.fromEntries(report.fileErrors.map((e) => [e.file, e.error]));
    expect(Object.keys(errors).sort()).toEqual([first!.key, second!.key]);
    expect(errors[first!.key]).toMatch(/not a Parquet file|magic|Parquet/i);
    expect(errors[second!.key]).toMatch(/not found/i);
    expect(report.rowsChecked).toBe(aManifest.files[2]!.rows); // the third file was still read
  });

  it('reports a corrupt footer and a corrupt compressed page (a WASM trap) as those files\' errors and reads the rest', async () => {
    const [footerVictim, pageVictim, healthy] = aManifest.files;
    const b = await copyOfA('corrupt', async (ref) => {
      const footerKey = ref.location.prefix + footerVictim!.key;
      const footerBytes = Buffer.from(await store.getBytes(bucket, footerKey));
      const footerLength = footerBytes.readUInt32LE(footerBytes.length - 8);
      footerBytes.fill(0xff, footerBytes.length - 8 - footerLength + 16, footerBytes.length - 8 - 16); // keeps PAR1 and the length
      await store.put(bucket, footerKey, footerBytes);
      const pageKey = ref.location.prefix + pageVictim!.key;
      const pageBytes = Buffer.from(await store.getBytes(bucket, pageKey));
      const middle = Math.floor(pageBytes.length / 2);
      for (let i = middle; i < middle + 4096; i++) pageBytes[i]! ^= 0x5a; // inside zstd-compressed pages
      await store.put(bucket, pageKey, pageBytes);
    }, (manifest) => manifest);
    const report = await validateFileSet(store, b, { level: 'full', fileTimeoutMs: 20_000 });
    expect(report.ok).toBe(false);
    const errors = Object.fromEntries(report.fileErrors.map((e) => [e.file, e.error]));
    expect(errors[footerVictim!.key]).toMatch(/Parquet error/);
    expect(errors[pageVictim!.key]).toMatch(/Parquet error|decoder crashed|unreachable|zstd|decompress/i);
    expect(report.fileErrors.map((e) => e.file)).not.toContain(healthy!.key);
    expect(report.differences.filter((d) => d.file === healthy!.key)).toEqual([]);
    expect(report.rowsChecked).toBeGreaterThanOrEqual(healthy!.rows);
  });

  it('fails a file whose reads hang, after the stall timeout, and finishes the run', async () => {
    const hanging = a.files[1]!;
    const stuck: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      getRange: (...args: Parameters<ObjectStore['getRange']>) => (args[1] === hanging.key ? new Promise<Uint8Array>(() => undefined) : store.getRange(...args)),
    });
    const started = Date.now();
    const report = await validateFileSet(stuck, a, { level: 'full', fileTimeoutMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(report.fileErrors.map((e) => [e.file, /no progress for 5000 ms/.test(e.error)])).toEqual([[hanging.relativeKey, true]]);
    expect(report.rowsChecked).toBe(ROWS - hanging.rows!);
  });
});
