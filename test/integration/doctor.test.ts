import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { FEATURES, probeCapabilities, supports } from '../../src/store/probe';
import type { OpenStore } from '../../src/store/open';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, TARGET, targetHas } from '../support/target';

/**
 * The capability probe against the suite's real server: each feature it reports must
 * agree with what the target is known to have (test/support/target.ts), and it must leave
 * no scratch bucket behind.
 */
describe(`lakevault doctor (${TARGET})`, () => {
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await open.close(); });

  const scratchBuckets = async () => ((await open.store.client.send(new ListBucketsCommand({}))).Buckets ?? [])
    .map((b) => b.Name!).filter((name) => name.startsWith('lakevault-probe-'));

  it('reports reachability, credentials and each feature as the target really has it, and cleans up', async () => {
    const result = await probeCapabilities(open.store, { region: 'us-east-1', kmsKeyId: 'testkey-1' });
    expect(result.reachable.ok).toBe(true);
    expect(result.credentials.ok).toBe(true);
    expect(result.cleanup.ok).toBe(true);
    const known: Record<string, string> = {
      'object-lock': 'object-lock', versioning: 'versioning', 'bucket-encryption': 'bucket-encryption', 'sse-s3': 'sse-s3',
      'sse-kms': 'sse-kms', 'sse-c': 'sse-c', 'bucket-policy': 'bucket-policy', 'public-access-block': 'public-access-block',
    };
    for (const feature of FEATURES) {
      const expected = feature === 'upload-part-copy' ? true : targetHas(known[feature]!);
      expect({ feature, supported: supports(result, feature), detail: result.features[feature].detail })
        .toEqual({ feature, supported: expected, detail: expect.any(String) });
    }
    if (!targetHas('sse-s3')) expect(result.features['sse-s3'].detail).toMatch(/silently ignored|refused/);
    for (const bucket of result.scratchBuckets) expect(await scratchBuckets()).not.toContain(bucket);
  });

  it('reports refused credentials without probing features, and exits 1 from the CLI', async () => {
    const cli = await runLakevault(['doctor', '--json'], {
      env: { ...targetEnv(), AWS_ACCESS_KEY_ID: 'LVNOSUCHKEY0000000000', AWS_SECRET_ACCESS_KEY: 'not-the-secret-of-anyone-000000000000000', LAKEVAULT_MAX_ATTEMPTS: '1' },
      timeoutMs: 60_000,
    });
    const run = { status: cli.code, stdout: cli.stdout };
    const doc = JSON.parse(run.stdout) as { ok: boolean; reachable: { ok: boolean }; credentials: { ok: boolean }; features: Record<string, { supported?: boolean }> };
    expect(doc).toMatchObject({ ok: false, reachable: { ok: true }, credentials: { ok: false } });
    expect(Object.values(doc.features).every((f) => f.supported === undefined)).toBe(true);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('not-the-secret-of-anyone');
  });
});
