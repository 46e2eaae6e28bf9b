import type { OpenStore } from '../../src/store/open';
import { openTestStore, storeState, TARGET } from '../support/target';
import { cliWith, makeTable, testBuckets } from './backup-support';

jest.setTimeout(300_000); // shared 2-core machine

/**
 * What a user expects to work the same way across commands: a label wherever an id works,
 * the s3:// form of a backup wherever it is accepted, checkpoints listed, deleted and pruned
 * like backups, and commands that say what they did (or refuse) rather than do it quietly.
 */
describe(`CLI consistency on ${TARGET}`, () => {
  const env = testBuckets('consistency');
  const lakevault = cliWith(env);
  let open: OpenStore;
  beforeAll(async () => {
    open = await openTestStore();
    await makeTable(open.store, env.config, 'sales', 2_000, 1_000);
  });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('a unique backup label works wherever an id does: show, validate, restore, delete; text list shows it', async () => {
    const created = await lakevault('--json', 'backup', 'create', 'sales', '--name', 'before-migration');
    expect(created.code).toBe(0);

    const listed = await lakevault('backup', 'list', 'sales');
    expect(listed.stdout).toMatch(/\blabel\b/);
    expect(listed.stdout.split('\n').find((line) => line.includes(created.json.id))).toMatch(/before-migration/);

    const shown = await lakevault('--json', 'backup', 'show', 'before-migration');
    expect(shown.code).toBe(0);
    expect(shown.json).toMatchObject({ id: created.json.id, label: 'before-migration' });

    const validated = await lakevault('--json', 'validate', 'before-migration', 'sales');
    expect(validated.code).toBe(0);
    expect(validated.json.ok).toBe(true);

    const restored = await lakevault('--json', 'backup', 'restore', 'before-migration', '--to', 'sales-from-label');
    expect(restored.code).toBe(0);
    expect(restored.json.snapshot.id).toBe(created.json.id);

    const deleted = await lakevault('--json', 'backup', 'delete', 'before-migration');
    expect(deleted.code).toBe(0);
    expect(deleted.json.id).toBe(created.json.id);
    expect((await lakevault('backup', 'show', 'before-migration')).code).toBe(1);
  });

  it('a label two backups carry is refused as ambiguous, naming both, and nothing is deleted', async () => {
    const first = await lakevault('--json', 'backup', 'create', 'sales', '--name', 'twice');
    const second = await lakevault('--json', 'backup', 'create', 'sales', '--name', 'twice');
    const before = await storeState(open, [env.backups]);
    const refused = await lakevault('backup', 'delete', 'twice');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(first.json.id);
    expect(refused.stderr).toContain(second.json.id);
    expect(refused.stderr).toMatch(/^lakevault: error: label "twice" names 2 backups/);
    expect(await storeState(open, [env.backups])).toEqual(before);
  });

  it('backup delete accepts the s3:// URI of the backup, as show, restore and validate do', async () => {
    const created = await lakevault('--json', 'backup', 'create', 'sales');
    const uri: string = created.json.uri;
    expect((await lakevault('--json', 'backup', 'show', uri)).code).toBe(0);
    const deleted = await lakevault('--json', 'backup', 'delete', uri);
    expect(deleted.code).toBe(0);
    expect(deleted.json.id).toBe(created.json.id);
  });
});

