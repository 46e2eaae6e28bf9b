import { NotFoundError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import { createCheckpoint } from '../../src/dr/checkpoint';
import { recoverTable } from '../../src/dr/recover';
import { readTableManifest } from '../../src/table/manifest';
import { createSalesTable } from '../../src/table/create';
import { listSnapshots } from '../../src/snapshot/catalog';
import { checkpointRepository } from '../../src/snapshot/repository';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, TARGET, uniqueBucket, removeBucket } from '../support/target';
import { CopyHookStore, makeTable, testBuckets } from './backup-support';

jest.setTimeout(300_000); // shared 2-core machine: table writes and full validations take a while under load

describe(`recover on ${TARGET}`, () => {
  const env = testBuckets('recover');
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('recovers the latest checkpoint even when the table\'s bucket is gone, and reports RTO and RPO', async () => {
    const lake = uniqueBucket('recover-gone');
    const config = { ...env.config, warehouse: { bucket: lake, prefix: '' } };
    try {
      const table = await makeTable(open.store, config, 'orders', 20_000, 5_000, 5);
      await createCheckpoint(open.store, config, table);
      await createSalesTable(open.store, table, { rows: 20_000, seed: 6, rowsPerFile: 5_000, rowGroupRows: 4096, overwrite: true });
      const latest = await createCheckpoint(open.store, config, table);
      const original = (await readTableManifest(open.store, table.location))!;
      await removeBucket(open, lake);
      expect(await open.store.bucketExists(lake)).toBe(false);

      const detectedAt = new Date(Date.now() + 1000);
      const result = await recoverTable(open.store, config, table, { detectedAt, level: 'full' });
      expect(result).toMatchObject({ checkpoint_id: latest.id, recovered_records: 20_000, recovery_valid: true });
      expect(result.rto_ms).toBeGreaterThan(0);
      expect(result.rpo_ms).toBe(detectedAt.getTime() - Date.parse(latest.createdAt));
      expect((await readTableManifest(open.store, table.location))!.contentDigest).toBe(original.contentDigest);
    } finally {
      await removeBucket(open, lake);
    }
  });

  it('recovers a named checkpoint over a changed table; an incomplete or unknown checkpoint is refused', async () => {
    const table = await makeTable(open.store, env.config, 'named', 10_000, 5_000, 8);
    const first = await createCheckpoint(open.store, env.config, table);
    const firstDigest = (await readTableManifest(open.store, table.location))!.contentDigest;
    await createSalesTable(open.store, table, { rows: 7_000, seed: 9, rowsPerFile: 7_000, rowGroupRows: 4096, overwrite: true });
    await expect(createCheckpoint(new CopyHookStore(open.store, { failAfter: 0 }), env.config, table, { maxAttempts: 1 })).rejects.toThrow(/simulated crash/);
    const entries = await listSnapshots(open.store, checkpointRepository(env.config), table.location);
    const incomplete = entries.find((e) => !e.manifest)!;
    expect(incomplete).toBeDefined();
    await expect(recoverTable(open.store, env.config, table, { checkpoint: incomplete.id })).rejects.toThrow(/incomplete/);
    await expect(recoverTable(open.store, env.config, table, { checkpoint: '20200101T000000Z-abcdef' })).rejects.toBeInstanceOf(NotFoundError);

    const result = await recoverTable(open.store, env.config, table, { checkpoint: first.id });
    expect(result).toMatchObject({ checkpoint_id: first.id, recovered_records: 10_000, recovery_valid: true });
    expect((await readTableManifest(open.store, table.location))!.contentDigest).toBe(firstDigest);
  });

  it('checkpoints are self-contained: a second one of an unchanged table copies every file again', async () => {
    const table = await makeTable(open.store, env.config, 'selfcontained', 10_000, 5_000);
    const a = await createCheckpoint(open.store, env.config, table);
    const b = await createCheckpoint(open.store, env.config, table);
    expect([a.copied.objects, b.copied.objects, b.reused.objects]).toEqual([2, 2, 0]);
    expect(a.kind).toBe('checkpoint');
  });

  it('the CLI asks which checkpoint (exit 2) and prints RTO/RPO as JSON', async () => {
    const flags = ['--warehouse', `s3://${env.lake}/warehouse`, '--checkpoints', `s3://${env.checkpoints}`, '--json'];
    expect(await runLakevault(['recover', 'named', ...flags], { env: targetEnv() })).toMatchObject({ code: 2, stderr: expect.stringMatching(/--checkpoint ID or --latest/) });
    const { stdout, code } = await runLakevault(['recover', 'named', '--latest', ...flags], { env: targetEnv() });
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ recovery_valid: true, recovered_records: 10_000 });
    expect(typeof result.rto_ms).toBe('number');
    expect(typeof result.rpo_ms).toBe('number');
  });
});
