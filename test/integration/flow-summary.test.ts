import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';

jest.setTimeout(300_000);

describe(`the flow's summary says what it means, on ${TARGET}`, () => {
  const lake = uniqueBucket('flowsum-lake');
  const backups = uniqueBucket('flowsum-bak');
  const checkpoints = uniqueBucket('flowsum-cp');
  afterAll(async () => {
    const open = await openTestStore();
    try { for (const bucket of [lake, backups, checkpoints]) await removeBucket(open, bucket); } finally { await open.close(); }
  });

  it('schemaVersion, a recovery into an emptied prefix that is new and not in place, rows counted per side; no stderr off a terminal', async () => {
    const run = await runLakevault(['flow', '--rows', '2000', '--rows-per-file', '1000', '--warehouse', `s3://${lake}/warehouse`, '--backups', `s3://${backups}`, '--checkpoints', `s3://${checkpoints}`], { env: targetEnv() });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const summary = run.json;
    expect(summary.schemaVersion).toBe(1);
    expect(summary.steps.recover).toMatchObject({ table_before: 'missing', restore: { mode: 'new', inPlace: false } });
    expect(summary.steps.validate.originalVsBackup).toMatchObject({ ok: true, rows: [2_000, 2_000], rowsChecked: 4_000 });
  });
});
