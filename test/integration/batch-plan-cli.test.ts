import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeManifestKey, encodeManifestKey, parseCsv } from '../../src/backup/batch-plan';
import { crossCopy } from '../../src/store/cross-copy';
import type { OpenStore } from '../../src/store/open';
import { emptyHome, runLakevault, targetEnv } from '../support/cli';
import { offsiteMissing, openOffsiteStore } from '../support/offsite';
import { openTestStore, removeBucket, uniqueBucket } from '../support/target';

/*
 * `backup plan` writes the CSV manifest an S3 Batch Operations copy job consumes; `backup
 * plan-verify` checks what such a job did against the backup's manifest. The job itself is
 * played here the way S3PutObjectCopy does it: one CopyObject per row to
 * <TargetKeyPrefix><key>, and a completion report in its format.
 */
describe('backup plan and plan-verify through the CLI', () => {
  const lake = uniqueBucket('plan-lake');
  const backups = uniqueBucket('plan-bak');
  const target = uniqueBucket('plan-dst');
  const home = emptyHome('batch-plan');
  const env = { ...targetEnv(), LAKEVAULT_WAREHOUSE: `s3://${lake}/warehouse`, LAKEVAULT_BACKUPS: `s3://${backups}`, LAKEVAULT_CHECKPOINTS: `s3://${lake}-cp` };
  const lakevault = (args: string[], extra: Record<string, string> = {}) => runLakevault(args, { home, env: { ...env, ...extra } });
  let open: OpenStore;
  let backupId: string;
  let manifest: { files: { bucket: string; key: string; size: number; etag: string; relativeKey: string }[] };

  let firstId: string;

  beforeAll(async () => {
    open = await openTestStore();
    const created = await lakevault(['table', 'create', 'vendas', '--rows', '3000', '--rows-per-file', '1000', '--json']);
    if (created.code !== 0) throw new Error(created.stderr);
    firstId = (await lakevault(['backup', 'create', 'vendas', '--json'])).json.id;
    // Nothing changed: the second backup references the first one's files (incremental).
    backupId = (await lakevault(['backup', 'create', 'vendas', '--json'])).json.id;
    manifest = (await lakevault(['backup', 'show', backupId, '--json'])).json;
    await open.store.ensureBucket(target);
  }, 180_000);

  afterAll(async () => {
    for (const bucket of [lake, backups, target]) await removeBucket(open, bucket);
    await open.close();
  });

  /** Plays a copy job over the plan: CopyObject of each row to <prefix><key>; the completion report it would write. */
  async function playJob(csv: string, prefix: string, fail: Set<string> = new Set()): Promise<string> {
    const report: string[] = [];
    for (const [bucket, encoded] of parseCsv(csv) as [string, string][]) {
      const key = decodeManifestKey(encoded);
      if (fail.has(key)) { report.push(`${bucket},${encoded},,failed,403,AccessDenied,"Access Denied, says the job"`); continue; }
      await open.store.copy(bucket, key, target, prefix + key);
      report.push(`${bucket},${encoded},,succeeded,200,,"{""CopyObjectResult"": {}}"`);
    }
    const file = join(home, `report-${prefix.replace(/\W/g, '')}.csv`);
    writeFileSync(file, report.join('\n') + '\n');
    return file;
  }

  it('plan writes one row per file of the backup manifest, where its bytes are, and reports it', async () => {
    const output = join(home, 'plan.csv');
    const run = await lakevault(['backup', 'plan', backupId, '--format', 's3-batch-csv', '--output', output, '--json']);
    expect(run.code).toBe(0);
    const rows = parseCsv(readFileSync(output, 'utf8'));
    expect(rows).toEqual(manifest.files.map((f) => [f.bucket, encodeManifestKey(f.key)]));
    expect(run.json).toMatchObject({ objects: manifest.files.length, bytes: manifest.files.reduce((s, f) => s + f.size, 0), buckets: [backups], tooLarge: [], format: 's3-batch-csv', output });
    // The second backup copied nothing: every row names the first backup's copy.
    expect(new Set(manifest.files.map((f) => f.key.split('/')[1]))).toEqual(new Set([firstId]));
  });

  it('plan-verify: a complete job is OK (size and ETag of every file); a failed task and a missing object are named, exit 1', async () => {
    const csv = readFileSync(join(home, 'plan.csv'), 'utf8');
    const report = await playJob(csv, 'site-a/');
    const good = await lakevault(['backup', 'plan-verify', backupId, '--destination', `s3://${target}/site-a`, '--report', report, '--json']);
    expect(good.code).toBe(0);
    expect(good.json).toMatchObject({ ok: true, files: manifest.files.length, verified: manifest.files.length, problems: [], report: { tasks: manifest.files.length, failed: 0 } });

    const [first, second] = manifest.files;
    const partial = await playJob(csv, 'site-b/', new Set([first!.key]));
    await open.store.deleteKeys(target, [`site-b/${second!.key}`]);
    const bad = await lakevault(['backup', 'plan-verify', backupId, '--destination', `s3://${target}/site-b/`, '--report', partial]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('NOT COMPLETE');
    expect(bad.stdout).toContain(`failed: s3://${target}/site-b/${first!.key} (task failed: 403 AccessDenied Access Denied, says the job)`);
    expect(bad.stdout).toContain(`missing: s3://${target}/site-b/${second!.key}`);
  });

  it('bad input: an unknown format or report file is exit 2, an unknown backup exit 1; nothing is written', async () => {
    const before = await listing(target);
    const format = await lakevault(['backup', 'plan', backupId, '--format', 'yaml', '--output', join(home, 'x.csv')]);
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/^lakevault: error: --format must be s3-batch-csv, got "yaml"\n$/);
    const report = await lakevault(['backup', 'plan-verify', backupId, '--destination', `s3://${target}/site-a/`, '--report', join(home, 'nope.csv')]);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/cannot read the completion report .*nope\.csv: ENOENT/);
    const unknown = await lakevault(['backup', 'plan', '20990101T000000Z-abcdef', '--format', 's3-batch-csv', '--output', join(home, 'y.csv')]);
    expect(unknown.code).toBe(1);
    expect(await listing(target)).toEqual(before);
  });

  const offsiteIt = offsiteMissing() ? it.skip : it;
  offsiteIt('plan-verify reads the destination on another endpoint through --destination-profile (AWS shared config files)', async () => {
    const offsite = await openOffsiteStore();
    const dr = uniqueBucket('plan-dr');
    try {
      await offsite.store.ensureBucket(dr);
      await crossCopy(open.store, offsite.store, manifest.files.map((f) => ({ source: { bucket: f.bucket, key: f.key, size: f.size, etag: f.etag }, destination: { bucket: dr, key: `copy/${f.key}` } })));
      mkdirSync(join(home, '.aws'), { recursive: true });
      writeFileSync(join(home, '.aws', 'config'), `[profile dr]\nendpoint_url = ${process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT}\n`);
      writeFileSync(join(home, '.aws', 'credentials'), `[dr]\naws_access_key_id = ${process.env.LAKEVAULT_TEST_OFFSITE_ACCESS_KEY_ID}\naws_secret_access_key = ${process.env.LAKEVAULT_TEST_OFFSITE_SECRET_ACCESS_KEY}\n`);
      const run = await lakevault(['backup', 'plan-verify', backupId, '--destination', `s3://${dr}/copy/`, '--destination-profile', 'dr', '--json']);
      expect(run.code).toBe(0);
      expect(run.json).toMatchObject({ ok: true, verified: manifest.files.length });
    } finally {
      await removeBucket(offsite, dr);
      await offsite.close();
    }
  });

  async function listing(bucket: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of open.store.list(bucket, '')) keys.push(`${object.key} ${object.etag}`);
    return keys;
  }
});
