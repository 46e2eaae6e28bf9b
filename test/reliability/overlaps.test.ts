import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, storeState, TARGET, testConfig } from '../support/target';
import { runCli } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { resolveTable } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';
import { openTableSource } from '../../src/sources/registry';

jest.setTimeout(300_000);

/**
 * Overlapping locations: a copy into its own source, a backup inside its table, a restore
 * into the backup repository, a configuration whose warehouse, backups and checkpoints share
 * keys. Each is refused with exit 2 and one line before the first write: the store is the
 * same afterwards, object for object.
 */
describe(`overlapping locations on ${TARGET}: exit 2, nothing written`, () => {
  const lake = uniqueBucket('overlap');
  const backups = `${lake}-bk`;
  const checkpoints = `${lake}-cp`;
  const env = {
    LAKEVAULT_WAREHOUSE: `s3://${lake}/wh`,
    LAKEVAULT_BACKUPS: `s3://${backups}`,
    LAKEVAULT_CHECKPOINTS: `s3://${checkpoints}`,
    LAKEVAULT_HOME: mkdtempSync(join(tmpdir(), 'lv-overlap-')),
  };
  const config = testConfig(env);
  let open: OpenStore;
  let backupId = '';

  const state = () => storeState(open, [lake, backups, checkpoints]);

  beforeAll(async () => {
    open = await openTestStore();
    await createSalesTable(open.store, resolveTable(config, 't6'), { rows: 2_000, seed: 6, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false });
    backupId = (await createSnapshot(open.store, backupRepository(config), resolveTable(config, 't6'), openTableSource, { concurrency: 4 })).id;
    await open.store.ensureBucket(checkpoints);
    for (let i = 0; i < 3; i++) await open.store.put(lake, `loop/object-${i}.txt`, `object ${i}\n`);
  });

  afterAll(async () => {
    for (const bucket of [lake, backups, checkpoints]) await removeBucket(open, bucket);
    await open.close();
  });

  const cases: { name: string; args: () => string[]; env?: Record<string, string> }[] = [
    { name: 'copy into a prefix inside the source', args: () => ['copy', `s3://${lake}/loop`, `s3://${lake}/loop/z`] },
    { name: 'copy from inside the destination', args: () => ['copy', `s3://${lake}/loop/z`, `s3://${lake}/loop`] },
    { name: 'copy into the whole source bucket', args: () => ['copy', `s3://${lake}/loop`, `s3://${lake}`] },
    { name: 'copy onto itself', args: () => ['copy', `s3://${lake}/loop/`, `s3://${lake}/loop`] },
    { name: 'backup --to the warehouse (inside the table\'s parent)', args: () => ['backup', 'create', 't6', '--to', `s3://${lake}/wh`] },
    { name: 'backup --to a prefix inside the table', args: () => ['backup', 'create', 't6', '--to', `s3://${lake}/wh/t6/backups`] },
    { name: 'backup --to the checkpoints location', args: () => ['backup', 'create', 't6', '--to', `s3://${checkpoints}/b`] },
    { name: 'backup of an s3:// table into a repository inside it', args: () => ['backup', 'create', `s3://${lake}/loop`, '--to', `s3://${lake}/loop/bk`] },
    { name: 'LAKEVAULT_BACKUPS inside the warehouse', args: () => ['backup', 'create', 't6'], env: { LAKEVAULT_BACKUPS: `s3://${lake}/wh/backups` } },
    { name: 'LAKEVAULT_CHECKPOINTS = LAKEVAULT_BACKUPS', args: () => ['checkpoint', 'create', 't6'], env: { LAKEVAULT_CHECKPOINTS: `s3://${backups}` } },
    { name: '--warehouse holding the backups bucket\'s keys', args: () => ['--warehouse', `s3://${backups}/wh`, 'table', 'list'] },
    { name: 'restore into the backup repository', args: () => ['backup', 'restore', backupId, '--to', `s3://${backups}/restored`] },
    { name: 'checkpoint of a prefix inside the checkpoints location', args: () => ['checkpoint', 'create', `s3://${checkpoints}/t6`] },
    { name: 'recover into the checkpoints location', args: () => ['recover', `s3://${checkpoints}/t6`, '--latest'] },
    { name: 'drill of a prefix inside the checkpoints location', args: () => ['drill', `s3://${checkpoints}/t6`] },
  ];

  it(`${cases.length} overlapping source/destination or configuration cases: exit 2, one line, store unchanged`, async () => {
    const before = await state();
    const failures: string[] = [];
    for (const c of cases) {
      const result = await runCli([...c.args(), '--json'], { ...env, ...c.env }, 60_000);
      const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
      const problems: string[] = [];
      if (result.code !== 2) problems.push(`exit ${result.code} (signal ${result.signal}), expected 2`);
      if (lines.length !== 1 || !/^lakevault: error: .* overlap: one lies inside the other/.test(lines[0]!)) problems.push(`stderr: ${result.stderr.trim().slice(0, 300)}`);
      if (result.code === 2 && JSON.parse(result.stdout).error?.code === undefined) problems.push('no JSON error document');
      if (problems.length) failures.push(`${c.name}: ${problems.join('; ')}`);
    }
    expect(failures).toEqual([]);
    expect(await state()).toEqual(before);
  });

  it('neighbours are not overlaps: s3://b/loop → s3://b/loop2 copies, and a backup --to a separate bucket is taken', async () => {
    const copied = await runCli(['copy', `s3://${lake}/loop`, `s3://${lake}/loop2`, '--json'], env);
    expect(copied.code).toBe(0);
    expect(JSON.parse(copied.stdout).objects).toBe(3);
    const backup = await runCli(['backup', 'create', 't6', '--to', `s3://${backups}/elsewhere`, '--json'], env);
    expect(backup.code).toBe(0);
    expect(JSON.parse(backup.stdout).uri).toMatch(new RegExp(`^s3://${backups}/elsewhere/`));
  });
});
