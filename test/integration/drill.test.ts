import { ConflictError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import type { ObjectStore } from '../../src/store/types';
import { listCheckpoints } from '../../src/dr/checkpoint';
import { runDrill } from '../../src/dr/drill';
import { DISASTERS } from '../../src/dr/disasters';
import { seriesName } from '../../src/snapshot/identity';
import { REPOSITORY_MARKER } from '../../src/snapshot/repository-format';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, TARGET, uniqueBucket, removeBucket } from '../support/target';
import { CopyHookStore, makeTable, testBuckets } from './backup-support';
import { accountForRecovery, plannedDestruction } from '../../src/dr/blast-radius';
import { openTableSource } from '../../src/sources/registry';
import { readTableManifest } from '../../src/table/manifest';

async function snapshotOf(store: ObjectStore, bucket: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  if (!(await store.bucketExists(bucket))) return out;
  for await (const object of store.list(bucket, prefix)) out.push(`${object.key} ${object.etag}`);
  return out.sort();
}

jest.setTimeout(300_000); // shared 2-core machine: table writes and full validations take a while under load

describe(`drills on ${TARGET}`, () => {
  const env = testBuckets('drill');
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  /** Runs `body` with a warehouse in a bucket of its own (drop-bucket needs one), removed afterwards. */
  async function inOwnLake(label: string, body: (lake: string, config: typeof env.config) => Promise<void>): Promise<void> {
    const lake = uniqueBucket(label);
    try {
      await body(lake, { ...env.config, warehouse: { bucket: lake, prefix: 'warehouse/' } });
    } finally {
      await removeBucket(open, lake);
    }
  }

  // lose-site needs a second server for the checkpoints: test/integration/offsite-backup.test.ts.
  for (const disaster of DISASTERS.filter((kind) => kind !== 'lose-site')) {
    it(`${disaster}: recovers a valid table and touches nothing else`, async () => {
      // drop-bucket needs the table alone in its bucket: give each drill its own warehouse bucket.
      await inOwnLake(`drill-${disaster}`, async (lake, config) => {
        const table = await makeTable(open.store, config, 'vendas', 30_000, 10_000);
        const neighbour = disaster === 'drop-bucket' ? undefined : await makeTable(open.store, config, 'vendas2', 5_000, 5_000);
        const neighbourBefore = neighbour ? await snapshotOf(open.store, lake, neighbour.location.prefix) : [];
        const checkpointsBefore = await snapshotOf(open.store, env.checkpoints);

        const report = await runDrill(open.store, config, table, { disaster });
        expect(report).toMatchObject({
          table: 'vendas', disaster, original_records: 30_000, recovered_records: 30_000, recovery_valid: true, status: 'SUCCESS', objects: 3,
        });
        expect(report.validation.level).toBe('full');
        expect(report.rto_ms).toBeGreaterThan(0);
        expect(report.rpo_ms).toBeGreaterThanOrEqual(0);
        expect(report.checkpoint_location).toBe(`s3://${env.checkpoints}/${seriesName(table.location)}/${report.checkpoint_id}/`);
        expect(report.disaster_detail.objectsAffected).toBeGreaterThan(0);
        // Every object destroyed is accounted for: brought back under its key or, for data files, a new generation key.
        expect(report.objects_destroyed).toBe(report.destroyed_objects.length);
        expect(report.objects_destroyed).toBeGreaterThan(0);
        expect(report.objects_recovered).toBe(report.objects_destroyed);
        expect(report.not_recovered).toEqual([]);
        const expectedDestroyed = { 'delete-prefix': 4, 'delete-objects': 3, 'corrupt-object': 1, 'drop-bucket': 4 }[disaster];
        expect(report.objects_destroyed).toBe(expectedDestroyed);
        expect(report.destroyed_objects.every((uri) => uri.startsWith(`s3://${lake}/warehouse/vendas/`))).toBe(true);
        expect(report.recovered_objects.every((uri) => uri.startsWith(`s3://${lake}/warehouse/vendas/`))).toBe(true);

        if (neighbour) expect(await snapshotOf(open.store, lake, neighbour.location.prefix)).toEqual(neighbourBefore);
        // The only new checkpoint objects are the drill's own (and, the first time, the repository's format marker).
        const added = (await snapshotOf(open.store, env.checkpoints)).filter((line) => !checkpointsBefore.includes(line));
        expect(added.filter((line) => !line.startsWith(`${seriesName(table.location)}/${report.checkpoint_id}/`) && !line.startsWith(REPOSITORY_MARKER))).toEqual([]);
      });
    });
  }

  it('RTO includes a quick validation; the full one runs after the table is back, is reported beside it and decides validity', async () => {
    await inOwnLake('drill-levels', async (lake, config) => {
      const table = await makeTable(open.store, config, 'vendas', 20_000, 5_000);
      const steps: string[] = [];
      const report = await runDrill(open.store, config, table, { disaster: 'delete-objects', onStep: (step) => { steps.push(step); } });
      expect(report.status).toBe('SUCCESS');
      expect(report.rto_validation_level).toBe('quick');
      expect(report.validation.level).toBe('full');
      expect(report.full_validation_ms).toBe(report.validation.elapsedMs);
      expect(report.verified_ms).toBe(report.rto_ms + report.full_validation_ms!);
      expect(steps.slice(-4)).toEqual(['recover', 'quick validation', 'full validation', 'account for what was destroyed and recovered']);

      const quick = await runDrill(open.store, config, table, { disaster: 'delete-objects', level: 'quick' });
      expect({ status: quick.status, level: quick.validation.level, rtoLevel: quick.rto_validation_level, full: quick.full_validation_ms, verified: quick.verified_ms })
        .toEqual({ status: 'SUCCESS', level: 'quick', rtoLevel: 'quick', full: undefined, verified: quick.rto_ms });

      // A data file damaged once the table is back (after the quick check inside the RTO): the full validation fails the drill.
      const damaged = await runDrill(open.store, config, table, {
        disaster: 'delete-objects',
        onStep: async (step) => {
          if (step !== 'full validation') return;
          const manifest = (await readTableManifest(open.store, table.location))!;
          const key = table.location.prefix + manifest.files[0]!.key;
          const bytes = Buffer.from(await open.store.getBytes(lake, key));
          for (let i = 100; i < 200; i++) bytes[i]! ^= 0xff;
          await open.store.put(lake, key, bytes);
        },
      });
      expect({ status: damaged.status, valid: damaged.recovery_valid, level: damaged.validation.level, ok: damaged.validation.ok })
        .toEqual({ status: 'FAILED', valid: false, level: 'full', ok: false });
    });
  });

  it('drop-bucket is refused, before anything happens, when the bucket holds more than the drilled table', async () => {
    await inOwnLake('drill-shared', async (lake, config) => {
      const table = await makeTable(open.store, config, 'vendas', 5_000, 5_000);
      await open.store.put(lake, 'someone-else/data.csv', 'a,b\n1,2\n');
      const before = await snapshotOf(open.store, lake);
      const checkpoints = await listCheckpoints(open.store, config, table);
      await expect(runDrill(open.store, config, table, { disaster: 'drop-bucket' })).rejects.toBeInstanceOf(ConflictError);
      await expect(runDrill(open.store, config, table, { disaster: 'drop-bucket' })).rejects.toThrow(/someone-else\/data.csv/);
      expect(await snapshotOf(open.store, lake)).toEqual(before);
      expect(await listCheckpoints(open.store, config, table)).toEqual(checkpoints);
    });
  });

  it('an object beside the manifest (README.txt): delete-prefix is refused before anything, naming it; delete-objects spares it', async () => {
    await inOwnLake('drill-readme', async (lake, config) => {
      const table = await makeTable(open.store, config, 't7', 5_000, 2_500);
      await open.store.put(lake, 'warehouse/t7/README.txt', 'how this table is made\n');
      const before = await snapshotOf(open.store, lake);
      const checkpointsBefore = await snapshotOf(open.store, env.checkpoints);
      for (const disaster of ['delete-prefix', 'drop-bucket'] as const) {
        const refused = runDrill(open.store, config, table, { disaster });
        await expect(refused).rejects.toBeInstanceOf(ConflictError);
        await expect(runDrill(open.store, config, table, { disaster })).rejects.toThrow(new RegExp(`refusing the ${disaster} disaster: .*would not bring back 1 object.*s3://${lake}/warehouse/t7/README\\.txt; nothing was done`));
      }
      expect(await snapshotOf(open.store, lake)).toEqual(before);
      expect(await snapshotOf(open.store, env.checkpoints)).toEqual(checkpointsBefore);

      // A disaster aimed at the manifest's files only is drilled; README.txt is never touched.
      const report = await runDrill(open.store, config, table, { disaster: 'delete-objects', level: 'quick' });
      expect(report).toMatchObject({ status: 'SUCCESS', objects_destroyed: 2, objects_recovered: 2, not_recovered: [] });
      expect(report.destroyed_objects).toEqual(before.filter((line) => line.includes('/data/')).map((line) => `s3://${lake}/${line.split(' ')[0]}`));
      // Restored beside a live manifest, the data files come back under a new generation.
      expect(report.recovered_objects).toHaveLength(2);
      expect(report.recovered_objects.some((uri) => report.destroyed_objects.includes(uri))).toBe(false);
      expect(Buffer.from(await open.store.getBytes(lake, 'warehouse/t7/README.txt')).toString()).toBe('how this table is made\n');
    });
  });

  it('an object that appears while the checkpoint is taken stops the drill before the disaster', async () => {
    await inOwnLake('drill-race', async (lake, config) => {
      const table = await makeTable(open.store, config, 't8', 4_000, 2_000);
      const racing = new CopyHookStore(open.store, { afterCopy: async (n) => { if (n === 1) await open.store.put(lake, 'warehouse/t8/late.txt', 'written mid-drill'); } });
      await expect(runDrill(racing, config, table, { disaster: 'delete-prefix' })).rejects.toThrow(/table t8 changed while the drill took its checkpoint; no disaster was simulated/);
      expect((await snapshotOf(open.store, lake, 'warehouse/t8/')).map((line) => line.split(' ')[0])).toEqual(expect.arrayContaining(['warehouse/t8/late.txt', 'warehouse/t8/_lakevault/table.json']));
      expect((await snapshotOf(open.store, lake, 'warehouse/t8/data/'))).toHaveLength(2);
    });
  });

  it('accountForRecovery names a destroyed object that is not back', async () => {
    await inOwnLake('drill-account', async (lake, config) => {
      const table = await makeTable(open.store, config, 't9', 2_000, 1_000);
      const manifest = await (await openTableSource(open.store, table)).readVersion();
      const doomed = await plannedDestruction(open.store, table, manifest, 'delete-objects');
      expect(doomed).toHaveLength(2);
      await open.store.deleteKeys(lake, [doomed[1]!.key]);
      const account = await accountForRecovery(open.store, table, doomed, manifest, manifest);
      expect(account).toEqual({
        destroyed: doomed.map((o) => `s3://${lake}/${o.key}`),
        recovered: [`s3://${lake}/${doomed[0]!.key}`],
        missing: [`s3://${lake}/${doomed[1]!.key}`],
      });
    });
  });

  it('`lakevault flow` (what npm start runs) completes the seed flow and prints one JSON summary', async () => {
    const lake = uniqueBucket('flow-lake');
    const backups = uniqueBucket('flow-bak');
    const checkpoints = uniqueBucket('flow-cp');
    try {
      const { stdout } = await runLakevault([
        'flow', '--rows', '20000', '--rows-per-file', '5000',
        '--warehouse', `s3://${lake}/warehouse`, '--backups', `s3://${backups}`, '--checkpoints', `s3://${checkpoints}`,
      ], { env: targetEnv(), timeoutMs: 110_000 });
      const summary = JSON.parse(stdout);
      expect(summary).toMatchObject({
        ok: true, status: 'SUCCESS', records_generated: 20_000, integrity_ok: true,
        original_records: 20_000, recovered_records: 20_000, recovery_valid: true,
      });
      expect(summary.backup_path).toBe(`s3://${backups}/${seriesName({ bucket: lake, prefix: 'warehouse/vendas/' })}/${summary.backup_name}/`);
      expect(summary.steps.validate.originalVsBackup.ok).toBe(true);
      expect(summary.steps.validate.backupVsRestored.ok).toBe(true);
    } finally {
      for (const bucket of [lake, backups, checkpoints]) await removeBucket(open, bucket);
    }
  });
});
