import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config/config';
import {
  credentialsIdentity, identityOf, primaryEndpoint, readLocationEndpoints, resolveEndpoint, storeKey, type EndpointSettings,
} from '../../src/config/endpoints';
import { ConfigError } from '../../src/errors';
import { openEndpoint } from '../../src/store/open';
import { EndpointStores, serverSideCopyPossible } from '../../src/store/endpoint-stores';

/*
 * Endpoint resolution against real AWS shared config/credentials files in a temporary HOME,
 * pointed at with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE as a user would.
 */

const home = mkdtempSync(join(tmpdir(), 'lakevault-endpoints-'));
const ca = join(home, 'dr-ca.pem');
writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const configFile = join(home, 'config');
const credentialsFile = join(home, 'credentials');
writeFileSync(configFile, [
  '[default]',
  'region = eu-west-1',
  '',
  '[profile dr]',
  'region = eu-central-1',
  'endpoint_url = https://dr.example.test:9443',
  `ca_bundle = ${ca}`,
  's3 =',
  '  addressing_style = path',
  '',
  '[profile via-services]',
  'services = dr-services',
  'endpoint_url = http://generic.example.test:1111',
  'aws_access_key_id = AKIDSERVICES',
  'aws_secret_access_key = services-secret',
  '',
  '[services dr-services]',
  's3 =',
  '  endpoint_url = http://s3-only.example.test:2222',
  '',
  '[profile broken-services]',
  'services = nowhere',
  '',
  '[profile ignoring]',
  'endpoint_url = http://ignored.example.test:3333',
  'ignore_configured_endpoint_urls = true',
  'aws_access_key_id = AKIDIGNORING',
  'aws_secret_access_key = ignoring-secret',
  '',
  '[profile virtual]',
  'endpoint_url = https://virtual.example.test',
  's3 =',
  '  addressing_style = virtual',
  'aws_access_key_id = AKIDVIRTUAL',
  'aws_secret_access_key = virtual-secret',
  '',
  '[profile bad-ca]',
  'endpoint_url = https://bad-ca.example.test',
  `ca_bundle = ${join(home, 'missing.pem')}`,
  '',
  '[profile plain-http-ca]',
  'endpoint_url = http://plain.example.test:80',
  `ca_bundle = ${ca}`,
  '',
].join('\n'));
writeFileSync(credentialsFile, [
  '[dr]',
  'aws_access_key_id = AKIDDRSITE',
  'aws_secret_access_key = dr-site-secret',
  '',
  '[keys-only]',
  'aws_access_key_id = AKIDKEYSONLY',
  'aws_secret_access_key = keys-only-secret',
  '',
].join('\n'));

