import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig } from '../support/target';
import { runCli } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { listSnapshots } from '../../src/snapshot/catalog';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import type { SnapshotManifest } from '../../src/snapshot/manifest';
import { backupRepository } from '../../src/snapshot/repository';
import { compareFileSets } from '../../src/validate';
import { openTableSource } from '../../src/sources/registry';

/**
 * A restore into a new table killed mid-copy leaves the snapshot's files under their own
 * keys and no table manifest. Rerunning the same `backup restore <id> --to <table>` —
 * without --force — completes; a prefix that holds anything else (a foreign object, or a
 * file under a snapshot key with other content) is still refused with one line, exit 1,
 * and nothing written or deleted. The leftovers are made the way the restore makes them:
 * server-side copies of the backup's files under the table prefix.
 */
describe(`rerunning an interrupted restore into a new table on ${TARGET}`, () => {
  const bucket = uniqueBucket('rerun');
  const env = {
    LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp`,
    LAKEVAULT_HOME: mkdtempSync(join(tmpdir(), 'lv-rerun-')),
  };
  const config = testConfig(env);
  const backups = backupRepository(config);
  let open: OpenStore;
  let backup: SnapshotManifest;

  beforeAll(async () => {
    open = await openTestStore(env);
    const source = resolveTable(config, 'source');
    await createSalesTable(open.store, source, { rows: 4_000, rowsPerFile: 1_000, rowGroupRows: 500, seed: 7, overwrite: false });
    const created = await createSnapshot(open.store, backups, source, openTableSource, { concurrency: 4 });
    backup = (await listSnapshots(open.store, backups, source.location)).find((e) => e.id === created.id)!.manifest!;
    expect(backup.files.length).toBe(4);
  });

  afterAll(async () => {
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(open, b);
    await open.close();
  });

  /** What a restore killed after copying `count` files leaves: those copies, no manifest. */
  async function interruptedRestore(target: TableRef, count: number): Promise<void> {
    for (const file of backup.files.slice(0, count)) {
      await open.store.copy(file.bucket, file.key, bucket, target.location.prefix + file.relativeKey, { sourceSize: file.size, sourceEtag: file.etag });
    }
  }

  async function objectsUnder(target: TableRef): Promise<string[]> {
    const objects: string[] = [];
    for await (const o of open.store.list(bucket, target.location.prefix)) objects.push(`${o.key} ${o.size} ${o.etag}`);
    return objects.sort();
  }

  async function expectRefused(target: TableRef, found: string): Promise<void> {
    const before = await objectsUnder(target);
    const result = await runCli(['backup', 'restore', backup.id, '--to', target.name], env);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^lakevault: error: .* is not empty \\(found .*${found}\\); use --force`));
    expect(await objectsUnder(target)).toEqual(before);
    expect(await readTableManifest(open.store, target.location)).toBeUndefined();
  }

  it('the rerun without --force completes, and the table equals the backup (full)', async () => {
    const target = resolveTable(config, 'fresh');
    await interruptedRestore(target, 2);
    const result = await runCli(['--json', 'backup', 'restore', backup.id, '--to', 'fresh'], env);
    // On a failure the JSON on stdout (the validation's differences) shows in the diff.
    expect({ code: result.code, stderr: result.stderr, ...(result.code ? { stdout: result.stdout } : {}) }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout) as { ok: boolean; mode: string; objects: number };
    expect(report).toMatchObject({ ok: true, mode: 'new', objects: 4 });
    const restored = tableFileSet(target, (await readTableManifest(open.store, target.location))!);
    const compared = await compareFileSets(open.store, snapshotFileSet(backups, backup), restored, { level: 'full' });
    expect({ differences: compared.differences, fileErrors: compared.fileErrors }).toEqual({ differences: [], fileErrors: [] });
    // Done: a second rerun finds the table and refuses as before.
    const again = await runCli(['backup', 'restore', backup.id, '--to', 'fresh'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists .*use --force to replace it/);
  }, 120_000);

  it('leftovers plus a foreign object are refused: one line, exit 1, nothing written or deleted', async () => {
    const target = resolveTable(config, 'foreign');
    await interruptedRestore(target, 2);
    await open.store.put(bucket, `${target.location.prefix}data/notes.txt`, 'not from the backup');
    await expectRefused(target, 'notes\\.txt');
  }, 120_000);

  it('a file under a snapshot key with other content is refused', async () => {
    const target = resolveTable(config, 'impostor');
    await interruptedRestore(target, 1);
    const second = backup.files[1]!;
    await open.store.put(bucket, target.location.prefix + second.relativeKey, 'same name, other bytes');
    await expectRefused(target, second.relativeKey.split('/').pop()!.replace(/[.]/g, '\\.'));
  }, 120_000);
});
