import { openTestStore, removeBucket, uniqueBucket, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { resolveTable } from '../../src/table/table-ref';
import type { FileSet } from '../../src/model/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { compareFileSets, validateFileSet } from '../../src/validate';
import { salesParts, writeTable } from './validate-fixtures';

/**
 * Tables of many small files. A store that answers each request after a fixed stall (Ceph
 * RGW holds a small answer's body until the client's delayed ACK) must not cost a file its
 * stall in turn: first reads are kept in flight for the files next in line, and a small file
 * is read whole in one request, its bytes sent to the worker with the task.
 */
describe(`validation of many small files on ${TARGET}`, () => {
  let open: OpenStore;
  let store: ObjectStore;
  let set: FileSet;
  /** Files of about 150 KB (four row groups): more than a footer read, less than 1 MiB. */
  let mid: FileSet;
  const bucket = uniqueBucket('smallfiles');
  const FILES = 40;
  const ROWS_PER_FILE = 100;

  /** The store, with each range read held back a little and the reads in flight counted. */
  function counting(): { store: ObjectStore; peak: () => number; reads: () => number } {
    let inFlight = 0;
    let peak = 0;
    let reads = 0;
    const wrapped: ObjectStore = Object.assign(Object.create(store) as ObjectStore, {
      getRange: async (...args: Parameters<ObjectStore['getRange']>) => {
        reads += 1;
        peak = Math.max(peak, ++inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return await store.getRange(...args);
        } finally {
          inFlight -= 1;
        }
      },
    });
    return { store: wrapped, peak: () => peak, reads: () => reads };
  }

  beforeAll(async () => {
    open = await openTestStore();
    store = open.store;
    await store.ensureBucket(bucket);
    const ref = resolveTable({ warehouse: { bucket, prefix: 'warehouse/' } }, 'many');
    set = tableFileSet(ref, await writeTable(store, ref, salesParts(FILES * ROWS_PER_FILE, ROWS_PER_FILE), { rowGroupRows: ROWS_PER_FILE }));
    const midRef = resolveTable({ warehouse: { bucket, prefix: 'warehouse/' } }, 'mid');
    mid = tableFileSet(midRef, await writeTable(store, midRef, salesParts(24_000, 8_000), { rowGroupRows: 2_000 }));
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('keeps the reads of the next files in flight at the full level, even with one decode worker', async () => {
    const probe = counting();
    const report = await validateFileSet(probe.store, set, { level: 'full', concurrency: 1 });
    expect(report.ok).toBe(true);
    expect(report.rowsChecked).toBe(FILES * ROWS_PER_FILE);
    expect(probe.peak()).toBeGreaterThanOrEqual(8);
  });

  it('reads each small file once, whole, at the full level', async () => {
    for (const subject of [set, mid]) {
      const probe = counting();
      const report = await validateFileSet(probe.store, subject, { level: 'full', concurrency: 2 });
      expect(report.ok).toBe(true);
      expect(probe.reads()).toBe(subject.files.length);
      expect(report.requests).toBe(subject.files.length);
      expect(report.bytesRead).toBe(subject.files.reduce((sum, file) => sum + file.size, 0));
    }
    expect(Math.min(...mid.files.map((file) => file.size))).toBeGreaterThan(64 * 1024);
  });

  it('reads the footer of a file and of its server-side copy once at the quick level, and both in full', async () => {
    const copyRef = resolveTable({ warehouse: { bucket, prefix: 'warehouse/' } }, 'copy');
    for (const file of set.files) await store.copy(bucket, file.key, bucket, copyRef.location.prefix + file.relativeKey);
    const copy: FileSet = { ...set, label: 'the copy', uri: copyRef.uri, files: set.files.map((file) => ({ ...file, key: copyRef.location.prefix + file.relativeKey })) };
    const quick = counting();
    const report = await compareFileSets(quick.store, set, copy, { level: 'quick', concurrency: 1 });
    expect({ ok: report.ok, differences: report.differences }).toEqual({ ok: true, differences: [] });
    expect(report.subjects.map((subject) => subject.rows)).toEqual([FILES * ROWS_PER_FILE, FILES * ROWS_PER_FILE]);
    expect(quick.reads()).toBe(FILES);
    const full = counting();
    expect((await compareFileSets(full.store, set, copy, { level: 'full', concurrency: 1 })).ok).toBe(true);
    expect(full.reads()).toBe(2 * FILES);
  });

  it('reads one footer per file at the quick level, many at once', async () => {
    const probe = counting();
    const report = await validateFileSet(probe.store, set, { level: 'quick', concurrency: 1 });
    expect(report.ok).toBe(true);
    expect(probe.reads()).toBe(FILES);
    expect(probe.peak()).toBeGreaterThanOrEqual(8);
  });
});
