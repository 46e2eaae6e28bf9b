import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { OpenStore } from '../../src/store/open';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';
import { openTestStore, TARGET } from '../support/target';
import { CopyHookStore, makeTable, testBuckets } from './backup-support';

jest.setTimeout(300_000); // shared 2-core machine

const run = promisify(execFile);

/** `lakevault --json …` against the suite's server; resolves to the parsed document and exit code. */
async function lakevault(args: string[]): Promise<{ code: number; json: any; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/lakevault.js', '--json', ...args], { timeout: 200_000 });
    return { code: 0, json: JSON.parse(stdout), stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, json: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr };
  }
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

    await expect(createSnapshot(new CopyHookStore(open.store, { failAfter: 1 }), { ...backupRepository(env.config), incremental: false }, table, { concurrency: 1, maxAttempts: 1 })).rejects.toThrow(/simulated crash/);
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

  it('bad flags are usage errors (exit 2) that change nothing', async () => {
    for (const args of [
      ['backup', 'create', 'sales', '--lock-days', 'abc'],
      ['backup', 'create', 'sales', '--lock-days', '1', '--lock-mode', 'forever'],
      ['backup', 'create', 'sales', '--resume', 'not-an-id'],
      ['backup', 'restore', 'x'],
      ['drill', 'sales', '--disaster', 'meteor'],
      ['recover', 'sales', '--latest', '--checkpoint', '20260101T000000Z-aaaaaa'],
    ]) {
      const result = await lakevault([...flags, ...args]);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
