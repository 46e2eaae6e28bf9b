/**
 * Verification cycles (`validate --cycle`): every object of a backup repository is
 * verified exactly once per cycle, objects added mid-cycle join it, a corrupted object is
 * found within one cycle and checked again until it is gone, and the state lives in the
 * repository (a fresh client continues the cycle).
 */
import { Lakevault } from '../../src/api/client';
import type { CycleReport } from '../../src/api/verify';
import { createTestBucket, type TestBucket } from '../../src/testing';
import { sliceOf } from '../../src/verify/cycle';
import { TARGET } from '../support/target';

jest.setTimeout(300_000);

describe(`verification cycles on ${TARGET}`, () => {
  let setup: Lakevault;
  let bucket: TestBucket;
  const open = () => Lakevault.open({ warehouse: bucket.uri('warehouse'), backups: bucket.uri('backups'), checkpoints: bucket.uri('checkpoints') });

  beforeAll(async () => {
    setup = await Lakevault.open();
    bucket = await createTestBucket(setup, 'cycle');
  });
  afterAll(async () => {
    await bucket?.remove();
    await setup?.close();
  });

  /** Every data object the repository's complete backups reference, as s3:// URIs. */
  async function repositoryObjects(lv: Lakevault): Promise<string[]> {
    const objects = new Set<string>();
    for (const backup of (await lv.backup.list()).backups) {
      for (const file of (await lv.backup.show(backup.id)).files) objects.add(`s3://${file.bucket}/${file.key}`);
    }
    return [...objects].sort();
  }

  it('N runs of N slices verify every object exactly once, new objects included; the next run starts cycle 2', async () => {
    let lv = await open();
    const repository = bucket.uri('backups');
    try {
      await lv.table.create('vendas', { rows: 8_000, rowsPerFile: 1_000, seed: 1 });
      await lv.backup.create('vendas');
      const reused = await lv.backup.create('vendas'); // unchanged: every file referenced, none copied
      expect(reused.reused.objects).toBe(8);

      const runs: CycleReport[] = [await lv.verifyCycle(repository, { slices: 3 })];
      // Mid-cycle: the table is rewritten and backed up; its 8 new objects join this cycle.
      await lv.table.create('vendas', { rows: 8_000, rowsPerFile: 1_000, seed: 2, overwrite: true });
      await lv.backup.create('vendas');
      await lv.close();
      lv = await open(); // the cycle continues from what the repository remembers
      runs.push(await lv.verifyCycle(repository, { slices: 3 }));
      runs.push(await lv.verifyCycle(repository, { slices: 3 }));

      const all = await repositoryObjects(lv);
      expect(all).toHaveLength(16);
      const verified = runs.flatMap((r) => r.run.verified);
      expect([...verified].sort()).toEqual(all); // every object, none twice
      expect(runs.map((r) => r.slice)).toEqual([0, 1, 2]);
      expect(runs.map((r) => r.cycle.number)).toEqual([1, 1, 1]);
      expect(runs.map((r) => r.cycle.completed)).toEqual([false, false, true]);
      expect(runs[2]!.cycle.coverage).toBe(1);
      expect(runs[0]!.cycle.coverage).toBeLessThan(1);
      expect(runs[0]!.cycle.runsLeft).toBe(2);
      // The first run's slice is slice 0 of the objects there then, by key hash.
      expect(runs[0]!.run.verified.every((uri) => sliceOf(uri.slice('s3://'.length), 3) === 0)).toBe(true);
      expect(runs.every((r) => r.ok && r.level === 'full')).toBe(true);
      expect(runs.reduce((sum, r) => sum + r.bytesRead, 0)).toBeGreaterThan(0);

      const next = await lv.verifyCycle(repository, { slices: 3 });
      expect(next.cycle.number).toBe(2);
      expect(next.slice).toBe(0);
      expect(next.run.verified.length).toBeLessThan(16);
    } finally {
      await lv.close();
    }
  });

  it('a corrupted object is found within one cycle, and checked again at every run until it is gone', async () => {
    const lv = await open();
    const repository = bucket.uri('backups') + 'vendas/';
    try {
      const objects = await repositoryObjects(lv);
      const victim = objects[5]!;
      const [vb, ...rest] = victim.slice('s3://'.length).split('/');
      const key = rest.join('/');
      const bytes = Buffer.from(await lv.context.store.getBytes(vb!, key));
      bytes[Math.floor(bytes.length / 2)] ^= 0xff;
      await lv.context.store.put(vb!, key, bytes);

      const runs: CycleReport[] = [];
      for (let i = 0; i < 4 && !runs.some((r) => r.run.failed.includes(victim)); i += 1) runs.push(await lv.verifyCycle(repository, { slices: 4 }));
      const found = runs.find((r) => r.run.failed.includes(victim));
      expect(found).toBeDefined();
      expect(found!.ok).toBe(false);
      expect([...found!.differences.map((d) => d.file), ...found!.fileErrors.map((e) => e.file)].length).toBeGreaterThan(0);
      const again = await lv.verifyCycle(repository, { slices: 4 });
      expect(again.run.failed).toEqual([victim]);
      expect(again.ok).toBe(false);
    } finally {
      await lv.close();
    }
  });

  it('a byte budget verifies at least one object a run, in hash order, and says when the cycle completes', async () => {
    const lv = await open();
    try {
      await lv.table.create('small', { rows: 3_000, rowsPerFile: 1_000, seed: 3 });
      const files = (await lv.table.inspect('small')).files;
      const seen: string[] = [];
      let report: CycleReport | undefined;
      for (let run = 0; run < 3; run += 1) {
        report = await lv.verifyCycle('small', { maxBytes: 1, cadenceMs: 3_600_000 });
        expect(report.run.objects).toBe(1);
        seen.push(...report.run.verified);
        if (run < 2) {
          expect(report.cycle.runsLeft).toBe(2 - run);
          expect(Date.parse(report.cycle.estimatedCompletion!) - Date.now()).toBeGreaterThan((2 - run) * 3_600_000 - 60_000);
        }
      }
      expect(report!.cycle.completed).toBe(true);
      expect(new Set(seen).size).toBe(files.length);
    } finally {
      await lv.close();
    }
  });

  it('bad budgets are usage errors and write nothing', async () => {
    const lv = await open();
    try {
      await expect(lv.verifyCycle('small', { slices: 0 })).rejects.toThrow(/slices must be a whole number/);
      await expect(lv.verifyCycle('small', { slices: 2, maxBytes: 10 })).rejects.toThrow(/either slices or maxBytes/);
    } finally {
      await lv.close();
    }
  });
});
