import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyHome, runLakevault, targetEnv } from '../support/cli';
import { openTestStore, removeBucket, storeState, TARGET, testConfig, uniqueBucket } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { resolveTable } from '../../src/table/table-ref';

jest.setTimeout(240_000);

/**
 * Settings are checked by the same rules whichever source gives them (flag, environment,
 * .env file); endpoints are printed without user info or query; `doctor` says where each
 * setting came from.
 */
describe(`configuration and output hardening on ${TARGET}`, () => {
  const lake = uniqueBucket('cfg');
  const env: Record<string, string> = { ...targetEnv(), LAKEVAULT_WAREHOUSE: `s3://${lake}/wh`, LAKEVAULT_BACKUPS: `s3://${lake}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${lake}-cp` };
  let open: OpenStore;

  const state = () => storeState(open, [lake, `${lake}-bk`, `${lake}-cp`]);

  beforeAll(async () => {
    open = await openTestStore();
    await createSalesTable(open.store, resolveTable(testConfig(env), 't'), { rows: 1_000, seed: 1, rowsPerFile: 500, rowGroupRows: 500, overwrite: false });
  });
  afterAll(async () => {
    for (const bucket of [lake, `${lake}-bk`, `${lake}-cp`]) await removeBucket(open, bucket);
    await open.close();
  });

  it('a concurrency of ten million, 1e9 or 0x10 is refused from the environment, a .env file and the flag alike: exit 2, no backup', async () => {
    const before = await state();
    const home = emptyHome('cfg-dotenv');
    const runs = [
      { label: 'environment 10000000', args: ['backup', 'create', 't'], extra: { LAKEVAULT_CONCURRENCY: '10000000' }, home: undefined, name: 'LAKEVAULT_CONCURRENCY' },
      { label: 'environment 1e9', args: ['backup', 'create', 't'], extra: { LAKEVAULT_CONCURRENCY: '1e9' }, home: undefined, name: 'LAKEVAULT_CONCURRENCY' },
      { label: 'environment 0x10', args: ['backup', 'create', 't'], extra: { LAKEVAULT_CONCURRENCY: '0x10' }, home: undefined, name: 'LAKEVAULT_CONCURRENCY' },
      { label: '.env file 1e9', args: ['backup', 'create', 't'], extra: {}, home, name: 'LAKEVAULT_CONCURRENCY' },
      { label: 'flag 10000000', args: ['--concurrency', '10000000', 'backup', 'create', 't'], extra: {}, home: undefined, name: '--concurrency' },
      { label: 'environment timeout 6e4', args: ['backup', 'create', 't'], extra: { LAKEVAULT_REQUEST_TIMEOUT_MS: '6e4' }, home: undefined, name: 'LAKEVAULT_REQUEST_TIMEOUT_MS' },
    ];
    writeFileSync(join(home, '.env'), 'LAKEVAULT_CONCURRENCY=1e9\n');
    for (const run of runs) {
      const result = await runLakevault([...run.args, '--json'], { env: { ...env, ...run.extra }, ...(run.home ? { home: run.home } : {}) });
      expect({ label: run.label, code: result.code }).toEqual({ label: run.label, code: 2 });
      expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^lakevault: error: ${run.name} must be a whole number from`))]);
      expect(result.json).toMatchObject({ ok: false, error: { code: 'CONFIG' } });
    }
    expect(await state()).toEqual(before);
  });

  it('an endpoint with a password and a signature is refused without printing either, in text and JSON, from any source', async () => {
    const raw = 'http://u:SECRET-PASSWORD@127.0.0.1:9/x?X-Amz-Signature=SECRET-SIGNATURE';
    const home = emptyHome('cfg-endpoint');
    writeFileSync(join(home, '.env'), `S3_ENDPOINT=${raw}\n`);
    const runs = [
      runLakevault(['table', 'list', '--json'], { env: { ...env, S3_ENDPOINT: raw } }),
      runLakevault(['--endpoint', raw, 'table', 'list', '--json'], { env }),
      runLakevault(['table', 'list', '--json'], { env: { ...env, S3_ENDPOINT: undefined }, home }),
      runLakevault(['doctor', '--json'], { env: { ...env, S3_ENDPOINT: 'http://u:SECRET-PASSWORD@127.0.0.1:9' } }),
    ];
    for (const result of await Promise.all(runs)) {
      expect(result.code).toBe(2);
      expect(result.stderr + result.stdout).not.toMatch(/SECRET-PASSWORD|SECRET-SIGNATURE|\/\/u:/);
      expect(result.stderr).toMatch(/^lakevault: error: (S3_ENDPOINT|--endpoint) must (be a bare origin|not hold a user name or password).*"http:\/\/127\.0\.0\.1:9(\/x|\/)"/);
    }
  });

  it('doctor shows each setting and its source: a .env file that redirects S3_ENDPOINT is visible', async () => {
    const home = emptyHome('cfg-doctor');
    const { S3_ENDPOINT: endpoint, ...rest } = env;
    writeFileSync(join(home, '.env'), `S3_ENDPOINT=${endpoint}\nLAKEVAULT_MAX_ATTEMPTS=4\n`);
    const json = await runLakevault(['--concurrency', '12', 'doctor', '--json'], { env: { ...rest, S3_ENDPOINT: undefined }, home });
    expect(json.code).toBe(0);
    const settings = Object.fromEntries((json.json.settings as { setting: string }[]).map((s) => [s.setting, s]));
    expect(settings.endpoint).toEqual({ setting: 'endpoint', value: endpoint, source: '.env file', from: 'S3_ENDPOINT' });
    expect(settings.concurrency).toEqual({ setting: 'concurrency', value: 12, source: 'flag', from: '--concurrency' });
    expect(settings.maxAttempts).toEqual({ setting: 'maxAttempts', value: 4, source: '.env file', from: 'LAKEVAULT_MAX_ATTEMPTS' });
    expect(settings.warehouse).toEqual({ setting: 'warehouse', value: `s3://${lake}/wh/`, source: 'environment', from: 'LAKEVAULT_WAREHOUSE' });
    expect(settings.requestTimeoutMs).toEqual({ setting: 'requestTimeoutMs', value: 60_000, source: 'default' });
    if (env.AWS_SECRET_ACCESS_KEY) expect(json.stdout).not.toContain(env.AWS_SECRET_ACCESS_KEY);

    const text = await runLakevault(['doctor'], { env: { ...rest, S3_ENDPOINT: undefined }, home });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^endpoint +${endpoint!.replace(/[.]/g, '\\.')} +\\.env file \\(S3_ENDPOINT\\)$`, 'm'));
    expect(text.stdout).toMatch(/^backups +s3:\/\/.*-bk\/ +environment \(LAKEVAULT_BACKUPS\)$/m);
    expect(text.stdout).toMatch(/^requestTimeoutMs +60000 +default$/m);
  });
});
