/**
 * `plan run`: a plan drives backups (with retention), checkpoints, verification cycles,
 * drills (on a scratch copy) and audits; each run does only what is due according to the
 * state kept in the repository; two runs at once do the work once; a run killed mid-way
 * is taken over and what it finished is not done again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lakevault } from '../../src/api/client';
import { loadPlan } from '../../src/plan/load';
import { runPlan } from '../../src/plan/run';
import { readPlanState } from '../../src/plan/state';
import { opsArea } from '../../src/history/area';
import { readHistory } from '../../src/history/read';
import { createTestBucket, type TestBucket } from '../../src/testing';
import { runLakevault, targetEnv } from '../support/cli';
import { TARGET } from '../support/target';

jest.setTimeout(600_000);

const PLAN = (name: string) => `version: 1
name: ${name}
tables:
  - table: vendas
    backup:
      every: 6h
      tags: [plan]
      retention: { keep-last: 2 }
    checkpoint: { every: 1d, retention: { keep-last: 1 } }
    verify: { every: 1d, slices: 2 }
    drill: { every: 1w, disaster: delete-objects, rto-target: 10m, rpo-target: 1d }
audit: { every: 1d, fail-on: critical }
`;

describe(`backup plans on ${TARGET}`, () => {
  let setup: Lakevault;
  let bucket: TestBucket;
  const locations = () => ({ warehouse: bucket.uri('warehouse'), backups: bucket.uri('backups'), checkpoints: bucket.uri('checkpoints') });
  const env = () => ({ ...targetEnv(), LAKEVAULT_WAREHOUSE: locations().warehouse, LAKEVAULT_BACKUPS: locations().backups, LAKEVAULT_CHECKPOINTS: locations().checkpoints });
  const planFile = (name: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'lakevault-plan-')), 'plan.yaml');
    writeFileSync(file, PLAN(name));
    return file;
  };

  beforeAll(async () => {
    setup = await Lakevault.open();
    bucket = await createTestBucket(setup, 'plan');
    const lv = await Lakevault.open(locations());
    try { await lv.table.create('vendas', { rows: 6_000, rowsPerFile: 1_000 }); } finally { await lv.close(); }
  });
  afterAll(async () => {
    await bucket?.remove();
    await setup?.close();
  });

  it('does what is due — backup, retention, checkpoint, verify, drill on a copy, audit — then nothing, then only what falls due', async () => {
    const lv = await Lakevault.open(locations());
    try {
      const { plan } = loadPlan(PLAN('clock'), lv.context.config);
      let clock = Date.now();
      const run = () => runPlan(plan!, { open: () => Lakevault.open(locations()), now: () => new Date(clock) });

      const first = await run();
      expect(first.ok).toBe(true);
      expect(first.steps.map((s) => s.step)).toEqual([
        'vendas:backup', 'vendas:retention', 'vendas:checkpoint', 'vendas:checkpoint-retention', 'vendas:verify', 'vendas:drill', 'audit',
      ]);
      expect(first.steps.find((s) => s.kind === 'drill')!.summary).toMatch(/SUCCESS/);
      // The drill ran on a copy: the table is untouched, the copy is gone.
      expect((await lv.validate('vendas', undefined, { level: 'full' })).ok).toBe(true);
      expect((await lv.table.list()).tables.map((t) => t.name)).toEqual(['vendas']);

      clock += 60_000; // cron, a minute later
      const idle = await run();
      expect(idle.steps).toEqual([]);
      expect(idle.repositories[0]!.outcome).toBe('idle');

      clock += 7 * 3_600_000; // seven hours later: only the 6-hourly backup (and its retention)
      const later = await run();
      expect(later.steps.map((s) => s.step)).toEqual(['vendas:backup', 'vendas:retention']);
      clock += 7 * 3_600_000;
      await run();
      expect((await lv.backup.list('vendas')).backups).toHaveLength(2); // keep-last 2
      expect((await lv.backup.list('vendas')).backups.every((b) => b.tags?.includes('plan'))).toBe(true);

      // What ran is in the repository: the state the due-check reads, and every report.
      const area = opsArea(lv.context.config.backups);
      const state = await readPlanState(lv.context.store, area, 'clock');
      expect(Object.keys(state.steps).sort()).toEqual(['audit', 'vendas:backup', 'vendas:checkpoint', 'vendas:checkpoint-retention', 'vendas:drill', 'vendas:retention', 'vendas:verify']);
      expect(state.targets.vendas).toEqual({ rtoSeconds: 600, rpoSeconds: 86_400 });
      const { records } = await readHistory(lv.context.store, area, ['backup', 'checkpoint', 'drill', 'validation', 'audit']);
      expect(records.filter((r) => r.kind === 'backup').map((r) => r.subject)).toEqual(['vendas', 'vendas', 'vendas']);
      expect(records.find((r) => r.kind === 'drill')).toMatchObject({ subject: 'vendas', ok: true });
      expect(records.filter((r) => r.kind === 'validation' && r.subject === `${locations().backups}vendas/`)).toHaveLength(1); // the plan's verify step
    } finally {
      await lv.close();
    }
  });

  it('two runs started together do the work once: the other finds the lock and does nothing', async () => {
    const file = planFile('twice');
    const [a, b] = await Promise.all([runLakevault(['plan', 'run', file, '--json'], { env: env() }), runLakevault(['plan', 'run', file, '--json'], { env: env() })]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const outcomes = [a.json.repositories[0].outcome, b.json.repositories[0].outcome].sort();
    expect(outcomes[1]).toBe('ran');
    expect(['busy', 'idle']).toContain(outcomes[0]);
    const ran = a.json.repositories[0].outcome === 'ran' ? a.json : b.json;
    const other = ran === a.json ? b.json : a.json;
    expect(ran.steps.filter((s: { kind: string }) => s.kind === 'backup')).toHaveLength(1);
    expect(other.steps).toEqual([]);
  });

  it('a run killed -9 after its backup is taken over at once on the same host; the backup is not taken again', async () => {
    const file = planFile('killed');
    const lv = await Lakevault.open(locations());
    try {
      const area = opsArea(lv.context.config.backups);
      const child = spawn(process.execPath, [join(__dirname, '../../bin/lakevault.js'), 'plan', 'run', file], { env: { PATH: process.env.PATH, HOME: tmpdir(), ...env() }, stdio: 'ignore' });
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && !(await readPlanState(lv.context.store, area, 'killed')).steps['vendas:backup']?.lastSuccess) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      const backupsBefore = (await lv.backup.list('vendas')).backups.length;

      const next = await runLakevault(['plan', 'run', file, '--json'], { env: env() });
      expect(next.code).toBe(0);
      expect(next.json.repositories[0].tookOverFrom).toMatchObject({ pid: child.pid });
      expect(next.json.steps.map((s: { step: string }) => s.step)).not.toContain('vendas:backup');
      expect(next.json.steps.map((s: { step: string }) => s.step)).toContain('audit');
      expect((await lv.backup.list('vendas')).backups.length).toBe(backupsBefore);
    } finally {
      await lv.close();
    }
  });

  it('an invalid plan: exit 2, every error with line and field, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lakevault-plan-'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nname: bad\ntables:\n  - table: vendas\n    backup: { every: often }\n');
    const before = await bucketListing();
    const run = await runLakevault(['plan', 'run', join(dir, 'bad.yaml'), '--json'], { env: env() });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lakevault: error: .*bad\.yaml: 1 error; first at line 5, tables\[0\]\.backup\.every: every must be an interval/)]);
    expect(run.json).toMatchObject({ ok: false, errors: [{ line: 5, column: 15, field: 'tables[0].backup.every' }] });
    expect(await bucketListing()).toEqual(before);
  });

  async function bucketListing(): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of setup.context.store.list(bucket.bucket, '')) keys.push(`${object.key} ${object.etag}`);
    return keys.sort();
  }
});
