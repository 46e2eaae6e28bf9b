import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { parseS3Uri } from '../../src/store/location';
import type { OpenStore } from '../../src/store/open';
import { deleteAllVersions, putVersioning } from '../../src/store/bucket-settings';
import { listObjectVersions } from '../../src/store/object-versions';
import { readTableManifest } from '../../src/table/manifest';
import { resolveTable } from '../../src/table/table-ref';
import { itWith, openTestStore, removeBucket, TARGET, targetHas, uniqueBucket } from '../support/target';
import { cli, objectsUnder, type Run } from './lake-fixtures';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A moment strictly between two writes: the server stamps objects to the second, so each
 * write is followed and preceded by more than a second of nothing.
 */
async function quietMoment(): Promise<string> {
  await sleep(1_100);
  const at = new Date().toISOString();
  await sleep(1_100);
  return at;
}

/**
 * `table history`, `table restore --as-of`, and `validate`/`diff --as-of` through the CLI
 * (dist/): from backups and checkpoints on every server, and from the object versions of a
 * versioned bucket where the server keeps them.
 */
describe(`time travel (${TARGET})`, () => {
  jest.setTimeout(600_000);
  let open: OpenStore;
  const bucket = uniqueBucket('asof');
  const env = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/warehouse`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp` };
  const run = (...args: string[]) => cli(args, env);
  beforeAll(async () => { open = await openTestStore(); await open.store.ensureBucket(bucket); });
  afterAll(async () => {
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(open, b);
    await open.close();
  });

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr || result.stdout}`);
    return result.json;
  }

  /**
   * Every object of the three locations: what reading must leave as it was — but the
   * operations area, where validate records each run's outcome (with --as-of or without).
   */
  async function everything(): Promise<unknown> {
    return Promise.all([bucket, `${bucket}-bk`, `${bucket}-cp`].map(async (b) => {
      if (!(await open.store.bucketExists(b))) return {};
      const objects = await objectsUnder(open.store, b, '');
      return Object.fromEntries(Object.entries(objects).filter(([key]) => !/^_lakevault\/(history|status)\//.test(key)));
    }));
  }

  it('without versions: the backup or checkpoint in force at a time is read and restored; a time before every point is exit 2; reading writes nothing', async () => {
    const first = ok(await run('table', 'create', 'sales', '--rows', '2000', '--seed', '1', '--rows-per-file', '500'));
    const backup = ok(await run('backup', 'create', 'sales'));
    const afterBackup = await quietMoment();
    ok(await run('table', 'create', 'sales', '--rows', '3000', '--seed', '2', '--rows-per-file', '1000', '--overwrite'));
    const checkpoint = ok(await run('checkpoint', 'create', 'sales'));
    const second = await readTableManifest(open.store, resolveTable({ warehouse: parseS3Uri(env.LAKEVAULT_WAREHOUSE) }, 'sales').location);
    const afterCheckpoint = await quietMoment();
    ok(await run('table', 'create', 'sales', '--rows', '1500', '--seed', '3', '--rows-per-file', '1000', '--overwrite'));

    const history = ok(await run('table', 'history', 'sales'));
    expect(history.versioning.status).toBe(targetHas('versioning') ? 'Off' : 'unsupported');
    expect(history.points.map((p: any) => [p.kind, p.generation, p.rows])).toEqual([
      ['current', expect.any(String), 1500],
      ['checkpoint', second!.generation, 3000],
      ['backup', first.generation, 2000],
    ]);
    expect(history.points.map((p: any) => p.id)).toEqual(['current', checkpoint.id, backup.id]);

    const before = await everything();
    // Between the backup and the overwrite: the backup's generation.
    const validated = ok(await run('validate', 'sales', '--as-of', afterBackup, '--level', 'full'));
    expect(validated.subjects).toEqual([expect.objectContaining({ label: expect.stringContaining(`backup ${backup.id}`), rows: 2000, contentDigest: first.contentDigest })]);
    // What changed since the checkpoint: a = the checkpoint's generation, b = the table now.
    const diff = ok(await run('diff', 'sales', 'sales', '--as-of', afterCheckpoint));
    expect(diff.a.label).toContain(`checkpoint ${checkpoint.id}`);
    expect({ a: diff.rows.a, b: diff.rows.b }).toEqual({ a: 3000, b: 1500 });
    expect(diff.rows.added - diff.rows.removed).toBe(1500 - 3000);
    // By point id, too.
    expect(ok(await run('validate', 'sales', '--as-of', backup.id)).subjects[0].label).toContain(backup.id);

    // A time before every point, a time without a zone, an unknown point: usage errors.
    const early = await run('validate', 'sales', '--as-of', '2001-01-01T00:00:00Z');
    expect({ code: early.code, stderr: early.stderr }).toEqual({ code: 2, stderr: `lakevault: error: --as-of 2001-01-01T00:00:00Z predates every point of s3://${bucket}/warehouse/sales/: the oldest is backup ${backup.id} of ${history.points[2].at}\n` });
    const restoreEarly = await run('table', 'restore', 'sales', '--as-of', '2001-01-01', '--to', 'early');
    expect(restoreEarly.code).toBe(2);
    expect(restoreEarly.stderr).toMatch(/^lakevault: error: --as-of 2001-01-01 predates every point/);
    expect((await run('diff', 'sales', 'sales', '--as-of', '2026-12-08T10:00:00')).stderr).toBe('lakevault: error: --as-of "2026-12-08T10:00:00": give a time in ISO 8601 with its zone, e.g. 2026-12-08T10:00:00Z\n');
    const unknown = await run('table', 'restore', 'sales', '--as-of', 'yesterday');
    expect({ code: unknown.code, stderr: unknown.stderr }).toEqual({ code: 2, stderr: `lakevault: error: --as-of "yesterday" is neither a time (ISO 8601 with its zone) nor a point of s3://${bucket}/warehouse/sales/: \`table history sales\` lists them\n` });
    // The current generation into the backups location: refused before any request.
    const intoBackups = await run('table', 'restore', 'sales', '--as-of', 'current', '--to', `s3://${bucket}-bk/sales/`);
    expect({ code: intoBackups.code, stderr: intoBackups.stderr }).toEqual({ code: 2, stderr: `lakevault: error: restore target sales (s3://${bucket}-bk/sales/) and LAKEVAULT_BACKUPS (s3://${bucket}-bk/) overlap: one lies inside the other; choose separate locations\n` });
    // In place without --force: the table exists.
    expect((await run('table', 'restore', 'sales', '--as-of', afterBackup)).code).toBe(1);
    expect(await everything()).toEqual(before);

    // Restored into another table, then in place: the generation in force then, validated.
    const other = ok(await run('table', 'restore', 'sales', '--as-of', afterCheckpoint, '--to', 'sales-then', '--level', 'full'));
    expect(other.asOf.from).toMatchObject({ kind: 'checkpoint', id: checkpoint.id });
    expect(other.restore).toMatchObject({ mode: 'new', rows: 3000, ok: true });
    const inPlace = ok(await run('table', 'restore', 'sales', '--as-of', afterBackup, '--force'));
    expect(inPlace.restore).toMatchObject({ mode: 'replace', inPlace: true, rows: 2000, ok: true });
    expect((await run('validate', 'sales', backup.id, '--level', 'full')).code).toBe(0);
    // The table is now that generation's content: as of now, nothing to do.
    const again = ok(await run('table', 'restore', 'sales', '--as-of', 'current'));
    expect(again.restore).toBeUndefined();
  });

  describe('with versioning', () => {
    const versioned = uniqueBucket('asof-v');
    const venv = { ...env, LAKEVAULT_WAREHOUSE: `s3://${versioned}/warehouse` };
    const vrun = (...args: string[]) => cli(args, venv);
    afterAll(async () => {
      if (await open.store.bucketExists(versioned)) {
        await deleteAllVersions(open.store.client, versioned);
        await open.store.deleteBucket(versioned).catch(() => undefined);
      }
    });

    async function versions(): Promise<string[]> {
      const all: string[] = [];
      for await (const v of listObjectVersions(open.store, versioned, '')) all.push(`${v.key}@${v.versionId}:${v.deleteMarker}`);
      return all.sort();
    }

    itWith('versioning')('earlier generations come back from object versions alone (no backup), a dropped table too; a generation whose file version is gone is refused', async () => {
      await open.store.ensureBucket(versioned);
      await putVersioning(open.store.client, versioned, 'Enabled');
      const g1 = ok(await vrun('table', 'create', 'events', '--rows', '2000', '--seed', '11', '--rows-per-file', '500'));
      const t1 = await quietMoment();
      const g2 = ok(await vrun('table', 'create', 'events', '--rows', '2500', '--seed', '12', '--rows-per-file', '1000', '--overwrite'));
      const t2 = await quietMoment();
      const g3 = ok(await vrun('table', 'create', 'events', '--rows', '1000', '--seed', '13', '--rows-per-file', '1000', '--overwrite'));

      const history = ok(await vrun('table', 'history', 'events'));
      expect(history.versioning).toEqual({ bucket: versioned, status: 'Enabled' });
      expect(history.points.map((p: any) => [p.kind, p.generation, p.rows, p.restorable])).toEqual([
        ['current', g3.generation, 1000, true],
        ['version', g2.generation, 2500, true],
        ['version', g1.generation, 2000, true],
      ]);

      // Validate and diff do not read versions in place: they say how to bring one back.
      const before = await versions();
      const read = await vrun('validate', 'events', '--as-of', t1);
      expect(read.code).toBe(1);
      expect(read.stderr).toMatch(/held only as object versions .* bring it back first with `table restore events --as-of .* --to <new table>`/);
      expect(await versions()).toEqual(before);

      // Into a new table, and in place: the content of the generation in force then.
      const old = ok(await vrun('table', 'restore', 'events', '--as-of', t1, '--to', 'events-t1', '--level', 'full'));
      expect(old.asOf.from).toMatchObject({ kind: 'version', generation: g1.generation });
      expect(old.restore).toMatchObject({ mode: 'new', rows: 2000, ok: true });
      const restoredT1 = await readTableManifest(open.store, parseS3Uri(`s3://${versioned}/warehouse/events-t1/`));
      expect(restoredT1!.contentDigest).toBe(g1.contentDigest);
      const inPlace = ok(await vrun('table', 'restore', 'events', '--as-of', t2, '--force', '--level', 'full'));
      expect(inPlace.restore).toMatchObject({ mode: 'replace', inPlace: true, replacedGeneration: g3.generation, rows: 2500, ok: true });
      const now = await readTableManifest(open.store, parseS3Uri(`s3://${versioned}/warehouse/events/`));
      expect(now!.contentDigest).toBe(g2.contentDigest);

      // A dropped table: no table after the drop, the generation before it comes back.
      const beforeDrop = await quietMoment();
      ok(await vrun('table', 'drop', 'events'));
      const afterDrop = await quietMoment();
      const gone = await vrun('table', 'restore', 'events', '--as-of', afterDrop, '--to', 'events-gone');
      expect(gone.code).toBe(1);
      expect(gone.stderr).toMatch(/did not exist at .*: its manifest was deleted at/);
      const back = ok(await vrun('table', 'restore', 'events', '--as-of', beforeDrop, '--level', 'full'));
      expect(back.restore).toMatchObject({ mode: 'new', rows: 2500, ok: true });

      // One file version of g1 removed for good: g1 is listed, not restorable, and refused.
      let victim: { key: string; versionId: string } | undefined;
      for await (const v of listObjectVersions(open.store, versioned, 'warehouse/events/data/')) {
        if (!v.deleteMarker && v.key.includes(g1.generation)) victim ??= v;
      }
      await open.store.client.send(new DeleteObjectCommand({ Bucket: versioned, Key: victim!.key, VersionId: victim!.versionId }));
      const later = ok(await vrun('table', 'history', 'events'));
      expect(later.points.find((p: any) => p.generation === g1.generation)).toMatchObject({ restorable: false, reason: expect.stringContaining('is no longer held') });
      const beforeRefusal = await versions();
      const refused = await vrun('table', 'restore', 'events', '--as-of', t1, '--to', 'events-t1-again');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(new RegExp(`generation ${g1.generation} .* cannot be brought back: .* is no longer held`));
      expect(await versions()).toEqual(beforeRefusal);
    });
  });
});
