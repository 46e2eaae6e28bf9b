import { emptyHome, runLakevault, targetEnv, type CliRun } from '../support/cli';
import { openTestStore, removeBucket, TARGET, testConfig, uniqueBucket } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { parseS3Uri } from '../../src/store/location';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest, TABLE_MANIFEST, type TableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { deleteSnapshot } from '../../src/snapshot/delete';
import { SNAPSHOT_MANIFEST, SNAPSHOT_PENDING, SNAPSHOT_RETAINED, type SnapshotManifest } from '../../src/snapshot/manifest';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { backupRepository } from '../../src/snapshot/repository';
import { validateFileSet } from '../../src/validate';
import { ManifestKey } from '../../src/config/manifest-key';
import { unauthenticatedBackups } from '../../src/audit/backups';
import type { ObjectStore } from '../../src/store/types';
import { openTableSource } from '../../src/sources/registry';
import { addDigests } from '../../src/digest/bag';

/**
 * The trust boundaries: a snapshot belongs to one table, every key stays inside its prefix,
 * a backup is never complete without its data, nothing is left where nothing lists it, and
 * a configured manifest key makes tampering evident. Each case reproduces an attack on the
 * real CLI (or, for the race, the library with a hold point) and checks what must hold:
 * the exit code, the one error line, and the store — object for object — where nothing may
 * change.
 */
