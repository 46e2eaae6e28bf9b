import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig } from '../support/target';
import { countRequests, killPoints, runCliKilledAt, type KillPoint } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest, type TableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { listRepository, listSnapshots, type SnapshotEntry } from '../../src/snapshot/catalog';
import { deleteSnapshot } from '../../src/snapshot/delete';
import { seriesName } from '../../src/snapshot/identity';
import { readRepositoryMarker } from '../../src/snapshot/repository-format';
import { upgradeRepository } from '../../src/snapshot/upgrade';
import { parseS3Uri } from '../../src/store/location';
import { loadCed7bb3Repository, type Ced7bb3Repository } from '../support/ced7bb3-repository';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { type FileSet } from '../../src/model/file-set';
import { backupRepository, checkpointRepository, type SnapshotRepository } from '../../src/snapshot/repository';
import { restoreSnapshot } from '../../src/restore/restore';
import { recoverTable } from '../../src/dr/recover';
import { createCheckpoint } from '../../src/dr/checkpoint';
import { pruneSnapshots } from '../../src/backup/prune';
import { compareFileSets, validateFileSet } from '../../src/validate';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

/**
 * kill -9 of `node bin/lakevault.js …` at seeded random request boundaries (before a
 * request reaches the server, or after the server applied it), during table create
 * --overwrite, backup create, backup restore (new and in place), recover, prune, backup
 * delete and repo upgrade.
 * After each kill: the source still validates; no incomplete snapshot is listed complete
 * and every complete one validates; a table is either its old or its new generation —
 * validated, content equal to one of the two — never a mix; a rerun completes.
 * LAKEVAULT_CRASH_TRIALS sets the trials per command (default 5); LAKEVAULT_CRASH_SEED the seed.
 */
const TRIALS = Number(process.env.LAKEVAULT_CRASH_TRIALS ?? 5);
const SEED = Number(process.env.LAKEVAULT_CRASH_SEED ?? 20261129);

interface Trial { at: KillPoint; killed: boolean; requests: number; state: string; rerun: string }
const figures: Record<string, { calibratedRequests: number; trials: Trial[] }> = {};

