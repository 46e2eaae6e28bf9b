import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import { runLakevault, targetEnv, type CliRun } from '../support/cli';
import type { OpenStore } from '../../src/store/open';

function cli(args: string[]): Promise<CliRun> {
  return runLakevault(args, { env: targetEnv() });
}

describe(`lakevault validate (CLI) on ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('validate-cli');
  const warehouse = ['--warehouse', `s3://${bucket}/warehouse`];

  beforeAll(async () => {
    open = await openTestStore();
    for (const [name, seed] of [['one', '5'], ['same', '5'], ['other', '6']] as const) {
      const made = await cli(['table', 'create', name, '--rows', '30000', '--seed', seed, '--rows-per-file', '10000', '--row-group-rows', '5000', ...warehouse]);
      if (made.code !== 0) throw new Error(`table create ${name} failed: ${made.stderr}`);
    }
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  it('exits 0 with one JSON document when everything matches, at both levels', async () => {
    const single = await cli(['validate', 'one', '--level', 'full', '--json', ...warehouse]);
    expect(single.code).toBe(0);
    const report = JSON.parse(single.stdout);
    expect(report).toMatchObject({ ok: true, level: 'full', differences: [], fileErrors: [], rowsChecked: 30_000 });
    expect(report.subjects).toHaveLength(1);
    expect(report.rowsPerSecond).toBeGreaterThan(0);
    const pair = await cli(['validate', 'one', 'same', '--json', ...warehouse]);
    expect(pair.code).toBe(0);
    expect(JSON.parse(pair.stdout)).toMatchObject({ ok: true, level: 'quick' });
  });

  it('exits 1 on differences, still printing the full report as the only JSON document', async () => {
    const run = await cli(['validate', 'one', 'other', '--level', 'full', '--json', ...warehouse]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout); // throws if a second document followed
    expect(report.ok).toBe(false);
    expect(report.differences.filter((d: { subject: string; kind: string }) => d.subject === 'a vs b' && d.kind === 'digest').map((d: { column?: string }) => d.column))
      .toEqual(expect.arrayContaining(['id', 'produto', 'total'].filter((c) => c !== 'id')));
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lakevault: error: validation found \d+ difference/)]);
  });

  it('exits 2 on usage errors, before touching the store', async () => {
    for (const args of [['validate'], ['validate', 'one', '--level', 'deep'], ['validate', 'one', 'same', 'third'], ['validate', 'one', '--workers', '0']]) {
      const run = await cli([...args, ...warehouse]);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('exits 1 with one error line for something that does not exist', async () => {
    const run = await cli(['validate', 'nothing-here', ...warehouse]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lakevault: error: .*nothing-here/);
  });
});