describe(`checkpoints are listed, deleted and pruned like backups, on ${TARGET}`, () => {
  const env = testBuckets('cp-retention');
  const lakevault = cliWith(env);
  let open: OpenStore;
  beforeAll(async () => {
    open = await openTestStore();
    await makeTable(open.store, env.config, 'orders', 1_000, 1_000);
    await makeTable(open.store, env.config, 'items', 1_000, 1_000);
  });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('checkpoint list without a table lists every table\'s checkpoints, as backup list does', async () => {
    const orders = await lakevault('--json', 'checkpoint', 'create', 'orders', '--name', 'orders-cp');
    const items = await lakevault('--json', 'checkpoint', 'create', 'items');
    const all = await lakevault('--json', 'checkpoint', 'list');
    expect(all.code).toBe(0);
    expect(all.json.repository).toBe(`s3://${env.checkpoints}/`);
    expect(all.json.checkpoints.map((c: { id: string }) => c.id).sort()).toEqual([orders.json.id, items.json.id].sort());
    const text = await lakevault('checkpoint', 'list');
    expect(text.stdout).toMatch(/orders-cp/);
  });

  it('checkpoint delete removes one checkpoint (by label or id), and refuses an unknown one with nothing changed', async () => {
    const created = await lakevault('--json', 'checkpoint', 'create', 'items', '--name', 'to-delete');
    const deleted = await lakevault('--json', 'checkpoint', 'delete', 'to-delete');
    expect(deleted.code).toBe(0);
    expect(deleted.json).toMatchObject({ kind: 'checkpoint', id: created.json.id, state: 'complete' });
    expect(deleted.json.deletedObjects).toBeGreaterThan(0);
    const listed = await lakevault('--json', 'checkpoint', 'list', 'items');
    expect(listed.json.checkpoints.map((c: { id: string }) => c.id)).not.toContain(created.json.id);

    const before = await storeState(open, [env.checkpoints]);
    const missing = await lakevault('checkpoint', 'delete', '20200101T000000.000Z-000000');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lakevault: error: checkpoint "20200101T000000.000Z-000000" not found/);
    expect(await storeState(open, [env.checkpoints])).toEqual(before);
  });

  it('checkpoint prune keeps by restic\'s rules (as backup prune), dry run deletes nothing, and a prune without a rule is a usage error', async () => {
    await lakevault('checkpoint', 'create', 'orders');
    await lakevault('checkpoint', 'create', 'orders');
    const ids = (await lakevault('--json', 'checkpoint', 'list', 'orders')).json.checkpoints.map((c: { id: string }) => c.id);
    expect(ids).toHaveLength(3);

    const noRule = await lakevault('checkpoint', 'prune', 'orders');
    expect(noRule.code).toBe(2);

    const before = await storeState(open, [env.checkpoints]);
    const dry = await lakevault('--json', 'checkpoint', 'prune', 'orders', '--keep-last', '1', '--dry-run');
    expect(dry.json).toMatchObject({ dryRun: true, kept: 1, removed: 2 });
    expect(await storeState(open, [env.checkpoints])).toEqual(before);

    const pruned = await lakevault('--json', 'checkpoint', 'prune', 'orders', '--keep-last', '1');
    expect(pruned.code).toBe(0);
    expect(pruned.json.decisions.find((d: { id: string }) => d.id === ids[2])).toMatchObject({ action: 'keep', reasons: ['last snapshot'] });
    const left = (await lakevault('--json', 'checkpoint', 'list', 'orders')).json.checkpoints.map((c: { id: string }) => c.id);
    expect(left).toEqual([ids[2]]);
    // The other table's checkpoints are not this table's to prune.
    expect((await lakevault('--json', 'checkpoint', 'list', 'items')).json.checkpoints).toHaveLength(1);
  });
});

describe(`commands say what they did, on ${TARGET}`, () => {
  const env = testBuckets('saywhat');
  const lakevault = cliWith(env);
  let open: OpenStore;
  beforeAll(async () => {
    open = await openTestStore();
    await makeTable(open.store, env.config, 'ledger', 1_000, 1_000);
  });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('recover says in its output that it replaced an intact table', async () => {
    await lakevault('checkpoint', 'create', 'ledger');
    const text = await lakevault('recover', 'ledger', '--latest');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^replaced an intact table \(generation \S+: its manifest and every file it listed were there\)/m);
    const json = await lakevault('--json', 'recover', 'ledger', '--latest');
    expect(json.json.table_before).toBe('intact');
    expect(json.json.restore).toMatchObject({ mode: 'replace', inPlace: true });
  });
});

describe(`refusals that change nothing, on ${TARGET}`, () => {
  const env = testBuckets('refusals');
  const lakevault = cliWith(env);
  let open: OpenStore;
  beforeAll(async () => {
    open = await openTestStore();
    await makeTable(open.store, env.config, 'present', 100, 100); // the source bucket exists; the prefix copied does not
  });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('copy of a missing or empty source is an error (exit 1) that creates nothing, unless --allow-empty', async () => {
    const destination = `s3://${env.backups}/copy-target/`;
    const missing = await lakevault('copy', `s3://${env.lake}/no-such-prefix/`, destination);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lakevault: error: nothing to copy: no objects under s3:\/\/.*\/no-such-prefix\//);
    expect(await open.store.bucketExists(env.backups)).toBe(false);

    const allowed = await lakevault('--json', 'copy', `s3://${env.lake}/no-such-prefix/`, destination, '--allow-empty');
    expect(allowed.code).toBe(0);
    expect(allowed.json.objects).toBe(0);
  });

  it('backup create of a table that does not exist creates no backup bucket', async () => {
    const absent = await lakevault('backup', 'create', 'ghost', '--to', `s3://${env.checkpoints}-never`);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toMatch(/table "ghost" not found/);
    expect(await open.store.bucketExists(`${env.checkpoints}-never`)).toBe(false);
  });
});