describe(`kill -9 at random moments on ${TARGET}`, () => {
  const upstream = process.env.S3_ENDPOINT!;
  const bucket = uniqueBucket('crash');
  const locations = {
    LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp`,
    LAKEVAULT_HOME: mkdtempSync(join(tmpdir(), 'lv-crash-')), LAKEVAULT_CONCURRENCY: '4',
  };
  const config = testConfig(locations);
  const backups = backupRepository(config);
  const checkpoints = checkpointRepository(config);
  let open: OpenStore;
  const shape = { rows: 4_000, rowsPerFile: 1_000, rowGroupRows: 500 };

  beforeAll(async () => { open = await openTestStore(locations); });
  afterAll(async () => {
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(open, b);
    await open.close();
    const file = join(tmpdir(), `lakevault-reliability-crash-${TARGET}.json`);
    writeFileSync(file, JSON.stringify({ target: TARGET, seed: SEED, trialsPerCommand: TRIALS, figures }, null, 2) + '\n');
    for (const [command, f] of Object.entries(figures)) {
      const killed = f.trials.filter((t) => t.killed).length;
      const states = tally(f.trials.map((t) => t.state));
      process.stdout.write(`crash ${TARGET} ${command}: ${f.trials.length} trials (${killed} killed mid-run, ~${f.calibratedRequests} requests a run); after the kill: ${states}; reruns: ${tally(f.trials.map((t) => t.rerun))}\n`);
    }
    process.stdout.write(`crash figures: ${file}\n`);
  });

  const tally = (values: string[]) => Object.entries(values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {})).map(([k, n]) => `${k} ×${n}`).join(', ');

  const manifestOf = async (table: TableRef) => readTableManifest(open.store, table.location);
  const setOf = async (table: TableRef): Promise<FileSet> => tableFileSet(table, (await manifestOf(table))!);

  /**
   * Does the table hold this content? Its manifest's content digest (written with the
   * data) and a quick comparison (objects, sizes, ETags, footers) per trial; the last trial
   * of each command is compared at the full level (every row group decoded and digested).
   */
  async function equals(expected: FileSet, table: TableRef, level: 'quick' | 'full' = 'quick'): Promise<boolean> {
    const actual = await setOf(table);
    if (actual.contentDigest !== expected.contentDigest) return false;
    const report = await compareFileSets(open.store, expected, actual, { level });
    return report.ok;
  }

  async function expectValid(set: FileSet, level: 'quick' | 'full' = 'quick'): Promise<void> {
    const report = await validateFileSet(open.store, set, { level });
    expect({ subject: set.label, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ subject: set.label, differences: [], fileErrors: [] });
  }

  /** Every snapshot listed complete validates; returns the entries (complete and incomplete). */
  async function snapshotsValid(repo: SnapshotRepository, table: TableRef): Promise<SnapshotEntry[]> {
    const entries = await listSnapshots(open.store, repo, table.location);
    for (const entry of entries) if (entry.manifest) await expectValid(snapshotFileSet(repo, entry.manifest), 'quick');
    return entries;
  }

  /** Calibrates the command's request count, then kills it at TRIALS seeded points. */
  async function trials(name: string, args: () => string[], prepare: () => Promise<void>, check: (outcome: { killed: boolean }) => Promise<{ state: string; rerun: string }>): Promise<void> {
    await prepare();
    const calibration = await countRequests(args(), locations, upstream);
    expect({ code: calibration.code, stderr: calibration.stderr }).toEqual({ code: 0, stderr: '' });
    figures[name] = { calibratedRequests: calibration.requests, trials: [] };
    const points = killPoints(SEED + name.length * 7919, calibration.requests, TRIALS);
    for (const at of points) {
      await prepare();
      const outcome = await runCliKilledAt(args(), locations, upstream, at);
      if (!outcome.killed) expect(outcome.code).toBe(0); // finished before the kill point
      const result = await check(outcome);
      figures[name].trials.push({ at, killed: outcome.killed, requests: outcome.requests, ...result });
    }
  }

  const timeout = 120_000 + TRIALS * 60_000;

  it('table create --overwrite: the table is its old or its new generation, validated; a rerun completes', async () => {
    const table = resolveTable(config, 'overwritten');
    await createSalesTable(open.store, table, { ...shape, seed: 1, overwrite: false });
    let seed = 100;
    let old: TableManifest;
    await trials('table create --overwrite', () => ['table', 'create', 'overwritten', '--overwrite', '--rows', String(shape.rows), '--rows-per-file', String(shape.rowsPerFile), '--row-group-rows', String(shape.rowGroupRows), '--seed', String(++seed)],
      async () => { old = (await manifestOf(table))!; },
      async () => {
        const now = (await manifestOf(table))!;
        await expectValid(tableFileSet(table, now), 'full');
        const state = now.generation === old.generation ? 'old generation' : 'new generation';
        const rerun = await createSalesTable(open.store, table, { ...shape, seed: ++seed, overwrite: true });
        expect((await manifestOf(table))!.generation).toBe(rerun.generation);
        return { state, rerun: 'completed' };
      });
  }, timeout);

  it('backup create: the source validates, no incomplete backup is listed complete, a rerun (--resume) completes', async () => {
    const table = resolveTable(config, 'backed');
    await createSalesTable(open.store, table, { ...shape, seed: 2, overwrite: false });
    // --full: every trial copies every file (an incremental rerun of an unchanged table copies nothing).
    await trials('backup create --full', () => ['backup', 'create', 'backed', '--full'], async () => undefined, async () => {
      await expectValid(await setOf(table));
      const entries = await snapshotsValid(backups, table);
      const incomplete = entries.filter((e) => !e.manifest);
      for (const entry of incomplete) {
        const resumed = await createSnapshot(open.store, backups, table, openTableSource, { id: entry.id, resume: true, concurrency: 4 });
        expect(resumed.state).toBe('complete');
      }
      for (const entry of (await snapshotsValid(backups, table)).filter((e) => e.manifest)) {
        const report = await compareFileSets(open.store, await setOf(table), snapshotFileSet(backups, entry.manifest!), { level: 'quick' });
        expect(report.differences).toEqual([]);
      }
      return { state: incomplete.length ? 'incomplete backup (listed incomplete)' : 'no incomplete backup', rerun: incomplete.length ? 'resumed' : 'not needed' };
    });
  }, timeout);

  it('backup restore into a new table: no table, or the whole backup — never a partial table; a rerun completes', async () => {
    const source = resolveTable(config, 'restsrc');
    await createSalesTable(open.store, source, { ...shape, seed: 3, overwrite: false });
    const backup = await createSnapshot(open.store, backups, source, openTableSource, { concurrency: 4 });
    const manifest = (await listSnapshots(open.store, backups, source.location)).find((e) => e.id === backup.id)!.manifest!;
    let n = 0;
    await trials('backup restore (new table)', () => ['backup', 'restore', backup.id, '--to', `fresh${n}`], async () => { n += 1; }, async () => {
      const target = resolveTable(config, `fresh${n}`);
      const now = await manifestOf(target);
      const expected = snapshotFileSet(backups, manifest);
      if (now) expect(await equals(expected, target)).toBe(true);
      await expectValid(await setOf(source));
      // The same command again, without --force: it completes when the kill fell before the
      // manifest (the prefix holds only this backup's copies), and refuses a complete table.
      const first = await restoreSnapshot(open.store, backups, manifest, target, snapshotRestorer, { force: false, concurrency: 4 }).catch((error: Error) => error);
      if (now) expect(first instanceof Error ? first.message : 'completed').toMatch(/exists .*use --force/);
      else expect(first instanceof Error ? first.message : 'completed').toBe('completed');
      const rerun = now ? 'refused (table exists)' : 'completed without --force';
      expect(await equals(expected, target, 'full')).toBe(true);
      return { state: now ? 'complete table' : 'no table', rerun };
    });
  }, timeout);

  it('backup restore in place: the table is the old one or the backup, validated — never a mix; a rerun completes', async () => {
    const table = resolveTable(config, 'inplace');
    await createSalesTable(open.store, table, { ...shape, seed: 4, overwrite: false });
    const backup = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
    const manifest = (await listSnapshots(open.store, backups, table.location)).find((e) => e.id === backup.id)!.manifest!;
    const expectedNew = snapshotFileSet(backups, manifest);
    let expectedOld: FileSet;
    await trials('backup restore (in place)', () => ['backup', 'restore', backup.id, '--to', 'inplace', '--force'], async () => {
      // The live table differs from the backup, so "old" and "new" are told apart by content.
      await createSalesTable(open.store, table, { ...shape, seed: 40, overwrite: true });
      expectedOld = await setOf(table);
    }, async () => {
      await expectValid(await setOf(table));
      const isNew = await equals(expectedNew, table);
      const isOld = !isNew && await equals(expectedOld, table);
      expect(isNew || isOld).toBe(true);
      await restoreSnapshot(open.store, backups, manifest, table, snapshotRestorer, { force: true, concurrency: 4 });
      expect(await equals(expectedNew, table, 'full')).toBe(true);
      return { state: isNew ? 'new (the backup)' : 'old table', rerun: 'completed' };
    });
  }, timeout);

  it('recover: the table is the old one or the checkpoint, validated — never a mix; a rerun completes', async () => {
    const table = resolveTable(config, 'recovered');
    await createSalesTable(open.store, table, { ...shape, seed: 5, overwrite: false });
    const checkpoint = await createCheckpoint(open.store, config, table, { concurrency: 4 });
    const manifest = (await listSnapshots(open.store, checkpoints, table.location)).find((e) => e.id === checkpoint.id)!.manifest!;
    const expectedNew = snapshotFileSet(checkpoints, manifest);
    let expectedOld: FileSet;
    await trials('recover', () => ['recover', 'recovered', '--latest'], async () => {
      await createSalesTable(open.store, table, { ...shape, seed: 50, overwrite: true });
      expectedOld = await setOf(table);
    }, async () => {
      await expectValid(await setOf(table));
      await snapshotsValid(checkpoints, table);
      const isNew = await equals(expectedNew, table);
      const isOld = !isNew && await equals(expectedOld, table);
      expect(isNew || isOld).toBe(true);
      await recoverTable(open.store, config, table, { checkpoint: checkpoint.id, concurrency: 4 });
      expect(await equals(expectedNew, table, 'full')).toBe(true);
      return { state: isNew ? 'new (the checkpoint)' : 'old table', rerun: 'completed' };
    });
  }, timeout);

  it('prune: every backup still listed complete validates; a rerun completes and keeps what the policy keeps', async () => {
    const table = resolveTable(config, 'pruned');
    await createSalesTable(open.store, table, { ...shape, seed: 6, overwrite: false });
    const full = { ...backups, incremental: false };
    let kept = new Set<string>();
    await trials('backup prune', () => ['backup', 'prune', 'pruned', '--keep-last', '1', '--grace-hours', '0'], async () => {
      // Three backups each trial: a full one, then incremental ones that reference its files.
      await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 });
      await createSalesTable(open.store, table, { ...shape, seed: 60 + kept.size, overwrite: true });
      await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
      const newest = await createSnapshot(open.store, backups, table, openTableSource, { concurrency: 4 });
      kept = new Set([newest.id]);
    }, async () => {
      const entries = await snapshotsValid(backups, table);
      expect(entries.some((e) => e.manifest && kept.has(e.id))).toBe(true);
      const result = await pruneSnapshots(open.store, backups, table, { policy: { last: 1 }, dryRun: false, graceMs: 0 });
      const left = (await snapshotsValid(backups, table));
      expect(left.map((e) => e.id)).toEqual([...kept]);
      await expectValid(snapshotFileSet(backups, left[0]!.manifest!), 'full');
      return { state: `${entries.length} backups listed, all complete ones valid`, rerun: `completed (removed ${result.removed})` };
    });
  }, timeout);

  it('backup delete: the backup is whole, orphaned (listed as such) or gone; others stay valid; a rerun leaves nothing', async () => {
    const table = resolveTable(config, 'deleted');
    const full = { ...backups, incremental: false };
    let doomed = '';
    let other = '';
    let round = 0;
    await trials('backup delete', () => ['backup', 'delete', doomed], async () => {
      await createSalesTable(open.store, table, { ...shape, seed: 70 + round++, overwrite: true });
      doomed = (await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 })).id;
      await createSalesTable(open.store, table, { ...shape, seed: 80, overwrite: true });
      other = (await createSnapshot(open.store, full, table, openTableSource, { concurrency: 4 })).id;
    }, async () => {
      const { entries, orphans } = await listRepository(open.store, backups, table.location);
      for (const entry of entries) if (entry.manifest) await expectValid(snapshotFileSet(backups, entry.manifest), 'quick');
      expect(entries.some((e) => e.id === other && e.manifest)).toBe(true);
      const listed = entries.some((e) => e.id === doomed) ? 'complete' : orphans.some((o) => o.id === doomed) ? 'orphaned' : 'gone';
      const folder = backups.snapshotLocation(seriesName(table.location), doomed);
      if (listed !== 'gone') await deleteSnapshot(open.store, backups, { id: doomed });
      const left: string[] = [];
      for await (const object of open.store.list(folder.bucket, folder.prefix)) left.push(object.key);
      expect(left).toEqual([]);
      await deleteSnapshot(open.store, backups, { id: other });
      return { state: listed === 'complete' ? 'backup whole (listed complete)' : listed === 'orphaned' ? 'orphaned (listed as such)' : 'gone', rerun: listed === 'gone' ? 'not needed' : 'completed, folder empty' };
    });
  }, timeout);

  it('repo upgrade of a ced7bb3 repository: every complete snapshot stays listed and valid; a rerun finishes the move', async () => {
    let repo: Ced7bb3Repository | undefined;
    const made: Ced7bb3Repository[] = [];
    let complete: string[] = [];
    try {
      await trials('repo upgrade', () => ['repo', 'upgrade', `s3://${repo!.buckets.backups}`], async () => {
        repo = await loadCed7bb3Repository(open.store, uniqueBucket('crash-v1'));
        made.push(repo);
        const v1 = backupRepository({ backups: parseS3Uri(`s3://${repo.buckets.backups}`) });
        complete = (await listSnapshots(open.store, v1)).filter((e) => e.manifest).map((e) => `${e.source.uri} ${e.id}`).sort();
      }, async () => {
        const v1 = backupRepository({ backups: parseS3Uri(`s3://${repo!.buckets.backups}`) });
        const check = async () => {
          const entries = await listSnapshots(open.store, v1);
          for (const entry of entries) if (entry.manifest) await expectValid(snapshotFileSet(v1, entry.manifest), 'quick');
          expect(entries.filter((e) => e.manifest).map((e) => `${e.source.uri} ${e.id}`).sort()).toEqual(complete);
          return entries;
        };
        const layouts = new Set((await check()).map((e) => (e.series === seriesName(e.source) ? 2 : 1)));
        const rerun = await upgradeRepository(open.store, v1, { dryRun: false, concurrency: 4 });
        expect(rerun.ok).toBe(true);
        expect((await check()).every((e) => e.series === seriesName(e.source))).toBe(true);
        const marker = await readRepositoryMarker(open.store, v1);
        expect(marker?.upgrading).toBeUndefined();
        return { state: layouts.size === 2 ? 'half moved (listed once each, all valid)' : layouts.has(2) ? 'moved (all valid)' : 'not moved (all valid)', rerun: `completed (${rerun.moves.length} left to move or clean)` };
      });
    } finally {
      for (const r of made) for (const bucket of Object.values(r.buckets)) await removeBucket(open, bucket);
    }
  }, timeout);
});

