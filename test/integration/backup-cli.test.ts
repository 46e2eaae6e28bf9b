import type { OpenStore } from '../../src/store/open';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, TARGET } from '../support/target';
import { CopyHookStore, makeTable, testBuckets } from './backup-support';
import { openTableSource } from '../../src/sources/registry';

jest.setTimeout(300_000); // shared 2-core machine


/** `lakevault --json …` against the suite's server; resolves to the parsed document and exit code. */
async function lakevault(args: string[]): Promise<{ code: number | null; json: any; stderr: string }> {
  const { code, stdout, stderr } = await runLakevault(['--json', ...args], { env: targetEnv(), timeoutMs: 200_000 });
  return { code, json: stdout ? JSON.parse(stdout) : undefined, stderr };
}

describe(`backup CLI on ${TARGET}`, () => {
  const env = testBuckets('backup-cli');
  const flags = ['--warehouse', `s3://${env.lake}/warehouse`, '--backups', `s3://${env.backups}`];
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('create, list (complete and incomplete), show, restore (refusing incomplete), prune --dry-run, delete', async () => {
    const table = await makeTable(open.store, env.config, 'sales', 10_000, 5_000);
    const created = await lakevault([...flags, 'backup', 'create', 'sales', '--name', 'nightly']);
    expect(created.code).toBe(0);
    expect(created.json).toMatchObject({ kind: 'backup', table: 'sales', state: 'complete', rows: 10_000, objects: 2, copied: { objects: 2 } });

    await expect(createSnapshot(new CopyHookStore(open.store, { failAfter: 1 }), { ...backupRepository(env.config), incremental: false }, table, openTableSource, { concurrency: 1, maxAttempts: 1 })).rejects.toThrow(/simulated crash/);
    const listed = await lakevault([...flags, 'backup', 'list', 'sales']);
    expect(listed.json.backups.map((b: { state: string }) => b.state)).toEqual(['complete', 'incomplete']);
    const incomplete = listed.json.backups[1].id;

    const refused = await lakevault([...flags, 'backup', 'restore', incomplete, '--to', 'copy']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/incomplete/);
    expect(refused.json.error.code).toBe('NOT_FOUND');

    const shown = await lakevault([...flags, 'backup', 'show', created.json.id]);
    expect(shown.json).toMatchObject({ id: created.json.id, label: 'nightly', totals: { rows: 10_000, files: 2 } });

    const restored = await lakevault([...flags, 'backup', 'restore', created.json.id, '--to', 'copy']);
    expect(restored.code).toBe(0);
    expect(restored.json).toMatchObject({ ok: true, mode: 'new', rows: 10_000, validation: { ok: true, level: 'quick' } });
    const again = await lakevault([...flags, 'backup', 'restore', created.json.id, '--to', 'copy']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/--force/);

    const dry = await lakevault([...flags, 'backup', 'prune', 'sales', '--keep-last', '1', '--dry-run']);
    expect(dry.json).toMatchObject({ dryRun: true, kept: 2, removed: 0 });
    expect(dry.json.decisions.find((d: { state: string }) => d.state === 'incomplete').reasons[0]).toMatch(/grace period/);
    const noRule = await lakevault([...flags, 'backup', 'prune', 'sales']);
    expect(noRule.code).toBe(2);

    const deleted = await lakevault([...flags, 'backup', 'delete', incomplete]);
    expect(deleted.json).toMatchObject({ state: 'incomplete', table: 'sales' });
    const after = await lakevault([...flags, 'backup', 'list', 'sales']);
    expect(after.json.backups.map((b: { id: string }) => b.id)).toEqual([created.json.id]);
  });

  it('retention as restic\'s forget: tags, --keep-tag, --keep-within, the oldest backup, reasons in --dry-run and --json', async () => {
    await makeTable(open.store, env.config, 'kept', 1_000, 1_000);
    const ids: string[] = [];
    for (const tags of [['--tag', 'legal,monthly'], ['--tag', 'weekly', '--tag', ' weekly '], []]) {
      const created = await lakevault([...flags, 'backup', 'create', 'kept', ...tags]);
      expect(created.code).toBe(0);
      ids.push(created.json.id);
    }
    const [oldest, middle, newest] = ids as [string, string, string];
    const listed = await lakevault([...flags, 'backup', 'list', 'kept']);
    expect(listed.json.backups.map((b: { tags?: string[] }) => b.tags)).toEqual([['legal', 'monthly'], ['weekly'], undefined]);
    expect((await lakevault([...flags, 'backup', 'show', oldest])).json.tags).toEqual(['legal', 'monthly']);

    const prune = async (...args: string[]) => {
      const result = await lakevault([...flags, 'backup', 'prune', 'kept', ...args, '--dry-run']);
      expect(result.code).toBe(0);
      return { policy: result.json.policy, reasons: Object.fromEntries(result.json.decisions.map((d: { id: string; action: string; reasons: string[] }) => [d.id, [d.action, ...d.reasons]])) };
    };
    // The oldest backup shares its year with the middle one: restic keeps it while the rule has count left.
    expect(await prune('--keep-yearly', '2')).toEqual({ policy: { yearly: 2 }, reasons: { [newest]: ['keep', 'yearly snapshot'], [middle]: ['remove', 'no rule keeps it'], [oldest]: ['keep', 'oldest yearly snapshot'] } });
    expect((await prune('--keep-yearly', '1')).reasons[oldest]).toEqual(['remove', 'no rule keeps it']);
    expect(await prune('--keep-tag', 'legal', '--keep-tag', 'weekly')).toEqual({ policy: { tags: [['legal'], ['weekly']] }, reasons: { [newest]: ['remove', 'no rule keeps it'], [middle]: ['keep', 'has tags [weekly]'], [oldest]: ['keep', 'has tags [legal]'] } });
    expect(await prune('--keep-within', '0y1h', '--keep-last', '-1')).toEqual({ policy: { last: -1, within: '1h' }, reasons: { [newest]: ['keep', 'within 1h', 'last snapshot'], [middle]: ['keep', 'within 1h', 'last snapshot'], [oldest]: ['keep', 'within 1h', 'last snapshot'] } });
    expect((await prune('--keep-last', 'unlimited')).policy).toEqual({ last: -1 });

    const text = await runLakevault([...flags, 'backup', 'prune', 'kept', '--keep-yearly', '2', '--dry-run'], { env: targetEnv() });
    expect(text.stdout).toContain(`keep   ${oldest} (complete, `);
    expect(text.stdout).toMatch(new RegExp(`keep   ${oldest} \\(complete, [^)]*, tags legal, monthly\\): oldest yearly snapshot`));
    expect(text.stdout).toMatch(new RegExp(`would remove ${middle} \\(complete, [^)]*\\): no rule keeps it`));

    // Both tags of one --keep-tag must match: none does, and restic refuses to remove every snapshot.
    const refused = await lakevault([...flags, 'backup', 'prune', 'kept', '--keep-tag', 'legal,weekly']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to remove every backup of table kept: the policy keeps none of its 3 complete backups/);
    expect((await lakevault([...flags, 'backup', 'list', 'kept'])).json.backups).toHaveLength(3);

    const pruned = await lakevault([...flags, 'backup', 'prune', 'kept', '--keep-tag', 'legal', '--keep-last', '1']);
    expect(pruned.json).toMatchObject({ dryRun: false, kept: 2, removed: 1 });
    expect((await lakevault([...flags, 'backup', 'list', 'kept'])).json.backups.map((b: { id: string }) => b.id)).toEqual([oldest, newest]);
  });

  it('bad flags are usage errors (exit 2) that change nothing', async () => {
    for (const args of [
      ['backup', 'create', 'sales', '--lock-days', 'abc'],
      ['backup', 'create', 'sales', '--lock-days', '1', '--lock-mode', 'forever'],
      ['backup', 'create', 'sales', '--resume', 'not-an-id'],
      ['backup', 'restore', 'x'],
      ['backup', 'create', 'sales', '--tag', 'bad\u0001tag'],
      ['backup', 'prune', 'sales', '--keep-last', '-2'],
      ['backup', 'prune', 'sales', '--keep-daily', '1.5'],
      ['backup', 'prune', 'sales', '--keep-within', '7x'],
      ['backup', 'prune', 'sales', '--keep-within-weekly', '-1m'],
      ['backup', 'prune', 'sales', '--keep-within', '0d'],
      ['drill', 'sales', '--disaster', 'meteor'],
      ['recover', 'sales', '--latest', '--checkpoint', '20260101T000000Z-aaaaaa'],
    ]) {
      const result = await lakevault([...flags, ...args]);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