const saved: Record<string, string | undefined> = {};
const PROCESS_VARIABLES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION'];
beforeAll(() => {
  for (const name of PROCESS_VARIABLES) saved[name] = process.env[name];
  for (const name of PROCESS_VARIABLES) delete process.env[name];
  process.env.AWS_CONFIG_FILE = configFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
});
afterAll(() => {
  for (const name of PROCESS_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function configError(run: () => unknown, text: RegExp): Promise<ConfigError> {
  let thrown: unknown;
  try { await run(); } catch (error) { thrown = error; }
  expect(thrown).toBeInstanceOf(ConfigError);
  expect((thrown as ConfigError).exitCode).toBe(2);
  expect((thrown as Error).message).toMatch(text);
  expect((thrown as Error).message).not.toContain('\n');
  return thrown as ConfigError;
}

const backups = (env: Record<string, string>): EndpointSettings => readLocationEndpoints(env).backups!;

describe('location endpoint variables', () => {
  it('no variables: every location lives on the primary endpoint', () => {
    expect(readLocationEndpoints({ S3_ENDPOINT: 'http://127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toEqual({});
    expect(loadConfig({}, {}).locationEndpoints).toEqual({});
  });

  it('reads each location\'s own variables, checked (through loadConfig too)', () => {
    const config = loadConfig({}, {
      LAKEVAULT_BACKUPS_ENDPOINT: 'http://127.0.0.1:26480/', LAKEVAULT_BACKUPS_ACCESS_KEY_ID: 'AKIDB', LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: 'sb',
      LAKEVAULT_BACKUPS_REGION: 'eu-south-1', LAKEVAULT_BACKUPS_PATH_STYLE: 'false',
      LAKEVAULT_CHECKPOINTS_PROFILE: 'dr',
    });
    expect(config.locationEndpoints.backups).toEqual({
      source: 'LAKEVAULT_BACKUPS_*', endpoint: 'http://127.0.0.1:26480', region: 'eu-south-1', pathStyle: false,
      credentials: { accessKeyId: 'AKIDB', secretAccessKey: 'sb' },
    });
    expect(config.locationEndpoints.checkpoints).toEqual({ source: 'LAKEVAULT_CHECKPOINTS_*', profile: 'dr' });
    expect(config.locationEndpoints.warehouse).toBeUndefined();
  });

  it.each([
    ['a region without an endpoint or profile', { LAKEVAULT_BACKUPS_REGION: 'eu-west-1' }, /set LAKEVAULT_BACKUPS_ENDPOINT or LAKEVAULT_BACKUPS_PROFILE/],
    ['keys without an endpoint or profile', { LAKEVAULT_BACKUPS_ACCESS_KEY_ID: 'a', LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: 'b' }, /say where the backups live/],
    ['a key id without its secret', { LAKEVAULT_BACKUPS_ENDPOINT: 'http://h:1', LAKEVAULT_BACKUPS_ACCESS_KEY_ID: 'a' }, /must be set together/],
    ['a malformed endpoint', { LAKEVAULT_CHECKPOINTS_ENDPOINT: 'ftp://h:21' }, /LAKEVAULT_CHECKPOINTS_ENDPOINT must start with http/],
    ['a password in the endpoint, never echoed', { LAKEVAULT_BACKUPS_ENDPOINT: 'https://user:hunter2@h:9000' }, /must not hold a user name or password/],
    ['a bad embedded site', { LAKEVAULT_BACKUPS_ENDPOINT: 'embedded:Off Site' }, /embedded site is 1-32 characters/],
    ['a bad path style', { LAKEVAULT_BACKUPS_ENDPOINT: 'http://h:1', LAKEVAULT_BACKUPS_PATH_STYLE: 'maybe' }, /LAKEVAULT_BACKUPS_PATH_STYLE must be true or false/],
  ])('%s is a configuration error', async (_name, env, text) => {
    const error = await configError(() => loadConfig({}, env), text);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('resolveEndpoint with AWS shared config files', () => {
  it('a profile gives endpoint_url, region, ca_bundle, s3.addressing_style; its keys come from the credentials file', async () => {
    const resolved = await resolveEndpoint({ source: '--to-profile', profile: 'dr' });
    expect(resolved).toMatchObject({
      identity: 'https://dr.example.test:9443',
      address: { kind: 'url', url: 'https://dr.example.test:9443' },
      region: 'eu-central-1',
      forcePathStyle: true,
      caBundlePath: ca,
      credentials: { kind: 'profile', profile: 'dr' },
    });
    expect(resolved.caBundle).toContain('BEGIN CERTIFICATE');
  });

  it('variables win over the profile\'s values', async () => {
    const resolved = await resolveEndpoint(backups({
      LAKEVAULT_BACKUPS_PROFILE: 'dr', LAKEVAULT_BACKUPS_ENDPOINT: 'http://127.0.0.1:26480', LAKEVAULT_BACKUPS_REGION: 'us-east-1',
      LAKEVAULT_BACKUPS_ACCESS_KEY_ID: 'AKIDOWN', LAKEVAULT_BACKUPS_SECRET_ACCESS_KEY: 'own-secret', LAKEVAULT_BACKUPS_CA_BUNDLE: '',
    }));
    expect(resolved).toMatchObject({ identity: 'http://127.0.0.1:26480', region: 'us-east-1', credentials: { kind: 'static', keys: { accessKeyId: 'AKIDOWN' } } });
  });

  it('the services section\'s s3 endpoint_url wins over the profile\'s, as in the SDK', async () => {
    const resolved = await resolveEndpoint({ source: 'test', profile: 'via-services' });
    expect(resolved.identity).toBe('http://s3-only.example.test:2222');
  });

  it('ignore_configured_endpoint_urls leaves AWS itself', async () => {
    const resolved = await resolveEndpoint({ source: 'test', profile: 'ignoring' });
    expect(resolved).toMatchObject({ identity: 'aws', address: { kind: 'aws' }, forcePathStyle: false, region: 'us-east-1' });
  });

  it('a profile\'s CA bundle is not used for a plain-HTTP endpoint', async () => {
    expect((await resolveEndpoint({ source: 'test', profile: 'plain-http-ca' })).caBundlePath).toBeUndefined();
  });

  it('addressing_style = virtual is honoured; a profile with only keys means AWS', async () => {
    expect((await resolveEndpoint({ source: 'test', profile: 'virtual' })).forcePathStyle).toBe(false);
    expect(await resolveEndpoint({ source: 'test', profile: 'keys-only' })).toMatchObject({ identity: 'aws', credentials: { kind: 'profile', profile: 'keys-only' } });
  });

  it.each([
    ['an unknown profile', { profile: 'nope' }, /profile "nope" is in neither .*config nor .*credentials/],
    ['a services section that does not exist', { profile: 'broken-services' }, /services section "nowhere"/],
    ['an unreadable ca_bundle', { profile: 'bad-ca' }, /cannot read CA bundle .*missing\.pem.*ENOENT/],
    ['a CA bundle given for plain HTTP', { endpoint: 'http://127.0.0.1:26480', caBundle: ca, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }, /a CA bundle is given for http:\/\/127\.0\.0\.1:26480, which is plain HTTP/],
    ['a custom endpoint without keys or profile (the primary\'s keys are not borrowed)', { endpoint: 'http://127.0.0.1:26480' }, /no credentials for http:\/\/127\.0\.0\.1:26480.*never sent to another endpoint/],
  ])('%s is a configuration error', async (_name, settings, text) => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDPRIMARY';
    process.env.AWS_SECRET_ACCESS_KEY = 'primary-secret';
    try {
      await configError(() => resolveEndpoint({ source: 'LAKEVAULT_BACKUPS_*', ...settings }), text);
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('agrees with the SDK\'s own endpoint_url resolution for the process\'s AWS_PROFILE, which the SDK ignores for a profile given to one client', async () => {
    const requestHost = async (client: S3Client) => {
      let host = '';
      client.middlewareStack.add((_next) => async (args) => {
        const request = args.request as { protocol: string; hostname: string; port?: number };
        host = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`;
        throw new Error('stop before sending');
      }, { step: 'finalizeRequest' });
      await client.send(new ListBucketsCommand({})).catch(() => undefined);
      client.destroy();
      return host;
    };
    for (const profile of ['dr', 'via-services']) {
      process.env.AWS_PROFILE = profile;
      try {
        const sdk = await requestHost(new S3Client({ forcePathStyle: true, region: 'us-east-1' }));
        expect(sdk).toBe((await resolveEndpoint({ source: 'test', profile })).identity);
      } finally {
        delete process.env.AWS_PROFILE;
      }
      // The same profile handed to one client: the pinned SDK goes to AWS instead (why endpoints.ts reads the files).
      const perClient = await requestHost(new S3Client({ profile, forcePathStyle: true, region: 'us-east-1' }));
      expect(perClient).toMatch(/amazonaws\.com$/);
    }
  });

  it('a profile\'s keys reach the client through the SDK\'s fromIni, not the primary\'s keys in the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDPRIMARY';
    process.env.AWS_SECRET_ACCESS_KEY = 'primary-secret';
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const resolved = await resolveEndpoint({ source: 'test', profile: 'via-services' });
      // Nothing listens at s3-only.example.test: opening resolves the credentials, sends no request.
      const open = await openEndpoint(resolved, { concurrency: 4, maxAttempts: 1, requestTimeoutMs: 1000, multipartThreshold: 1, multipartPartSize: 5 * 1024 * 1024, home });
      const keys = await open.store.client.config.credentials();
      await open.close();
      expect(keys.accessKeyId).toBe('AKIDSERVICES');
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('a profile without any credentials is a configuration error when the store opens', async () => {
    const resolved = await resolveEndpoint({ source: 'LAKEVAULT_BACKUPS_*', profile: 'bad-ca', caBundle: ca });
    await configError(() => openEndpoint(resolved, { concurrency: 4, maxAttempts: 1, requestTimeoutMs: 1000, multipartThreshold: 1, multipartPartSize: 5 * 1024 * 1024, home }), /no credentials for https:\/\/bad-ca\.example\.test from LAKEVAULT_BACKUPS_\*, profile bad-ca/);
  });
});

describe('endpoint identity', () => {
  it('is the origin (scheme, host, port) of a URL, aws, or the embedded site; never a secret', async () => {
    expect(identityOf({ kind: 'url', url: 'HTTP://LocalHost:80' })).toBe('http://localhost');
    expect(identityOf({ kind: 'url', url: 'https://s3.example.test:443' })).toBe('https://s3.example.test');
    expect(identityOf({ kind: 'aws' })).toBe('aws');
    expect(identityOf({ kind: 'embedded', site: '' })).toBe('embedded');
    expect(identityOf({ kind: 'embedded', site: 'offsite' })).toBe('embedded:offsite');
    const resolved = await resolveEndpoint({ source: 'test', endpoint: 'http://127.0.0.1:26480', credentials: { accessKeyId: 'AKIDSECRETISH', secretAccessKey: 'very-secret' } });
    for (const text of [resolved.identity, storeKey(resolved), credentialsIdentity(resolved.credentials)]) {
      expect(text).not.toContain('very-secret');
      expect(text).not.toContain('AKIDSECRETISH');
    }
  });

  it('the primary endpoint from the configuration: the embedded server when none, else S3_ENDPOINT with its keys', () => {
    expect(primaryEndpoint(loadConfig({}, {}))).toMatchObject({ identity: 'embedded', credentials: { kind: 'embedded' }, forcePathStyle: true });
    expect(primaryEndpoint(loadConfig({}, { S3_ENDPOINT: 'http://127.0.0.1:23480', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })))
      .toMatchObject({ identity: 'http://127.0.0.1:23480', credentials: { kind: 'static' } });
  });
});

describe('EndpointStores', () => {
  const tuning = { concurrency: 4, maxAttempts: 1, requestTimeoutMs: 1000, multipartThreshold: 1, multipartPartSize: 5 * 1024 * 1024, home };
  const keys = { accessKeyId: 'AKIDB', secretAccessKey: 'sb' };

  it('opens one store per endpoint and signer, reuses the primary for a location on it, and closes only what it opened', async () => {
    const primary = await openEndpoint(await resolveEndpoint({ source: 'S3_ENDPOINT', endpoint: 'http://127.0.0.1:23480', credentials: keys }), tuning);
    let primaryClosed = false;
    const close = primary.close;
    primary.close = async () => { primaryClosed = true; await close(); };
    const stores = new EndpointStores({ ...tuning, locationEndpoints: {
      backups: { source: 'LAKEVAULT_BACKUPS_*', endpoint: 'http://127.0.0.1:26480', credentials: keys },
      checkpoints: { source: 'LAKEVAULT_CHECKPOINTS_*', endpoint: 'http://127.0.0.1:26480', credentials: keys },
    } }, primary);
    const [b, c, w] = await Promise.all([stores.forLocation('backups'), stores.forLocation('checkpoints'), stores.forLocation('warehouse')]);
    expect(b).toBe(c);
    expect(w).toBe(primary);
    expect(b).not.toBe(primary);
    expect(serverSideCopyPossible(primary, w)).toBe(true);
    expect(serverSideCopyPossible(primary, b)).toBe(false);
    const otherUser = await stores.openSettings({ source: 'x', endpoint: 'http://127.0.0.1:26480', credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'o' } });
    expect(otherUser).not.toBe(b);
    expect(serverSideCopyPossible(b, otherUser)).toBe(false);
    await stores.close();
    expect(primaryClosed).toBe(false);
    await primary.close();
  });
});
