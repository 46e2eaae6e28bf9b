import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lakevault } from '../../src/api/client';
import { generateSalesBatch } from '../../src/datagen/sales';
import { UnsupportedError } from '../../src/errors';
import type { OpenStore } from '../../src/store/open';
import type { EncryptionOptions } from '../../src/store/types';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest } from '../../src/table/manifest';
import { resolveTable } from '../../src/table/table-ref';
import { runCli } from '../support/crash';
import { itWith, openTestStore, removeBucket, storeState, TARGET, targetHas, testConfig, uniqueBucket } from '../support/target';

jest.setTimeout(240_000);

/** `it` when the target LACKS the feature (what must then fail closed); otherwise skipped, saying why. */
function itWithout(feature: string): jest.It {
  if (!targetHas(feature)) return it;
  return ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    process.stdout.write(`skipped on ${TARGET}: "${name}" needs a server without ${feature}\n`);
    return it.skip(`${name} [skipped: ${TARGET} has ${feature}]`, fn, timeout);
  }) as unknown as jest.It;
}

const keyDir = mkdtempSync(join(tmpdir(), 'lv-enc-'));
const customerKey = randomBytes(32);
const keyFile = join(keyDir, 'sse-c.key');
writeFileSync(keyFile, customerKey);

const MODES: { feature: string; flags: string[]; encryption: EncryptionOptions; label: RegExp }[] = [
  { feature: 'sse-s3', flags: ['--sse', 'AES256'], encryption: { sse: 'AES256' }, label: /SSE-S3 \(AES256\) was requested/ },
  { feature: 'sse-kms', flags: ['--sse', 'aws:kms', '--kms-key-id', 'testkey-1'], encryption: { sse: 'aws:kms', kmsKeyId: 'testkey-1' }, label: /SSE-KMS with key testkey-1 was requested/ },
  { feature: 'sse-c', flags: ['--sse-c-key-file', keyFile], encryption: { customerKey }, label: /SSE-C \(customer key not shown\) was requested/ },
];

/**
 * Asked-for encryption is given or the command fails: every data file of `table create`
 * is read back; a server that stored one without the requested encryption fails the
 * command (exit 1) and nothing is left — no file, no manifest, no bucket it created.
 */
describe(`requested encryption fails closed on ${TARGET}`, () => {
  let open: OpenStore;
  const buckets: string[] = [];
  const fresh = (label: string) => { const name = uniqueBucket(label); buckets.push(name); return name; };

  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => {
    for (const bucket of buckets) await removeBucket(open, bucket);
    await open.close();
  });

  for (const mode of MODES) {
    itWithout(mode.feature)(`table create ${mode.flags[0]} ${mode.flags[1] === keyFile ? 'KEY' : mode.flags[1]}: the server does not apply it → exit 1, no table, no bucket left`, async () => {
      const bucket = fresh(`enc-${mode.feature}`);
      const run = await runCli(['table', 'create', 'enc', '--rows', '3000', '--rows-per-file', '1000', ...mode.flags, '--json'], { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh` });
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(mode.label);
      expect(lines[0]).toMatch(new RegExp(`stored it unencrypted at s3://${bucket}/wh/enc/data/part-0000\\d-.*\\.parquet: the server does not give this protection`));
      expect(JSON.parse(run.stdout).error.code).toBe('UNSUPPORTED');
      expect(run.stderr + run.stdout).not.toContain(customerKey.toString('base64'));
      expect(await open.store.bucketExists(bucket)).toBe(false);
    });

    itWith(mode.feature)(`table create ${mode.flags[0]}: the server applies it → exit 0, every data file read back encrypted`, async () => {
      const bucket = fresh(`enc-ok-${mode.feature}`);
      const run = await runCli(['table', 'create', 'enc', '--rows', '3000', '--rows-per-file', '1000', ...mode.flags, '--json'], { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh` });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const ref = resolveTable(testConfig({ LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh` }), 'enc');
      const manifest = (await readTableManifest(open.store, ref.location))!;
      expect(manifest.files).toHaveLength(3);
      for (const file of manifest.files) {
        const head = (await open.store.head(bucket, ref.location.prefix + file.key, mode.encryption))!;
        const applied = head.sseCustomerAlgorithm ? 'SSE-C' : head.serverSideEncryption;
        expect(applied).toBe(mode.encryption.customerKey ? 'SSE-C' : mode.encryption.sse);
      }
    });
  }

  itWithout('sse-s3')('table create --overwrite --sse AES256 over an existing table fails and leaves the table as it was', async () => {
    const bucket = fresh('enc-overwrite');
    const config = testConfig({ LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh` });
    await createSalesTable(open.store, resolveTable(config, 'plain'), { rows: 2_000, seed: 3, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false });
    const before = await storeState(open, [bucket]);
    const run = await runCli(['table', 'create', 'plain', '--rows', '2000', '--rows-per-file', '1000', '--overwrite', '--sse', 'AES256'], { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh` });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/SSE-S3 \(AES256\) was requested/);
    expect(await storeState(open, [bucket])).toEqual(before);
  });

  itWithout('sse-s3')('the library: table.write with encryption the server ignores rejects with UnsupportedError, nothing kept', async () => {
    const bucket = fresh('enc-lib');
    await open.store.ensureBucket(bucket);
    const lv = await Lakevault.open({ env: { ...process.env, LAKEVAULT_HOME: testConfig().home }, warehouse: `s3://${bucket}/wh` });
    try {
      await expect(lv.table.write('arrow', generateSalesBatch(1, 1, 500), { encryption: { sse: 'AES256' } })).rejects.toBeInstanceOf(UnsupportedError);
    } finally {
      await lv.close();
    }
    // The bucket existed before: it stays, empty.
    expect(await open.store.bucketExists(bucket)).toBe(true);
    expect(await storeState(open, [bucket])).toEqual([]);
  });
});

/**
 * An SSE-C key goes in a request header: over plain HTTP anyone on the path reads it. To a
 * host that is not this machine it is refused before any request (as AWS does).
 */
describe('SSE-C over plain HTTP to another host is refused before any request', () => {
  let listener: Server;
  let port = 0;
  let connections = 0;
  const external = Object.values(networkInterfaces()).flat().find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

  beforeAll(async () => {
    listener = createServer((socket) => { connections++; socket.destroy(); });
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
    port = (listener.address() as { port: number }).port;
  });
  afterAll(() => { listener.close(); });

  const endpoints = () => [
    ...(external ? [`http://${external}:${port}`] : []),
    'http://lakevault-ssec-test.invalid:9000',
  ];

  it('table create and audit with an SSE-C key: exit 2, one line, not one connection', async () => {
    if (!external) process.stdout.write('no non-loopback IPv4 address here: only the unresolvable host name is tried\n');
    for (const endpoint of endpoints()) {
      for (const args of [['table', 'create', 'x', '--rows', '10', '--sse-c-key-file', keyFile], ['audit', '--sse-c-key-file', keyFile]]) {
        const run = await runCli(args, { S3_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40), LAKEVAULT_MAX_ATTEMPTS: '1' }, 60_000);
        expect({ endpoint, args, code: run.code }).toEqual({ endpoint, args, code: 2 });
        expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^lakevault: error: refusing to send an SSE-C key over plain HTTP to .*: use an https:\/\/ endpoint/)]);
      }
    }
    expect(connections).toBe(0);
  });
});
