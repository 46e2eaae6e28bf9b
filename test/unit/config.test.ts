import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, loadEnvironment, readEnvironment, describeConfig, describeSettings, redactKeyId } from '../../src/config/config';
import { redactEndpoint } from '../../src/config/endpoint';
import { ConfigError } from '../../src/errors';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'lakevault-config-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'not.pem');
writeFileSync(notPem, 'hello');

/** loadConfig must throw a ConfigError (exit code 2) whose message contains `text`. */
function expectConfigError(env: Record<string, string>, text: string | RegExp, overrides = {}): void {
  let thrown: unknown;
  try { loadConfig(overrides, env); } catch (error) { thrown = error; }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as ConfigError).exitCode).toBe(2);
  expect((thrown as ConfigError).code).toBe('CONFIG');
  expect((thrown as Error).message).toMatch(text);
  expect((thrown as Error).message).not.toContain('\n');
}

describe('loadConfig', () => {
  it('defaults: embedded server, three separate default locations, sane limits', () => {
    const config = loadConfig({}, {});
    expect(config.endpoint).toBeUndefined();
    expect(config.warehouse).toEqual({ bucket: 'lake', prefix: 'warehouse/' });
    expect(config.backups).toEqual({ bucket: 'lake-backups', prefix: '' });
    expect(config.checkpoints).toEqual({ bucket: 'lake-checkpoints', prefix: '' });
    expect(config).toMatchObject({ region: 'us-east-1', concurrency: 64, multipartThreshold: 512 * MiB, multipartPartSize: 128 * MiB, maxAttempts: 6 });
    expect(config.credentials).toBeUndefined();
  });

  it('reads endpoint, keys, region and locations from the environment; a custom endpoint defaults to path style', () => {
    const config = loadConfig({}, {
      S3_ENDPOINT: 'https://s3.example.test:9000/', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token', AWS_REGION: 'eu-west-3', LAKEVAULT_WAREHOUSE: 's3://data/lake/tables', LAKEVAULT_CONCURRENCY: '8',
    });
    expect(config.endpoint).toBe('https://s3.example.test:9000');
    expect(config.forcePathStyle).toBe(true);
    expect(config.credentials).toEqual({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
    expect(config.region).toBe('eu-west-3');
    expect(config.warehouse).toEqual({ bucket: 'data', prefix: 'lake/tables/' });
    expect(config.concurrency).toBe(8);
  });

  it('S3_FORCE_PATH_STYLE=false and the aws endpoint use virtual-hosted addressing', () => {
    expect(loadConfig({}, { S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle).toBe(false);
    expect(loadConfig({}, { S3_ENDPOINT: 'aws' }).forcePathStyle).toBe(false);
  });

  it('CLI overrides win over the environment', () => {
    const config = loadConfig(
      { endpoint: 'http://127.0.0.1:1234', region: 'ap-south-1', warehouse: 's3://other/wh', concurrency: 4, pathStyle: false, caBundle: ca },
      { S3_ENDPOINT: 'http://127.0.0.1:9999', AWS_REGION: 'eu-west-1', LAKEVAULT_WAREHOUSE: 's3://lake/warehouse', LAKEVAULT_CONCURRENCY: '64' },
    );
    expect(config).toMatchObject({ endpoint: 'http://127.0.0.1:1234', region: 'ap-south-1', concurrency: 4, forcePathStyle: false, caBundlePath: ca });
    expect(config.warehouse).toEqual({ bucket: 'other', prefix: 'wh/' });
    expect(config.caBundle).toContain('BEGIN CERTIFICATE');
  });

  it.each([
    ['not a URL', { S3_ENDPOINT: 'not a url' }, /S3_ENDPOINT is not a valid URL/],
    ['a host without scheme', { S3_ENDPOINT: 'localhost:9000' }, /S3_ENDPOINT must start with http/],
    ['another scheme', { S3_ENDPOINT: 'ftp://host:21' }, /S3_ENDPOINT must start with http/],
    ['a path', { S3_ENDPOINT: 'http://host:9000/bucket' }, /bare origin/],
    ['an unreadable CA file', { S3_CA_BUNDLE: join(dir, 'missing.pem') }, /S3_CA_BUNDLE: cannot read .*missing\.pem.*ENOENT/],
    ['a CA file without a certificate', { S3_CA_BUNDLE: notPem }, /holds no PEM certificate/],
    ['half a key pair', { AWS_ACCESS_KEY_ID: 'AKIA' }, /must be set together/],
    ['the other half', { AWS_SECRET_ACCESS_KEY: 'x' }, /must be set together/],
    ['a non-numeric concurrency', { LAKEVAULT_CONCURRENCY: 'many' }, /LAKEVAULT_CONCURRENCY must be a whole number from 1 to 1,024, got "many"/],
    ['a zero concurrency', { LAKEVAULT_CONCURRENCY: '0' }, /LAKEVAULT_CONCURRENCY/],
    ['a fractional threshold', { LAKEVAULT_MULTIPART_THRESHOLD: '1.5' }, /LAKEVAULT_MULTIPART_THRESHOLD/],
    ['a part below 5 MiB', { LAKEVAULT_MULTIPART_PART_SIZE: String(4 * MiB) }, /LAKEVAULT_MULTIPART_PART_SIZE must be a whole number from 5,242,880 to/],
    ['a bad boolean', { S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE must be true or false/],
    ['a location that is not s3://', { LAKEVAULT_BACKUPS: '/var/backups' }, /LAKEVAULT_BACKUPS: not an s3:\/\/ location/],
    ['an invalid bucket', { LAKEVAULT_CHECKPOINTS: 's3://Bad_Bucket/x' }, /LAKEVAULT_CHECKPOINTS: invalid bucket/],
  ])('rejects %s with one ConfigError line', (_label, env, message) => {
    expectConfigError(env as Record<string, string>, message);
  });

  it.each([
    ['backups inside the warehouse', { LAKEVAULT_BACKUPS: 's3://lake/warehouse/backups' }, {}, /the warehouse \(s3:\/\/lake\/warehouse\/\) and the backups location \(s3:\/\/lake\/warehouse\/backups\/\) overlap/],
    ['the warehouse holding the whole backups bucket', { LAKEVAULT_WAREHOUSE: 's3://lake-backups/wh' }, {}, /overlap/],
    ['backups and checkpoints in one place', { LAKEVAULT_BACKUPS: 's3://vault', LAKEVAULT_CHECKPOINTS: 's3://vault' }, {}, /the backups location .* and the checkpoints location .* overlap/],
    ['checkpoints as the whole warehouse bucket', { LAKEVAULT_CHECKPOINTS: 's3://lake' }, {}, /overlap/],
    ['a --backups flag inside the warehouse', {}, { backups: 's3://lake/warehouse/x' }, /overlap/],
  ])('refuses %s (exit 2)', (_label, env, overrides, message) => {
    expectConfigError(env as Record<string, string>, message, overrides);
  });

  it('locations on different endpoints are different stores: the same bucket there is another bucket', () => {
    const env = { LAKEVAULT_WAREHOUSE: 's3://lake/warehouse', LAKEVAULT_BACKUPS: 's3://lake/warehouse/backups', LAKEVAULT_BACKUPS_ENDPOINT: 'http://127.0.0.1:9100' };
    expect(loadConfig({}, env).backups).toEqual({ bucket: 'lake', prefix: 'warehouse/backups/' });
    // Two locations that share the other endpoint are still checked against each other.
    expectConfigError({ ...env, LAKEVAULT_CHECKPOINTS: 's3://lake/warehouse/backups/cp', LAKEVAULT_CHECKPOINTS_ENDPOINT: 'http://127.0.0.1:9100' }, /the backups location .* and the checkpoints location .* overlap/);
  });

  it('accepts three separate places in one bucket', () => {
    const config = loadConfig({}, { LAKEVAULT_WAREHOUSE: 's3://one/wh', LAKEVAULT_BACKUPS: 's3://one/wh-backups', LAKEVAULT_CHECKPOINTS: 's3://one/cp' });
    expect(config.backups).toEqual({ bucket: 'one', prefix: 'wh-backups/' });
  });

  it('a bad override is a ConfigError too', () => {
    expectConfigError({}, /endpoint is not a valid URL/, { endpoint: 'nonsense' });
  });

  describe('one parser and one set of limits for every source of a number', () => {
    const bad = ['10000000', '1e9', '0x10', '1.5', '-5', '+16', '16abc', '1_000', 'Infinity', '0'];
    it.each(bad)('LAKEVAULT_CONCURRENCY=%j is refused from the environment', (raw) => {
      expectConfigError({ LAKEVAULT_CONCURRENCY: raw }, new RegExp(`^LAKEVAULT_CONCURRENCY must be a whole number from 1 to 1,024, got "${raw.replace(/[.+]/g, '\\$&')}"$`));
    });

    it.each(bad)('--concurrency %j is refused as a flag, with the same rule', (raw) => {
      let thrown: unknown;
      try { loadConfig({ concurrency: raw }, {}, { overridesAre: 'flags' }); } catch (error) { thrown = error; }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(/^--concurrency must be a whole number from 1 to 1,024/);
    });

    it('from a .env file too, and a library option (a number) meets the same limits', () => {
      const cwd = mkdtempSync(join(tmpdir(), 'lakevault-dotenv-conc-'));
      writeFileSync(join(cwd, '.env'), 'LAKEVAULT_CONCURRENCY=1e9\n');
      const { variables, fromFile } = loadEnvironment(cwd, {});
      expect(() => loadConfig({}, variables, { fromFile })).toThrow(/LAKEVAULT_CONCURRENCY must be a whole number from 1 to 1,024, got "1e9"/);
      expect(() => loadConfig({ concurrency: 10_000_000 }, {})).toThrow(/^concurrency must be a whole number from 1 to 1,024, got "10000000"/);
      expect(() => loadConfig({ concurrency: 1.5 }, {})).toThrow(ConfigError);
    });

    it.each([
      ['LAKEVAULT_MULTIPART_THRESHOLD', '1e9'],
      ['LAKEVAULT_MULTIPART_THRESHOLD', String(6 * 1024 * MiB)],
      ['LAKEVAULT_MULTIPART_PART_SIZE', '0x800000'],
      ['LAKEVAULT_MAX_ATTEMPTS', '1000'],
      ['LAKEVAULT_REQUEST_TIMEOUT_MS', '6e4'],
    ])('%s=%s is refused', (variable, raw) => {
      expectConfigError({ [variable]: raw }, new RegExp(`^${variable} must be a whole number from`));
    });

    it('values at the limits and with surrounding blanks are accepted', () => {
      expect(loadConfig({}, { LAKEVAULT_CONCURRENCY: ' 1024 ', LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_MULTIPART_THRESHOLD: '1' })).toMatchObject({ concurrency: 1024, maxAttempts: 1, multipartThreshold: 1 });
      expect(loadConfig({ concurrency: '8' }, {}, { overridesAre: 'flags' }).concurrency).toBe(8);
    });
  });

  describe('endpoints are never printed with user info or query', () => {
    it.each([
      'http://u:SECRET@127.0.0.1:9/x?X-Amz-Signature=SIGNATURE',
      'http://u:SECRET@127.0.0.1:9000',
      'http://127.0.0.1:9000/?X-Amz-Signature=SIGNATURE',
      'http://127.0.0.1:9000#SIGNATURE',
      'http//u:SECRET@host/x?X-Amz-Signature=SIGNATURE',
      'ftp://u:SECRET@host/?SIGNATURE',
    ])('S3_ENDPOINT=%s: refused, and the message holds neither the password nor the query', (raw) => {
      for (const [overrides, env] of [[{}, { S3_ENDPOINT: raw }], [{ endpoint: raw }, {}]] as const) {
        let thrown: unknown;
        try { loadConfig(overrides, env); } catch (error) { thrown = error; }
        expect(thrown).toBeInstanceOf(ConfigError);
        const message = (thrown as Error).message;
        expect(message).not.toMatch(/:SECRET|SIGNATURE|\/\/u[:@]/);
      }
    });

    it('redactEndpoint keeps scheme, host, port and path', () => {
      expect(redactEndpoint('https://user:pw@s3.example.com:9000/bucket/key?X-Amz-Signature=abc#f')).toBe('https://s3.example.com:9000/bucket/key');
      expect(redactEndpoint('not a url://user:pw@host?q')).toBe('not a url://host');
    });
  });

  describe('where each setting came from', () => {
    it('flag over environment over .env file over default', () => {
      const cwd = mkdtempSync(join(tmpdir(), 'lakevault-origins-'));
      writeFileSync(join(cwd, '.env'), 'S3_ENDPOINT=http://127.0.0.1:9999\nAWS_REGION=eu-central-1\nLAKEVAULT_MAX_ATTEMPTS=3\nAWS_ACCESS_KEY_ID=AKIAFROMFILE\nAWS_SECRET_ACCESS_KEY=secret-from-file\n');
      const { variables, fromFile } = loadEnvironment(cwd, { AWS_REGION: 'us-west-2', LAKEVAULT_CONCURRENCY: '8' });
      const config = loadConfig({ warehouse: 's3://flagged/wh' }, variables, { fromFile, overridesAre: 'flags' });
      const shown = Object.fromEntries(describeSettings(config).map((s) => [s.setting, s]));
      expect(shown.endpoint).toEqual({ setting: 'endpoint', value: 'http://127.0.0.1:9999', source: '.env file', from: 'S3_ENDPOINT' });
      expect(shown.region).toEqual({ setting: 'region', value: 'us-west-2', source: 'environment', from: 'AWS_REGION' });
      expect(shown.warehouse).toEqual({ setting: 'warehouse', value: 's3://flagged/wh/', source: 'flag', from: '--warehouse' });
      expect(shown.concurrency).toEqual({ setting: 'concurrency', value: 8, source: 'environment', from: 'LAKEVAULT_CONCURRENCY' });
      expect(shown.maxAttempts).toEqual({ setting: 'maxAttempts', value: 3, source: '.env file', from: 'LAKEVAULT_MAX_ATTEMPTS' });
      expect(shown.credentials).toEqual({ setting: 'credentials', value: 'static key AKIA…', source: '.env file', from: 'AWS_ACCESS_KEY_ID' });
      expect(shown.backups).toEqual({ setting: 'backups', value: 's3://lake-backups/', source: 'default' });
      expect(JSON.stringify(shown)).not.toContain('secret-from-file');
    });
  });
});

describe('readEnvironment (.env)', () => {
  it('reads .env from the working directory; real variables win', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lakevault-dotenv-'));
    writeFileSync(join(cwd, '.env'), '# comment\nS3_ENDPOINT=http://127.0.0.1:9000\nAWS_REGION=eu-central-1\nLAKEVAULT_CONCURRENCY="16"\n');
    const env = readEnvironment(cwd, { AWS_REGION: 'us-west-2' });
    expect(env).toMatchObject({ S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_REGION: 'us-west-2', LAKEVAULT_CONCURRENCY: '16' });
    expect(loadConfig({}, env)).toMatchObject({ endpoint: 'http://127.0.0.1:9000', region: 'us-west-2', concurrency: 16 });
  });

  it('without .env, the environment as it is', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'lakevault-nodotenv-'));
    expect(readEnvironment(cwd, { A: '1' })).toEqual({ A: '1' });
  });
});

describe('describeConfig', () => {
  it('never shows the secret key, and only a prefix of the key id', () => {
    const config = loadConfig({}, { S3_ENDPOINT: 'http://h:1', AWS_ACCESS_KEY_ID: 'AKIAVERYSECRETID', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' });
    const shown = JSON.stringify(describeConfig(config));
    expect(shown).not.toContain('wJalrXUtnFEMI');
    expect(shown).not.toContain('AKIAVERYSECRETID');
    expect(shown).toContain('AKIA…');
    expect(redactKeyId('abc')).toBe('****');
  });
});
