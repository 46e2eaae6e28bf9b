import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenStore } from '../../src/store/open';
import { emptyHome, runLakevault, targetEnv } from '../support/cli';
import { startFaultProxy } from '../support/fault-proxy';
import { describeWithOffsite, openOffsiteStore } from '../support/offsite';
import { openTestStore, removeBucket, uniqueBucket } from '../support/target';

/*
 * Off-site backups through the real CLI, between two S3 servers (two embedded servers by
 * default; CI's two RGW clusters): a backup created straight on the other endpoint, a
 * backup copied there (verified, resumable after kill -9, incremental, authenticated), a
 * restore from there, and the site-loss drill recovering from checkpoints kept there.
 */
describeWithOffsite('off-site backups between two servers', () => {
  const lake = uniqueBucket('off-lake');
  const site = uniqueBucket('off-site-a');
  const offsiteBucket = uniqueBucket('off-dr');
  const offsiteCheckpoints = uniqueBucket('off-cp');
  const remote = `s3://${offsiteBucket}/lake`;
  const home = emptyHome('offsite');
  const key = 'offsite-test-manifest-key-0123456789';
  const env = {
    ...targetEnv(),
    LAKEVAULT_WAREHOUSE: `s3://${lake}/warehouse`,
    LAKEVAULT_BACKUPS: `s3://${lake}-bak`,
    LAKEVAULT_CHECKPOINTS: `s3://${lake}-cp`,
    LAKEVAULT_MANIFEST_KEY: key,
  };
  const lakevault = (args: string[], extra: Record<string, string> = {}) => runLakevault(args, { home, env: { ...env, ...extra } });
  const toDr = ['--to', remote, '--to-profile', 'dr'];
  const fromDr = ['--from', remote, '--from-profile', 'dr'];
  let primary: OpenStore;
  let offsite: OpenStore;
  let backupId: string;

  beforeAll(async () => {
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), `[profile dr]\nendpoint_url = ${process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT}\nregion = us-east-1\n`);
    writeFileSync(join(home, '.aws', 'credentials'), `[dr]\naws_access_key_id = ${process.env.LAKEVAULT_TEST_OFFSITE_ACCESS_KEY_ID}\naws_secret_access_key = ${process.env.LAKEVAULT_TEST_OFFSITE_SECRET_ACCESS_KEY}\n`);
    primary = await openTestStore();
    offsite = await openOffsiteStore();
    const created = await lakevault(['table', 'create', 'vendas', '--rows', '6000', '--rows-per-file', '500', '--json']);
    if (created.code !== 0) throw new Error(created.stderr);
    const backup = await lakevault(['backup', 'create', 'vendas', '--json']);
    if (backup.code !== 0) throw new Error(backup.stderr);
    backupId = backup.json.id;
  }, 180_000);

  afterAll(async () => {
    for (const bucket of [lake, `${lake}-bak`, `${lake}-cp`, site]) await removeBucket(primary, bucket);
    for (const bucket of [offsiteBucket, offsiteCheckpoints]) await removeBucket(offsite, bucket);
    await primary.close();
    await offsite.close();
  });

  async function keysOn(open: OpenStore, bucket: string, prefix = ''): Promise<string[]> {
    if (!(await open.store.bucketExists(bucket))) return [];
    const keys: string[] = [];
    for await (const object of open.store.list(bucket, prefix)) keys.push(object.key);
    return keys;
  }

  it('bad input is exit 2 with one line, and nothing is written on either side', async () => {
    const cases: [string[], RegExp][] = [
      [['backup', 'copy', backupId, '--to', remote, '--to-region', 'eu-west-1'], /--to-region and --to-ca-bundle need --to-profile or --to-endpoint/],
      [['backup', 'copy', backupId, '--to', remote, '--to-endpoint', 'ftp://example.com'], /--to-endpoint/],
      [['backup', 'create', 'vendas', '--to-profile', 'dr'], /--to-profile and --to-endpoint need --to s3:\/\/bucket\/prefix/],
      [['backup', 'copy', backupId, '--to', remote, '--to-profile', 'no-such-profile'], /no-such-profile/],
    ];
    for (const [args, message] of cases) {
      const run = await lakevault(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    // A name that is no id is a label: one that no backup carries is not found (exit 1).
    const unknown = await lakevault(['backup', 'copy', 'not-a-backup', ...toDr]);
    expect({ code: unknown.code, lines: unknown.stderr.trim().split('\n').length }).toEqual({ code: 1, lines: 1 });
    expect(unknown.stderr).toMatch(/backup "not-a-backup" not found/);
    expect(await keysOn(offsite, offsiteBucket)).toEqual([]);
  });

  it('an unreachable remote is a clear failure (exit 1), and the primary repository is left as it was', async () => {
    const before = await keysOn(primary, `${lake}-bak`);
    const run = await lakevault(['backup', 'copy', backupId, '--to', remote, '--to-profile', 'dr', '--to-endpoint', 'http://127.0.0.1:9'], { LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_REQUEST_TIMEOUT_MS: '2000' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^lakevault: error: .*127\.0\.0\.1:9/);
    expect(await keysOn(primary, `${lake}-bak`)).toEqual(before);
  });

  it('backup copy streams a backup to the other endpoint, verified, authenticated, keeping its id; a rerun copies nothing', async () => {
    const run = await lakevault(['backup', 'copy', backupId, ...toDr, '--json']);
    expect(run.stderr).toBe('');
    expect(run.json).toMatchObject({ id: backupId, state: 'copied', path: 'between endpoints', objects: 12, copied: { objects: 12 }, reused: { objects: 0 }, authenticated: true, validation: { ok: true } });
    expect(run.json.uri.startsWith(`${remote}/vendas-`)).toBe(true);
    // The copy's files are on the off-site server, under the copy's own folder.
    const shown = await lakevault(['backup', 'show', backupId, ...fromDr, '--json']);
    expect(shown.code).toBe(0);
    expect(shown.json.files.every((file: { bucket: string; key: string }) => file.bucket === offsiteBucket && `s3://${file.bucket}/${file.key}`.startsWith(run.json.uri))).toBe(true);
    expect(await primary.store.bucketExists(offsiteBucket)).toBe(false);
    // Another manifest key does not authenticate the copy: it is refused, never used.
    const forged = await lakevault(['backup', 'show', backupId, ...fromDr], { LAKEVAULT_MANIFEST_KEY: 'another-key-entirely-0123456789' });
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/cannot be trusted: its MAC was made with another key/);
    const again = await lakevault(['backup', 'copy', backupId, ...toDr, '--json']);
    expect(again.json).toMatchObject({ state: 'present', copied: { objects: 0 } });
  });

  it('a second copy of an unchanged table references the files the off-site repository holds (incremental)', async () => {
    const second = await lakevault(['backup', 'create', 'vendas', '--json']);
    const run = await lakevault(['backup', 'copy', second.json.id, ...toDr, '--json']);
    expect(run.json).toMatchObject({ state: 'copied', copied: { objects: 0 }, reused: { objects: 12 }, validation: { ok: true } });
  });

  it('the audit judges a backups location on its own endpoint where it is: LV-DP-006 passes there, and fails while backups share the tables\' endpoint', async () => {
    type Finding = { id: string; status: string; resource: string; evidence: string };
    const domain = (run: { json: { findings: Finding[]; passed: Finding[] } }) => [...run.json.findings, ...run.json.passed].filter((f) => f.id === 'LV-DP-006');
    const here = await lakevault(['audit', '--fail-on', 'critical', '--json']);
    expect(domain(here)).toContainEqual(expect.objectContaining({ status: 'fail', resource: `s3://${lake}-bak/ (backups)` }));
    const away = await lakevault(['audit', '--fail-on', 'critical', '--json'], { LAKEVAULT_BACKUPS: remote, LAKEVAULT_BACKUPS_PROFILE: 'dr' });
    expect(away.code).toBe(0);
    expect(domain(away)).toContainEqual(expect.objectContaining({ status: 'pass', resource: `${remote}/ (backups)`, evidence: expect.stringMatching(/^on another endpoint .* a complete backup of every table \(1\) from the last 7 days$/) }));
    // The checkpoints share the tables' endpoint, but the off-site backups cover every table.
    expect(domain(away)).toContainEqual(expect.objectContaining({ status: 'pass', resource: `s3://${lake}-cp/ (checkpoints)`, evidence: expect.stringContaining(`but ${remote}/ on`) }));
  });

  it('kill -9 mid-copy: the rerun resumes — only what is missing is copied — and the copy validates', async () => {
    const third = (await lakevault(['backup', 'create', 'vendas', '--full', '--json'])).json.id as string;
    // A repository of its own (no earlier copy to reference): every file must cross.
    const fresh = `s3://${offsiteBucket}/resume`;
    let puts = 0;
    let child: { kill: () => void } | undefined;
    const proxy = await startFaultProxy({
      upstream: process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT!,
      seed: 0,
      onResponse: (request) => {
        if (request.method === 'PUT' && request.url.includes('/data/') && ++puts === 5) child?.kill();
      },
      respond: () => (puts >= 5 ? { status: 503, body: '<Error><Code>ServiceUnavailable</Code><Message>killed</Message></Error>' } : undefined),
    });
    try {
      const { spawn } = await import('node:child_process');
      const bin = join(__dirname, '..', '..', 'bin', 'lakevault.js');
      const killed = await new Promise<number | null>((done) => {
        const process_ = spawn(process.execPath, [bin, 'backup', 'copy', third, '--to', fresh, '--to-profile', 'dr', '--to-endpoint', proxy.endpoint], {
          cwd: home, env: { PATH: process.env.PATH, HOME: home, LAKEVAULT_HOME: join(home, '.lakevault'), LAKEVAULT_CONCURRENCY: '1', ...env }, stdio: 'ignore',
        });
        child = { kill: () => process_.kill('SIGKILL') };
        process_.on('close', (code) => done(code));
      });
      expect(killed).toBeNull();
    } finally {
      await proxy.close();
    }
    expect(puts).toBeGreaterThanOrEqual(5);
    const resumed = await lakevault(['backup', 'copy', third, '--to', fresh, '--to-profile', 'dr', '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.json).toMatchObject({ state: 'copied', objects: 12, validation: { ok: true } });
    expect(resumed.json.skipped.objects).toBeGreaterThanOrEqual(4);
    expect(resumed.json.copied.objects + resumed.json.skipped.objects).toBe(12);
  });

  it('backup create --to writes straight to the other endpoint; restore --from brings it back onto the primary', async () => {
    const created = await lakevault(['backup', 'create', 'vendas', ...toDr, '--json']);
    expect(created.stderr).toBe('');
    expect(created.json.uri.startsWith(`${remote}/vendas-`)).toBe(true);
    const listed = await lakevault(['backup', 'list', 'vendas', ...fromDr, '--json']);
    expect(listed.json.backups.map((b: { id: string }) => b.id)).toContain(created.json.id);
    const restored = await lakevault(['backup', 'restore', created.json.id, ...fromDr, '--to', 'back', '--level', 'full', '--json']);
    expect(restored.stderr).toBe('');
    expect(restored.json).toMatchObject({ ok: true, rows: 6000, objects: 12, mode: 'new' });
    const compared = await lakevault(['validate', 'vendas', 'back', '--level', 'full', '--json']);
    expect(compared.json.ok).toBe(true);
  });

  it('the site-loss drill: checkpoints off-site, the table\'s bucket lost, recovered from the other endpoint, RTO and RPO measured', async () => {
    const offsiteCp = {
      LAKEVAULT_CHECKPOINTS: `s3://${offsiteCheckpoints}/cp`,
      LAKEVAULT_CHECKPOINTS_PROFILE: 'dr',
    };
    // Without off-site checkpoints there is no site loss to survive: refused before anything is done.
    const refused = await lakevault(['drill', 'vendas', '--disaster', 'lose-site']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs the checkpoints on another endpoint/);

    expect((await lakevault(['table', 'create', `s3://${site}/vendas`, '--rows', '3000', '--rows-per-file', '500'])).code).toBe(0);
    const run = await lakevault(['drill', `s3://${site}/vendas`, '--disaster', 'lose-site', '--json'], offsiteCp);
    expect(run.stderr).toBe('');
    expect(run.json).toMatchObject({ disaster: 'lose-site', status: 'SUCCESS', recovery_valid: true, original_records: 3000, recovered_records: 3000, checkpoint_endpoint: new URL(process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT!).origin });
    expect(run.json.rto_ms).toBeGreaterThan(0);
    expect(run.json.rpo_ms).toBeGreaterThanOrEqual(0);
    expect(run.json.checkpoint_location.startsWith(`s3://${offsiteCheckpoints}/cp/`)).toBe(true);
    // The checkpoint lives off-site, and nothing of it on the primary.
    expect((await keysOn(offsite, offsiteCheckpoints)).some((k) => k.endsWith('_lakevault/snapshot.json'))).toBe(true);
    expect(await primary.store.bucketExists(offsiteCheckpoints)).toBe(false);
    // A drop of a bucket that holds anything else is refused, naming it, as drop-bucket is.
    const neighbour = await lakevault(['drill', 'vendas', '--disaster', 'lose-site'], offsiteCp);
    expect(neighbour.code).toBe(1);
    expect(neighbour.stderr).toMatch(/refusing lose-site: bucket .* holds/);
  });
});
