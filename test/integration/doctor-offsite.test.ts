import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyHome, runLakevault, targetEnv } from '../support/cli';
import { describeWithOffsite, OFFSITE_TARGET } from '../support/offsite';
import { uniqueBucket } from '../support/target';

/*
 * `lakevault doctor` probes every configured endpoint: the primary one and each other one a
 * location names (here the backups, on the off-site server), through the real CLI.
 */

const offsite = () => ({
  endpoint: process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT!,
  accessKeyId: process.env.LAKEVAULT_TEST_OFFSITE_ACCESS_KEY_ID!,
  secretAccessKey: process.env.LAKEVAULT_TEST_OFFSITE_SECRET_ACCESS_KEY!,
});

describeWithOffsite('doctor with the backups on another endpoint', () => {
  const backups = `s3://${uniqueBucket('doc-offsite')}/repo`;

  it('probes the primary and the off-site endpoint; keys never shown', async () => {
    const run = await runLakevault(['doctor', '--json'], { env: {
      ...targetEnv(),
      LAKEVAULT_BACKUPS: backups,
      LAKEVAULT_BACKUPS_ENDPOINT: offsite().endpoint,
      LAKEVAULT_BACKUPS_ACCESS_KEY_ID: offsite().accessKeyId,
      LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: offsite().secretAccessKey,
    } });
    expect(run.stderr).not.toMatch(/error/);
    expect(run.json).toMatchObject({ ok: true, reachable: { ok: true }, credentials: { ok: true } });
    expect(run.json.endpoints).toHaveLength(1);
    const other = run.json.endpoints[0];
    expect(other).toMatchObject({
      ok: true,
      locations: ['backups'],
      endpoint: offsite().endpoint,
      reachable: { ok: true },
      credentials: { ok: true },
      settings: { identity: new URL(offsite().endpoint).origin, from: 'LAKEVAULT_BACKUPS_*', credentials: `static key ${offsite().accessKeyId.slice(0, 4)}…` },
      writeIntegrity: [{ location: `${backups}/`, skipped: 'bucket does not exist' }],
    });
    expect(other.features['upload-part-copy'].supported).toBe(true);
    if (OFFSITE_TARGET === 'rgw') expect(other.features['object-lock'].supported).toBe(true);
    if (OFFSITE_TARGET === 'embedded') expect(other.features['object-lock'].supported).toBe(false);
    // The primary scan no longer looks for the backups there: they live on the other endpoint.
    expect(run.json.multipartUploads.scanned.concat(run.json.multipartUploads.skipped.map((s: { location: string }) => s.location))).not.toContain(`${backups}/`);
    expect(run.stdout).not.toContain(offsite().secretAccessKey);
  });

  it('a profile of the AWS shared files names the off-site endpoint; its text report says where the backups are', async () => {
    const home = emptyHome('doctor-profile');
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), `[profile dr]\nendpoint_url = ${offsite().endpoint}\nregion = us-east-1\n`);
    writeFileSync(join(home, '.aws', 'credentials'), `[dr]\naws_access_key_id = ${offsite().accessKeyId}\naws_secret_access_key = ${offsite().secretAccessKey}\n`);
    const run = await runLakevault(['doctor'], { home, env: { ...targetEnv(), LAKEVAULT_BACKUPS: backups, LAKEVAULT_BACKUPS_PROFILE: 'dr' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('=== backups on another endpoint (LAKEVAULT_BACKUPS_*, profile dr)');
    expect(run.stdout).toContain('credentials: profile dr');
    expect(run.stdout).not.toContain(offsite().secretAccessKey);
  });

  // The embedded server accepts any key (docs/S3-SERVERS.md): there is nothing to refuse.
  const itChecksSignatures = OFFSITE_TARGET === 'embedded' ? it.skip : it;
  if (OFFSITE_TARGET === 'embedded') process.stdout.write('skipped on the embedded off-site server: refused credentials need a server that checks signatures\n');
  itChecksSignatures('refused off-site credentials: not ok, exit 1, the primary still diagnosed', async () => {
    const run = await runLakevault(['doctor', '--json'], { env: {
      ...targetEnv(),
      LAKEVAULT_BACKUPS: backups,
      LAKEVAULT_BACKUPS_ENDPOINT: offsite().endpoint,
      LAKEVAULT_BACKUPS_ACCESS_KEY_ID: 'LVNOSUCHKEY0000000000',
      LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: 'not-the-secret-of-anyone-000000000000000',
      LAKEVAULT_MAX_ATTEMPTS: '1',
    } });
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ ok: false, credentials: { ok: true }, endpoints: [{ ok: false, credentials: { ok: false } }] });
    expect(run.stdout).not.toContain('not-the-secret-of-anyone');
  });

  it('an off-site location named without credentials is a configuration error (exit 2) before any request', async () => {
    const run = await runLakevault(['doctor', '--json'], { env: { ...targetEnv(), LAKEVAULT_BACKUPS_ENDPOINT: offsite().endpoint } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/lakevault: error: LAKEVAULT_BACKUPS_\*: no credentials for .* never sent to another endpoint/);
  });
});
