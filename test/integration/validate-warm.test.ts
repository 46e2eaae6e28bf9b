import { openTestStore, removeBucket, uniqueBucket, TARGET } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { resolveTable } from '../../src/table/table-ref';
import { tableFileSet } from '../../src/table/file-set';
import { type FileSet } from '../../src/model/file-set';
import { validateFileSet } from '../../src/validate';
import { idleWorkerIds } from '../../src/validate/worker/idle-workers';
import { salesParts, writeTable } from './validate-fixtures';

/**
 * Decode workers stay warm between the validations of one process
 * (src/validate/worker/idle-workers.ts): a second validation starts no new worker, and a
 * worker that was parked still decodes correctly — the same digests, nothing stale.
 */
describe(`warm decode workers on ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('warm');
  let set: FileSet;
  let contentDigest: string;

  beforeAll(async () => {
    open = await openTestStore();
    const ref = resolveTable({ warehouse: { bucket, prefix: 'warehouse/' } }, 'warm');
    const manifest = await writeTable(open.store, ref, salesParts(30_000, 10_000), { rowGroupRows: 5_000 });
    set = tableFileSet(ref, manifest);
    contentDigest = manifest.contentDigest;
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('a second validation adopts the first one\'s workers and finds the same content', async () => {
    const first = await validateFileSet(open.store, set, { level: 'full', concurrency: 2 });
    const parkedAfterFirst = idleWorkerIds().sort();
    expect(parkedAfterFirst).toHaveLength(2);
    const second = await validateFileSet(open.store, set, { level: 'full', concurrency: 2 });
    // The same threads came back: the second validation ran on them, it started none.
    expect(idleWorkerIds().sort()).toEqual(parkedAfterFirst);
    for (const report of [first, second]) {
      expect(report.ok).toBe(true);
      expect(report.rowsChecked).toBe(30_000);
      expect(report.subjects[0]!.contentDigest).toBe(contentDigest);
    }
  });
});