describe(`trust boundaries on ${TARGET}`, () => {
  const lake = uniqueBucket('trust');
  const other = `${lake}-other`;
  const backupsBucket = `${lake}-bk`;
  const checkpointsBucket = `${lake}-cp`;
  const buckets = [lake, other, backupsBucket, checkpointsBucket];
  const locations = {
    LAKEVAULT_WAREHOUSE: `s3://${lake}/warehouse`,
    LAKEVAULT_BACKUPS: `s3://${backupsBucket}`,
    LAKEVAULT_CHECKPOINTS: `s3://${checkpointsBucket}`,
    LAKEVAULT_CONCURRENCY: '4',
  };
  const config = testConfig(locations);
  const backups = backupRepository(config);
  const home = emptyHome('trust');
  let open: OpenStore;

  beforeAll(async () => { open = await openTestStore(locations); });
  afterAll(async () => {
    for (const bucket of buckets) await removeBucket(open, bucket);
    await open.close();
  });

  const lakevault = (args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runLakevault(['--json', ...args], { env: { ...targetEnv(), ...locations, ...env }, home });

  /** Exit 0, or a failure that shows what the CLI said. */
  async function ok(args: string[], env: Record<string, string> = {}): Promise<any> {
    const run = await lakevault(args, env);
    expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
    return run.json;
  }

  /**
   * Every object of every bucket of the suite, with size and ETag — but the operations'
   * records (src/history: what each command did, failures included), which are no data.
   */
  async function everything(): Promise<string[]> {
    const lines: string[] = [];
    const record = /^_lakevault\/(history|status)\//;
    for (const bucket of buckets) {
      if (!(await open.store.bucketExists(bucket))) { lines.push(`${bucket} (no bucket)`); continue; }
      for await (const o of open.store.list(bucket, '')) if (!record.test(o.key)) lines.push(`${bucket}/${o.key} ${o.size} ${o.etag}`);
    }
    return lines.sort();
  }

  /** Exits `code` with one error line matching `message`, and changes nothing in the store. */
  async function refused(args: string[], code: number, message: RegExp, env: Record<string, string> = {}): Promise<CliRun> {
    const before = await everything();
    const run = await lakevault(args, env);
    const lines = run.stderr.trim().split('\n');
    expect({ args, code: run.code, lines: lines.length }).toEqual({ args, code, lines: 1 });
    expect(lines[0]).toMatch(/^lakevault: error: /);
    expect(lines[0]).toMatch(message);
    expect(await everything()).toEqual(before);
    return run;
  }

  const shape = { rows: 600, rowsPerFile: 200, rowGroupRows: 100 };
  async function table(nameOrUri: string, seed: number, rows = shape.rows): Promise<TableRef> {
    const ref = resolveTable(config, nameOrUri);
    await createSalesTable(open.store, ref, { ...shape, rows, seed, overwrite: true });
    return ref;
  }
  const manifestOf = async (ref: TableRef): Promise<TableManifest> => (await readTableManifest(open.store, ref.location))!;

  /** Where a snapshot's manifest is, from the uri its create reported. */
  function snapshotAt(uri: string): { bucket: string; prefix: string } {
    return parseS3Uri(uri);
  }
  async function readJson<T>(bucket: string, key: string): Promise<T> {
    return JSON.parse(Buffer.from(await open.store.getBytes(bucket, key)).toString('utf8')) as T;
  }
  async function writeJson(bucket: string, key: string, value: unknown): Promise<void> {
    await open.store.put(bucket, key, JSON.stringify(value, null, 2) + '\n', { contentType: 'application/json' });
  }

  describe('1. a snapshot belongs to one table', () => {
    it('recover --latest never picks a checkpoint of another table with the same last segment; another source needs --allow-other-source', async () => {
      const solo = await table('solo', 1);
      await table(`s3://${other}/wh/solo/`, 9, 1_000);
      const foreign = await ok(['checkpoint', 'create', `s3://${other}/wh/solo/`]);
      const before = await manifestOf(solo);

      await refused(['recover', 'solo', '--latest'], 1, new RegExp(`no complete checkpoint of s3://${lake}/warehouse/solo/`));
      await refused(['recover', 'solo', '--checkpoint', foreign.id], 1, /taken of s3:\/\/.*-other\/wh\/solo\/.*--allow-other-source/);
      expect((await manifestOf(solo)).generation).toBe(before.generation);

      await ok(['checkpoint', 'create', 'solo']);
      const recovered = await ok(['recover', 'solo', '--latest']);
      expect(recovered).toMatchObject({ recovered_records: shape.rows, recovery_valid: true });
      // The explicit choice works: the other table's checkpoint, asked for by id, with the flag.
      const chosen = await ok(['recover', 'solo', '--checkpoint', foreign.id, '--allow-other-source']);
      expect(chosen).toMatchObject({ recovered_records: 1_000, recovery_valid: true });
    }, 300_000);

    it('list and prune select the backups of one location, never a namesake', async () => {
      await table('twin', 2);
      await table(`s3://${other}/wh/twin/`, 3);
      const first = await ok(['backup', 'create', 'twin', '--full']);
      const second = await ok(['backup', 'create', 'twin']);
      const foreign = await ok(['backup', 'create', `s3://${other}/wh/twin/`]);

      const listed = await ok(['backup', 'list', 'twin']);
      expect(listed.backups.map((b: { id: string }) => b.id)).toEqual([first.id, second.id]);
      const pruned = await ok(['backup', 'prune', 'twin', '--keep-last', '1', '--dry-run']);
      expect(pruned.decisions.map((d: { id: string; action: string }) => [d.id, d.action])).toEqual([[second.id, 'keep'], [first.id, 'remove']]);
      const foreignList = await ok(['backup', 'list', `s3://${other}/wh/twin/`]);
      expect(foreignList.backups.map((b: { id: string }) => b.id)).toEqual([foreign.id]);
    }, 300_000);

    it('the audit judges each table by its own backups, not a namesake\'s', async () => {
      const lone = uniqueBucket('trust-audit');
      buckets.push(lone, `${lone}-bk`);
      const env = { LAKEVAULT_WAREHOUSE: `s3://${lone}/warehouse`, LAKEVAULT_BACKUPS: `s3://${lone}-bk` };
      await createSalesTable(open.store, resolveTable(testConfig(env), 'namesake'), { ...shape, seed: 20, overwrite: true });
      await table(`s3://${lone}/elsewhere/namesake/`, 21);
      await ok(['backup', 'create', `s3://${lone}/elsewhere/namesake/`], env);
      const audit = await lakevault(['audit', '--fail-on', 'critical'], env);
      expect(audit.code).toBe(0);
      // Findings are what failed: the warehouse table has no backup, whatever its namesake has.
      const age = audit.json.findings.filter((f: { id: string }) => f.id === 'LV-DP-004');
      expect(age.map((f: { status: string; evidence: string }) => [f.status, f.evidence])).toEqual([['fail', 'no backup of this table']]);
    }, 300_000);

    it('a backup of another table does not replace a table without --allow-other-source', async () => {
      const target = await table('target', 4);
      await table(`s3://${other}/wh/elsewhere/`, 5, 400);
      const foreign = await ok(['backup', 'create', `s3://${other}/wh/elsewhere/`]);
      const before = await manifestOf(target);
      await refused(['backup', 'restore', foreign.id, '--to', 'target', '--force'], 1, /--allow-other-source/);
      expect((await manifestOf(target)).generation).toBe(before.generation);
      // Into a new table it is an ordinary restore; over this one, an explicit choice.
      await ok(['backup', 'restore', foreign.id, '--to', 'fresh-from-elsewhere']);
      const replaced = await ok(['backup', 'restore', foreign.id, '--to', 'target', '--force', '--allow-other-source']);
      expect(replaced).toMatchObject({ rows: 400, ok: true });
    }, 300_000);
  });

  describe('2. every key stays inside its prefix', () => {
    it('a stored relative key with ".." is an integrity error before anything is written', async () => {
      const t1 = await table('keys-t1', 6);
      const t2 = await table('keys-t2', 7);
      const backup = await ok(['backup', 'create', 'keys-t1']);
      const at = snapshotAt(backup.uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      const victim = (await manifestOf(t2)).files[0]!;
      manifest.files[0]!.relativeKey = `../keys-t2/${victim.key}`;
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, manifest);

      await refused(['backup', 'restore', backup.id, '--to', 'keys-fresh'], 1, /\.\..*(leaves|outside)|(leaves|outside).*\.\./);
      await refused(['validate', backup.id], 1, /\.\..*(leaves|outside)|(leaves|outside).*\.\./);
      expect((await open.store.head(lake, t2.location.prefix + victim.key))!.etag).toBe(victim.etag);
      expect(t1.uri).not.toBe(t2.uri);
    }, 300_000);

    it('a forged manifest whose own keys climb out of its prefix cannot make delete remove another backup', async () => {
      await table('climb-t1', 8);
      const t2 = await table('climb-t2', 9);
      const mine = await ok(['backup', 'create', 'climb-t1', '--full']);
      const theirs = await ok(['backup', 'create', 'climb-t2', '--full']);
      const at = snapshotAt(mine.uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      const theirAt = snapshotAt(theirs.uri);
      const theirManifest = await readJson<SnapshotManifest>(theirAt.bucket, theirAt.prefix + SNAPSHOT_MANIFEST);
      const depth = at.prefix.split('/').filter(Boolean).length;
      manifest.files = manifest.files.map((file, i) => ({ ...file, key: at.prefix + '../'.repeat(depth) + theirManifest.files[i % theirManifest.files.length]!.key }));
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, manifest);

      await refused(['backup', 'delete', mine.id], 1, /(leaves|outside)/);
      const report = await validateFileSet(open.store, snapshotFileSet(backups, theirManifest), { level: 'quick' });
      expect({ ok: report.ok, differences: report.differences }).toEqual({ ok: true, differences: [] });
      expect(t2.name).toBe('climb-t2');
    }, 300_000);

    it('a forged retained marker naming another backup\'s files cannot make a delete collect them', async () => {
      await table('retain-t1', 10);
      await table('retain-t2', 11);
      const mine = await ok(['backup', 'create', 'retain-t1', '--full']);
      const theirs = await ok(['backup', 'create', 'retain-t2', '--full']);
      const theirAt = snapshotAt(theirs.uri);
      const theirManifest = await readJson<SnapshotManifest>(theirAt.bucket, theirAt.prefix + SNAPSHOT_MANIFEST);
      // A retained marker beside my backups (same series folder, a made-up id) listing their files.
      const myAt = snapshotAt(mine.uri);
      const series = myAt.prefix.slice(0, myAt.prefix.slice(0, -1).lastIndexOf('/') + 1);
      await writeJson(myAt.bucket, `${series}20200101T000000Z-abcdef/${SNAPSHOT_RETAINED}`, {
        format: 'lakevault.snapshot.retained', id: '20200101T000000Z-abcdef', deletedAt: new Date().toISOString(), keys: theirManifest.files.map((f) => f.key),
      });
      const second = await ok(['backup', 'create', 'retain-t1', '--full']);

      await refused(['backup', 'delete', second.id], 1, /retained.*(leaves|outside)|(leaves|outside).*retained/);
      const report = await validateFileSet(open.store, snapshotFileSet(backups, theirManifest), { level: 'quick' });
      expect({ ok: report.ok, differences: report.differences }).toEqual({ ok: true, differences: [] });
    }, 300_000);

    it('s3:// URIs with "..", "." or empty segments are usage errors, before any request writes', async () => {
      await table('uri-t', 12);
      const backup = await ok(['backup', 'create', 'uri-t']);
      await refused(['table', 'create', `s3://${lake}/../${backupsBucket}/evil`, '--rows', '10'], 2, /"\.\."/);
      await refused(['table', 'create', `s3://${lake}/a/./b`, '--rows', '10'], 2, /"\."/);
      await refused(['table', 'create', `s3://${lake}//evil`, '--rows', '10'], 2, /starts with "\/"/);
      await refused(['table', 'create', `s3://${lake}/a//evil`, '--rows', '10'], 2, /empty segment/);
      await refused(['backup', 'restore', backup.id, '--to', `s3://${lake}/x/../y/`], 2, /"\.\."/);
      await refused(['validate', `s3://${lake}/warehouse/uri-t/../uri-t/`], 2, /"\.\."/);
      await refused(['backup', 'create', 'uri-t', '--to', `s3://${backupsBucket}/a/../b`], 2, /"\.\."/);
    }, 300_000);
  });

  describe('3. a backup is never complete without its data', () => {
    /** A store whose `put` of a key matching `hold` waits until released before it is sent. */
    function holding(inner: ObjectStore, hold: RegExp): { store: ObjectStore; reached: Promise<void>; release: () => void } {
      let release!: () => void;
      let reached!: () => void;
      const gate = new Promise<void>((resolve) => { release = resolve; });
      const arrived = new Promise<void>((resolve) => { reached = resolve; });
      let held = false;
      const store = new Proxy(inner, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (name !== 'put') return typeof value === 'function' ? value.bind(target) : value;
          return async (bucket: string, key: string, ...rest: unknown[]) => {
            if (!held && hold.test(key)) { held = true; reached(); await gate; }
            return (target.put as (...a: unknown[]) => Promise<unknown>)(bucket, key, ...rest);
          };
        },
      }) as ObjectStore;
      return { store, reached: arrived, release };
    }

    it('a delete of the backup an incremental backup is reusing waits for it — it never breaks the new backup', async () => {
      const ref = await table('race', 13);
      const doomed = await createSnapshot(open.store, { ...backups, incremental: false }, ref, openTableSource, { concurrency: 4 });
      // The backup stops just before writing its pending marker: it has chosen to reuse every
      // file of the doomed backup (still complete when it planned) and recorded nothing yet.
      const held = holding(open.store, new RegExp(`${SNAPSHOT_PENDING.replace('.', '\\.')}$`));
      const racing = createSnapshot(held.store, backups, ref, openTableSource, { concurrency: 4 });
      await held.reached;
      const deleting = deleteSnapshot(open.store, backups, { id: doomed.id }).then((r) => ({ result: r }), (error: Error) => ({ error }));
      const outcome = await deleting;
      held.release();
      const racer = await racing;
      expect(racer.reused.objects).toBe(shape.rows / shape.rowsPerFile);
      expect('error' in outcome ? outcome.error.message : 'deleted').toMatch(/locked/);
      // The new backup is whole: every file it references is there.
      const at = parseS3Uri(racer.uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      const report = await validateFileSet(open.store, snapshotFileSet(backups, manifest), { level: 'full' });
      expect({ ok: report.ok, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ ok: true, differences: [], fileErrors: [] });
      // Once the backup is done, the delete goes through and keeps the files the new backup uses.
      const deleted = await deleteSnapshot(open.store, backups, { id: doomed.id });
      expect(deleted.keptForOthers).toBe(shape.rows / shape.rowsPerFile);
    }, 300_000);
  });

  describe('8. nothing is left where nothing lists it', () => {
    it('a backup whose delete was killed after its manifest went is listed as orphaned, and delete removes it', async () => {
      await table('orphan', 14);
      const backup = await ok(['backup', 'create', 'orphan', '--full']);
      const at = snapshotAt(backup.uri);
      await open.store.deleteKeys(at.bucket, [at.prefix + SNAPSHOT_MANIFEST]); // what a kill -9 after that step leaves
      const listed = await ok(['backup', 'list', 'orphan']);
      expect(listed.backups).toEqual([]);
      expect(listed.orphaned.map((o: { id: string; objects: number }) => [o.id, o.objects])).toEqual([[backup.id, shape.rows / shape.rowsPerFile]]);
      const deleted = await ok(['backup', 'delete', backup.id]);
      expect(deleted).toMatchObject({ state: 'orphaned', deletedObjects: shape.rows / shape.rowsPerFile });
      const left: string[] = [];
      for await (const o of open.store.list(at.bucket, at.prefix)) left.push(o.key);
      expect(left).toEqual([]);
      expect((await ok(['backup', 'list', 'orphan'])).orphaned).toEqual([]);
    }, 300_000);

    it('a table whose drop was killed after its manifest went is listed as such, and drop --force removes it', async () => {
      const ref = await table('dropped', 22);
      await open.store.deleteKeys(lake, [ref.location.prefix + TABLE_MANIFEST]); // what a kill -9 after that step leaves
      const listed = await ok(['table', 'list']);
      expect(listed.tables.map((t: { name: string }) => t.name)).not.toContain('dropped');
      expect(listed.withoutManifest).toContainEqual({ name: 'dropped', uri: ref.uri });
      await ok(['table', 'drop', 'dropped', '--force']);
      expect((await ok(['table', 'list'])).withoutManifest.map((p: { name: string }) => p.name)).not.toContain('dropped');
    }, 300_000);

    it('table inspect reports objects the manifest does not list as problems, not as table files', async () => {
      const ref = await table('stray', 15);
      const manifest = await manifestOf(ref);
      const first = manifest.files[0]!;
      await open.store.copy(lake, ref.location.prefix + first.key, lake, `${ref.location.prefix}data/part-00000-left-by-a-killed-restore.parquet`);
      const inspected = await ok(['table', 'inspect', 'stray']);
      expect(inspected.files.map((f: { key: string }) => f.key)).toEqual(manifest.files.map((f) => f.key));
      expect(inspected.totals).toEqual(manifest.totals);
      expect(inspected.problems).toEqual([expect.stringMatching(/data\/part-00000-left-by-a-killed-restore\.parquet: not listed in the manifest/)]);
    }, 300_000);
  });

  describe('9. a configured manifest key makes tampering evident', () => {
    const KEY = 'correct horse battery staple, lakevault test key';

    /** Rewrites a backup so it holds `impostor`'s rows, data and manifest consistent with each other. */
    async function tamper(uri: string, impostor: TableRef): Promise<void> {
      const at = snapshotAt(uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      const fake = await manifestOf(impostor);
      manifest.files = manifest.files.map((file, i) => {
        const source = fake.files[i]!;
        return { ...file, size: source.bytes, etag: source.etag, sourceEtag: source.etag, digest: source.digest, columnDigests: source.columnDigests, rows: source.rows, rowGroups: source.rowGroups };
      });
      for (const [i, file] of manifest.files.entries()) await open.store.copy(lake, impostor.location.prefix + fake.files[i]!.key, file.bucket, file.key);
      manifest.totals = { ...fake.totals };
      manifest.contentDigest = fake.contentDigest;
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, manifest);
    }

    it('a backup whose data and manifest were edited together validates without a key, and is refused with one', async () => {
      await table('signed', 16);
      const impostor = await table('impostor', 17);
      const key = { LAKEVAULT_MANIFEST_KEY: KEY };
      const backup = await ok(['backup', 'create', 'signed', '--full'], key);
      await ok(['validate', backup.id, '--level', 'full'], key);
      await tamper(backup.uri, impostor);
      // Without the key nothing can tell: the tampered backup is self-consistent.
      await ok(['validate', backup.id, '--level', 'full']);
      await refused(['validate', backup.id], 1, /authentic|MAC/, key);
      await refused(['backup', 'restore', backup.id, '--to', 'signed-restored'], 1, /authentic|MAC/, key);
    }, 300_000);

    it('with a key configured, a manifest without a MAC is refused; the key is never printed nor stored', async () => {
      await table('unsigned', 18);
      // A repository of its own: the others of this file hold forged manifests on purpose.
      const repository = `${lake}-sig`;
      buckets.push(repository);
      const own = { LAKEVAULT_BACKUPS: `s3://${repository}` };
      const key = { ...own, LAKEVAULT_MANIFEST_KEY: KEY };
      const backup = await ok(['backup', 'create', 'unsigned'], own);
      await refused(['backup', 'restore', backup.id, '--to', 'unsigned-restored'], 1, /not authenticated|no MAC/, key);
      const checkpoint = await ok(['checkpoint', 'create', 'unsigned']);
      await refused(['recover', 'unsigned', '--checkpoint', checkpoint.id], 1, /not authenticated|no MAC/, key);
      const signed = await lakevault(['backup', 'create', 'unsigned'], key);
      const shown = await lakevault(['backup', 'show', signed.json.id], key);
      // What the audit can report: the complete backups the key does not authenticate.
      const backups = { bucket: repository, prefix: '' };
      const unauthenticated = await unauthenticatedBackups(open.store, { backups, manifestKey: new ManifestKey(KEY) });
      expect(unauthenticated.map((b) => b.id)).toEqual([backup.id]);
      expect(await unauthenticatedBackups(open.store, { backups })).toEqual([]);
      // The audit reports them, and a restore-refused backup does not count as the table's newest.
      type Audited = Record<'findings' | 'passed' | 'other', { id: string; status: string; evidence: string }[]>;
      const results = (audit: Audited) => [...audit.findings, ...audit.passed, ...audit.other];
      const audited = await lakevault(['audit', '--json', '--fail-on', 'critical'], key);
      const authentication = results(audited.json).filter((r) => r.id === 'LV-DP-007');
      expect(authentication).toEqual([expect.objectContaining({ status: 'fail', evidence: expect.stringContaining(backup.uri) })]);
      expect(authentication[0]!.evidence).not.toContain(signed.json.uri);
      const unkeyed = await lakevault(['audit', '--json', '--fail-on', 'critical'], own);
      expect(results(unkeyed.json).filter((r) => r.id === 'LV-DP-007').map((r) => r.status)).toEqual(['not-applicable']);
      for (const run of [signed, shown]) expect(run.stdout + run.stderr).not.toContain(KEY);
      for (const bucket of buckets) {
        if (!(await open.store.bucketExists(bucket))) continue;
        for await (const o of open.store.list(bucket, '')) {
          if (o.key.endsWith('.json')) expect(Buffer.from(await open.store.getBytes(bucket, o.key)).toString('utf8')).not.toContain(KEY);
        }
      }
    }, 300_000);
  });

  describe('format versions', () => {
    it('a manifest or repository of a newer format is refused with the version that wrote it', async () => {
      const ref = await table('future', 19);
      await table('future-ok', 23);
      const backup = await ok(['backup', 'create', 'future']);
      const at = snapshotAt(backup.uri);
      const manifest = await readJson<Record<string, unknown>>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, { ...manifest, formatVersion: 99, toolVersion: '9.9.0' });
      await refused(['backup', 'restore', backup.id, '--to', 'future-restored'], 1, /written by lakevault 9\.9\.0.*upgrade/);
      const tableManifest = await readJson<Record<string, unknown>>(lake, ref.location.prefix + TABLE_MANIFEST);
      await writeJson(lake, ref.location.prefix + TABLE_MANIFEST, { ...tableManifest, formatVersion: 99, toolVersion: '9.9.0' });
      await refused(['table', 'inspect', 'future'], 1, /written by lakevault 9\.9\.0.*upgrade/);
      await refused(['backup', 'create', 'future'], 1, /written by lakevault 9\.9\.0.*upgrade/);
      // A repository of a newer format: nothing reads or writes it.
      const repository = `${lake}-future`;
      buckets.push(repository);
      await open.store.ensureBucket(repository);
      await writeJson(repository, '_lakevault/repository.json', { format: 'lakevault.repository', formatVersion: 3, toolVersion: '9.9.0', createdAt: new Date().toISOString() });
      const newer = { LAKEVAULT_BACKUPS: `s3://${repository}` };
      await refused(['backup', 'list'], 1, /repository\.json is lakevault\.repository format 3, written by lakevault 9\.9\.0.*upgrade lakevault/, newer);
      await refused(['backup', 'create', 'future-ok'], 1, /written by lakevault 9\.9\.0/, newer);
    }, 300_000);
  });

  describe('found by breaking it again', () => {
    it('a file listed twice — in a backup manifest or a table manifest — is an integrity error before anything is written', async () => {
      const ref = await table('twice', 24);
      const backup = await ok(['backup', 'create', 'twice']);
      const at = snapshotAt(backup.uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      // The same record again, totals and content digest made to agree: it validated (full)
      // and a forced restore gave the table twice its rows.
      const files = [...manifest.files, manifest.files[0]!];
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, {
        ...manifest, files, contentDigest: addDigests(files.map((f) => f.digest)),
        totals: { files: files.length, rows: files.reduce((s, f) => s + f.rows, 0), bytes: files.reduce((s, f) => s + f.size, 0) },
      });
      await refused(['validate', backup.id, '--level', 'full'], 1, /listed twice/);
      await refused(['backup', 'restore', backup.id, '--to', 'twice', '--force'], 1, /listed twice/);
      // Two records, one stored object: the table would get one file under two names.
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, { ...manifest, files: manifest.files.map((f) => ({ ...f, key: manifest.files[0]!.key })) });
      await refused(['backup', 'restore', backup.id, '--to', 'twice-fresh'], 1, /listed twice/);

      const tableManifest = await manifestOf(ref);
      const doubled = [...tableManifest.files, tableManifest.files[0]!];
      await writeJson(lake, ref.location.prefix + TABLE_MANIFEST, { ...tableManifest, files: doubled, contentDigest: addDigests(doubled.map((f) => f.digest)) });
      await refused(['validate', 'twice'], 1, /listed twice/);
      await refused(['backup', 'create', 'twice'], 1, /listed twice/);
    }, 300_000);

    it('a backup manifest cannot reuse the files of another table\'s backups', async () => {
      await table('reuse-mine', 25);
      await table('reuse-theirs', 26, 400);
      const mine = await ok(['backup', 'create', 'reuse-mine']);
      const theirs = await ok(['backup', 'create', 'reuse-theirs']);
      const at = snapshotAt(mine.uri);
      const theirAt = snapshotAt(theirs.uri);
      const manifest = await readJson<SnapshotManifest>(at.bucket, at.prefix + SNAPSHOT_MANIFEST);
      const theirManifest = await readJson<SnapshotManifest>(theirAt.bucket, theirAt.prefix + SNAPSHOT_MANIFEST);
      // Their files as if reused from an earlier backup of mine: it validated at the full level,
      // restored their rows as mine, and a delete of their backup (which never reads my
      // folder: files are shared only within a family) broke it.
      const files = theirManifest.files.map((f) => ({ ...f, reusedFrom: theirManifest.id }));
      await writeJson(at.bucket, at.prefix + SNAPSHOT_MANIFEST, { ...manifest, files, totals: theirManifest.totals, contentDigest: theirManifest.contentDigest });
      await refused(['validate', mine.id, '--level', 'full'], 1, /reuse-theirs-.*another table/);
      await refused(['backup', 'restore', mine.id, '--to', 'reuse-fresh'], 1, /another table/);
    }, 300_000);

    it('table create, write, compact and drop refuse a repository\'s location and a prefix holding the warehouse', async () => {
      await table('around', 27);
      const backup = await ok(['backup', 'create', 'around']);
      await ok(['checkpoint', 'create', 'around']);
      // `table drop s3://<backups>/ --force` deleted every backup, `s3://<lake>/` every table; exit 0.
      await refused(['table', 'drop', `s3://${backupsBucket}/`, '--force'], 2, /LAKEVAULT_BACKUPS.*overlap/);
      await refused(['table', 'drop', `s3://${checkpointsBucket}/`, '--force'], 2, /LAKEVAULT_CHECKPOINTS.*overlap/);
      await refused(['table', 'drop', `s3://${lake}/`, '--force'], 2, /holds LAKEVAULT_WAREHOUSE/);
      await refused(['table', 'drop', `s3://${lake}/warehouse/`, '--force'], 2, /holds LAKEVAULT_WAREHOUSE/);
      await refused(['table', 'create', `s3://${backupsBucket}/intruder`, '--rows', '10'], 2, /LAKEVAULT_BACKUPS.*overlap/);
      await refused(['table', 'create', `s3://${lake}/warehouse/`, '--rows', '10', '--overwrite'], 2, /holds LAKEVAULT_WAREHOUSE/);
      // A backup's folder compacted as a prefix without a manifest: its files rewritten, the backup broken.
      await refused(['table', 'compact', backup.uri], 2, /LAKEVAULT_BACKUPS.*overlap/);
    }, 300_000);

    it('table drop removes only what the manifest lists, and never a table nested in the prefix', async () => {
      const outer = await table('nest', 28);
      const inner = await table(`s3://${lake}/warehouse/nest/sub/`, 29, 200);
      // A plain drop deleted the nested table's files (and anything else under the prefix).
      await refused(['table', 'drop', 'nest'], 1, /holds table s3:\/\/.*\/warehouse\/nest\/sub\//);
      await refused(['table', 'drop', 'nest', '--force'], 1, /holds table s3:\/\/.*\/warehouse\/nest\/sub\//);
      await ok(['table', 'drop', inner.uri]);
      await open.store.put(lake, `${outer.location.prefix}README.txt`, 'not a table file');
      await refused(['table', 'drop', 'nest'], 1, /1 object.* the manifest does not list \(first: .*README\.txt\).*--force/);
      const dropped = await ok(['table', 'drop', 'nest', '--force']);
      expect(dropped.deletedObjects).toBe(shape.rows / shape.rowsPerFile + 2); // its files, its manifest and README.txt
    }, 300_000);

    it('backup delete by s3:// URI never reaches into the checkpoints or the warehouse', async () => {
      const ref = await table('by-uri', 30);
      const checkpoint = await ok(['checkpoint', 'create', 'by-uri']);
      // It deleted the checkpoint ("deleted complete backup"), and, as an "orphaned backup",
      // objects under a table's prefix whose folder name looks like a snapshot id.
      await refused(['backup', 'delete', checkpoint.uri], 2, /overlap/);
      const lookalike = `${ref.location.prefix}20200101T000000Z-abcdef/`;
      await open.store.put(lake, `${lookalike}part.txt`, 'a table\'s object');
      await refused(['backup', 'delete', `s3://${lake}/${lookalike}`], 2, /overlap/);
      await ok(['recover', 'by-uri', '--latest']);
    }, 300_000);

    it('checkpoint delete by s3:// URI never reaches into the backups or the warehouse', async () => {
      const ref = await table('ck-by-uri', 33);
      const backup = await ok(['backup', 'create', 'ck-by-uri']);
      // Written beside backup delete's URI form, checkpoint delete deleted a backup's folder given its URI.
      await refused(['checkpoint', 'delete', backup.uri], 2, /overlap/);
      const lookalike = `${ref.location.prefix}20200101T000000Z-abcdef/`;
      await open.store.put(lake, `${lookalike}part.txt`, 'a table\'s object');
      await refused(['checkpoint', 'delete', `s3://${lake}/${lookalike}`], 2, /overlap/);
      await ok(['validate', backup.id]);
    }, 300_000);

    it('a restore or recovery target is checked like a table location: not a repository, not around the warehouse', async () => {
      await table('target', 32);
      const backup = await ok(['backup', 'create', 'target']);
      const checkpoint = await ok(['checkpoint', 'create', 'target']);
      // `backup restore --to s3://<checkpoints>/x` wrote a table into the checkpoints; `--to
      // s3://<lake>/ --force --allow-other-source` wrote one at the bucket root, over the warehouse.
      await refused(['backup', 'restore', backup.id, '--to', `s3://${checkpointsBucket}/x`], 2, /restore target x .*LAKEVAULT_CHECKPOINTS.*overlap/);
      await refused(['backup', 'restore', backup.id, '--to', `s3://${lake}/`, '--force', '--allow-other-source'], 2, /restore target .*holds LAKEVAULT_WAREHOUSE/);
      await refused(['table', 'restore', 'target', '--as-of', new Date().toISOString(), '--to', `s3://${lake}/`, '--force'], 2, /restore target .*holds LAKEVAULT_WAREHOUSE/);
      await refused(['recover', `s3://${lake}/`, '--checkpoint', checkpoint.id, '--allow-other-source'], 2, /recovery target .*holds LAKEVAULT_WAREHOUSE/);
      await refused(['recover', `s3://${backupsBucket}/y`, '--checkpoint', checkpoint.id, '--allow-other-source'], 2, /recovery target y .*LAKEVAULT_BACKUPS.*overlap/);
    }, 300_000);

    it('a version with no data files is refused by backup, checkpoint and drill unless --allow-empty, and prune never keeps only empty backups over ones with data', async () => {
      const hollow = await table('hollow', 31);
      // A prefix holding only a README was backed up as "0 rows, 1 objects", exit 0.
      await open.store.put(lake, 'readme-only/README.txt', 'nothing but a note');
      const readmeOnly = `s3://${lake}/readme-only/`;
      const fresh = `${lake}-fresh`;
      buckets.push(fresh);
      const noData = /readme-only.* holds no data files.*--allow-empty/;
      await refused(['backup', 'create', readmeOnly], 1, noData);
      await refused(['backup', 'create', readmeOnly, '--to', `s3://${fresh}`], 1, noData); // not even the bucket is created
      await refused(['checkpoint', 'create', readmeOnly], 1, noData);
      await refused(['drill', readmeOnly, '--disaster', 'delete-objects'], 1, noData);

      // A lakevault table whose version lists no file; taken on purpose, the backup says it is empty.
      const withData = await ok(['backup', 'create', 'hollow']);
      await ok(['backup', 'create', 'hollow']);
      const full = await manifestOf(hollow);
      await writeJson(lake, hollow.location.prefix + TABLE_MANIFEST, { ...full, files: [], totals: { files: 0, rows: 0, bytes: 0 }, contentDigest: addDigests([]) });
      await refused(['backup', 'create', 'hollow'], 1, /table hollow .* holds no data files/);
      const empty = await ok(['backup', 'create', 'hollow', '--allow-empty']);
      expect(empty).toMatchObject({ rows: 0, objects: 0 });
      expect((await ok(['backup', 'show', empty.id])).empty).toBe(true);
      expect((await ok(['backup', 'show', withData.id])).empty).toBeUndefined();
      const listed = (await ok(['backup', 'list', 'hollow'])).backups;
      expect(listed.map((b: { empty?: boolean }) => b.empty === true)).toEqual([false, false, true]);

      // --keep-last 1 kept the empty backup and removed both that hold the table's data.
      await refused(['backup', 'prune', 'hollow', '--keep-last', '1'], 1, /keeps only empty backups.*would remove 2 holding data/);
      await refused(['backup', 'prune', 'hollow', '--keep-last', '1', '--dry-run'], 1, /keeps only empty backups/);
      await ok(['backup', 'prune', 'hollow', '--keep-last', '2']);
      const pruned = await ok(['backup', 'prune', 'hollow', '--keep-last', '1', '--allow-empty']);
      expect(pruned).toMatchObject({ kept: 1, removed: 1 });
    }, 300_000);
  });
});
