import type { OpenStore } from '../../src/store/open';
import { runLakevault, targetEnv, type CliRun } from '../support/cli';
import { openTestStore, storeState, TARGET } from '../support/target';
import { makeTable, testBuckets } from './backup-support';

jest.setTimeout(300_000); // shared 2-core machine

/**
 * What a user expects to work the same way across commands: a label wherever an id works,
 * the s3:// form of a backup wherever it is accepted, checkpoints listed, deleted and pruned
 * like backups, and commands that say what they did (or refuse) rather than do it quietly.
 */
describe(`CLI consistency on ${TARGET}`, () => {
  const env = testBuckets('consistency');
  const locations = {
    LAKEVAULT_WAREHOUSE: `s3://${env.lake}/warehouse`,
    LAKEVAULT_BACKUPS: `s3://${env.backups}`,
    LAKEVAULT_CHECKPOINTS: `s3://${env.checkpoints}`,
  };
  const lakevault = (...args: string[]): Promise<CliRun> => runLakevault(args, { env: { ...targetEnv(), ...locations } });
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
