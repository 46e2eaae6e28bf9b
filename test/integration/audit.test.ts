import { randomBytes } from 'node:crypto';
import { runAudit, type AuditOptions } from '../../src/audit/run';
import { isFinding, type CheckResult } from '../../src/audit/types';
import { deleteAllVersions, deletePolicy, putPolicy, putVersioning } from '../../src/store/bucket-settings';
import { seriesName } from '../../src/snapshot/identity';
import type { OpenStore } from '../../src/store/open';
import { itWith, openTestStore, removeBucket, TARGET, targetHas, testConfig, uniqueBucket } from '../support/target';
import { openTableSource } from '../../src/sources/registry';
import { createSalesTable } from '../../src/table/create';
import { resolveTable } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { backupRepository } from '../../src/snapshot/repository';

/** Bucket-level and object-level checks, observed on the suite's real server. */
describe(`audit of buckets and objects (${TARGET})`, () => {
  let open: OpenStore;
  const created: string[] = [];
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => {
    for (const bucket of created) {
      await deleteAllVersions(open.store.client, bucket).catch(() => undefined);
      await removeBucket(open, bucket).catch(() => undefined);
    }
    await open.close();
  });

  async function bucket(label: string, options: { objectLock?: boolean } = {}): Promise<string> {
    const name = uniqueBucket(label);
    await open.store.ensureBucket(name, options);
    created.push(name);
    return name;
  }

  /** A warehouse and a backup bucket of their own, and the table `vendas` to write and back up there. */
  async function lake(label: string) {
    const w = await bucket(`${label}w`);
    const k = await bucket(`${label}k`);
    const config = testConfig({ LAKEVAULT_WAREHOUSE: `s3://${w}/wh`, LAKEVAULT_BACKUPS: `s3://${k}`, LAKEVAULT_CHECKPOINTS: `s3://${k}-none` });
    const table = resolveTable(config, 'vendas');
    return {
      k,
      table,
      locations: { warehouse: `s3://${w}/wh`, backups: `s3://${k}` },
      write: (options: Omit<Parameters<typeof createSalesTable>[2], 'overwrite'>) => createSalesTable(open.store, table, { ...options, overwrite: true }),
      backup: () => createSnapshot(open.store, backupRepository(config), table, openTableSource, { concurrency: 4 }),
    };
  }

  /** Audits with the warehouse / backups buckets pointed at test buckets. */
  async function audit(locations: { warehouse?: string; backups?: string; buckets?: string[] }, options: AuditOptions = {}, target = open) {
    const absent = uniqueBucket('absent');
    const config = testConfig({
      LAKEVAULT_WAREHOUSE: locations.warehouse ?? `s3://${absent}`,
      LAKEVAULT_BACKUPS: locations.backups ?? `s3://${absent}-bk`,
      LAKEVAULT_CHECKPOINTS: `s3://${absent}-cp`,
      ...(target !== open ? { S3_ENDPOINT: target.endpoint, S3_CA_BUNDLE: process.env.S3_TEST_CA ?? '' } : {}),
    });
    const { report } = await runAudit(target, config, { cwd: '/', ...(locations.buckets ? { buckets: locations.buckets } : {}), ...options });
    const all = [...report.findings, ...report.passed, ...report.other];
    return { report, find: (id: string, resource?: string): CheckResult => {
      const hit = all.find((r) => r.id === id && (resource === undefined || r.resource === resource));
      if (!hit) throw new Error(`no ${id} ${resource ?? ''} in ${all.map((r) => `${r.id} ${r.resource}`).join(', ')}`);
      return hit;
    } };
  }

  it('flags a plain object in a table sample', async () => {
    const b = await bucket('plain');
    await open.store.put(b, 'wh/t-plain/data/part-0.parquet', 'not really parquet');
    const { find } = await audit({ warehouse: `s3://${b}/wh` });
    const r = find('LV-ENC-003', `s3://${b}/wh/t-plain/`);
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(r.evidence).toMatch(/1 unencrypted/);
  });

  itWith('sse-kms')('detects an SSE-KMS object as encrypted (RGW testing key testkey-1)', async () => {
    const b = await bucket('kms');
    await open.store.put(b, 'wh/t-kms/data/part-0.parquet', 'secret rows', { encryption: { sse: 'aws:kms', kmsKeyId: 'testkey-1' } });
    const { find } = await audit({ warehouse: `s3://${b}/wh` });
    const r = find('LV-ENC-003', `s3://${b}/wh/t-kms/`);
    expect(r.status).toBe('pass');
    expect(r.evidence).toMatch(/1 SSE-KMS \(key testkey-1\)/);
  });

  itWith('sse-c')('detects an SSE-C object, with and without the customer key', async () => {
    const b = await bucket('ssec');
    const customerKey = randomBytes(32);
    await open.store.put(b, 'wh/t-ssec/data/part-0.parquet', 'secret rows', { encryption: { customerKey } });
    const without = (await audit({ warehouse: `s3://${b}/wh` })).find('LV-ENC-003', `s3://${b}/wh/t-ssec/`);
    expect(without.status).toBe('pass');
    expect(without.evidence).toMatch(/1 SSE-C \(HEAD needs the customer key\)/);
    const withKey = (await audit({ warehouse: `s3://${b}/wh` }, { customerKey })).find('LV-ENC-003', `s3://${b}/wh/t-ssec/`);
    expect(withKey.evidence).toMatch(/1 SSE-C/);
  });

  itWith('sse-s3')('detects SSE-S3 objects', async () => {
    const b = await bucket('sses3');
    await open.store.put(b, 'wh/t/x', 'rows', { encryption: { sse: 'AES256' } });
    expect((await audit({ warehouse: `s3://${b}/wh` })).find('LV-ENC-003', `s3://${b}/wh/t/`).evidence).toMatch(/SSE-S3/);
  });

  it('says bucket default encryption is not supported where the server lacks it, and flags its absence elsewhere', async () => {
    const b = await bucket('defenc');
    const r = (await audit({ buckets: [b] })).find('LV-ENC-001', `s3://${b}`);
    if (targetHas('bucket-encryption')) expect(r).toMatchObject({ status: 'fail' });
    else {
      expect(r).toMatchObject({ status: 'unsupported', severity: 'low' });
      expect(r.evidence).toMatch(/not supported by this server/);
    }
  });

  it('flags versioning that is off (or not supported)', async () => {
    const b = await bucket('nover');
    const r = (await audit({ warehouse: `s3://${b}/wh` })).find('LV-DP-001', `s3://${b}`);
    expect(isFinding(r)).toBe(true);
    expect(r.severity).toBe('medium');
    expect(r.status).toBe(targetHas('versioning') ? 'fail' : 'unsupported');
  });

  itWith('versioning')('passes versioning once it is enabled, and rates it high on the backup bucket when off', async () => {
    const on = await bucket('ver');
    await putVersioning(open.store.client, on, 'Enabled');
    expect((await audit({ warehouse: `s3://${on}/wh` })).find('LV-DP-001', `s3://${on}`).status).toBe('pass');
    const off = await bucket('verbk');
    expect((await audit({ backups: `s3://${off}` })).find('LV-DP-001', `s3://${off}`)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  itWith('object-lock')('recognises object lock on the backup bucket, and flags a backup bucket without it', async () => {
    const locked = await bucket('lock', { objectLock: true });
    const r = (await audit({ backups: `s3://${locked}` })).find('LV-DP-002', `s3://${locked}`);
    expect(r.status).toBe('pass');
    expect(r.evidence).toMatch(/object lock enabled/);
    const plain = await bucket('nolock');
    expect((await audit({ backups: `s3://${plain}` })).find('LV-DP-002', `s3://${plain}`)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  itWith('bucket-policy')('rates a public-read policy critical, and a Principal "*" narrowed by a Condition as no finding', async () => {
    const b = await bucket('public');
    await putPolicy(open.store.client, b, { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] });
    const r = (await audit({ buckets: [b] })).find('LV-POL-002', `s3://${b}`);
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.evidence).toMatch(/^anyone \(anonymous\) and any AWS account can call read \(critical\): s3:GetObject\. Objects: all objects\. Granted by "PublicRead"/);

    await putPolicy(open.store.client, b, { Version: '2012-10-17', Statement: [{ Sid: 'Office', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*`, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }] });
    const narrowed = (await audit({ buckets: [b] })).find('LV-POL-002', `s3://${b}`);
    expect(narrowed.status).toBe('pass');
    expect(narrowed.evidence).toMatch(/"Office": only 256 public source addresses can use it \(IpAddress aws:SourceIp\)/);
    await deletePolicy(open.store.client, b);
  });

  it('flags a bucket with no SecureTransport deny (or without policy support)', async () => {
    const b = await bucket('notls');
    const r = (await audit({ buckets: [b] })).find('LV-POL-001', `s3://${b}`);
    expect(isFinding(r)).toBe(true);
    expect(r.status).toBe(targetHas('bucket-policy') ? 'fail' : 'unsupported');
    if (targetHas('bucket-policy')) expect(r.recommendation).toContain('"BoolIfExists"');
  });

  const httpsPolicy = process.env.S3_ENDPOINT_HTTPS && process.env.S3_TEST_CA && targetHas('bucket-policy') ? it : it.skip;
  if (!process.env.S3_ENDPOINT_HTTPS) process.stdout.write('skipped: the SecureTransport test needs S3_ENDPOINT_HTTPS (RGW refuses every plain-HTTP request once the deny is in force)\n');
  httpsPolicy('recognises a BoolIfExists SecureTransport deny (over HTTPS; over HTTP the deny itself blocks the read)', async () => {
    const https = await openTestStore({ S3_ENDPOINT: process.env.S3_ENDPOINT_HTTPS!, S3_CA_BUNDLE: process.env.S3_TEST_CA! });
    const b = uniqueBucket('tlsonly');
    try {
      await https.store.ensureBucket(b);
      await putPolicy(https.store.client, b, { Version: '2012-10-17', Statement: [{ Sid: 'DenyPlainHttp', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`], Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }] });
      const r = (await audit({ buckets: [b] }, {}, https)).find('LV-POL-001', `s3://${b}`);
      expect(r.status).toBe('pass');
      expect(r.evidence).toBe('every plain-HTTP request is denied — every principal, action, the bucket and its objects ("DenyPlainHttp")');
      const overHttp = (await audit({ buckets: [b] })).find('LV-CONN-001', `s3://${b}`);
      expect(overHttp.status).toBe('fail');
      expect(overHttp.evidence).toMatch(/access denied.* — over plain HTTP; consistent with a SecureTransport deny/);
    } finally {
      await deletePolicy(https.store.client, b).catch(() => undefined);
      await removeBucket(https, b).catch(() => undefined);
      await https.close();
    }
  });

  itWith('sse-kms')('flags a backup less protected than its source (table re-encrypted with SSE-KMS after the backup)', async () => {
    const l = await lake('e4');
    await l.write({ rows: 300, seed: 2, rowsPerFile: 300, rowGroupRows: 300 });
    await l.backup();
    await l.write({ rows: 300, seed: 2, rowsPerFile: 300, rowGroupRows: 300, encryption: { sse: 'aws:kms', kmsKeyId: 'testkey-1' } });
    const { find } = await audit(l.locations, { sampleSize: 10 });
    const r = find('LV-ENC-004');
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.evidence).toMatch(/backup objects are unencrypted at worst while the source table s3:\/\/.*\/wh\/vendas\/ is SSE-KMS\/SSE-C/);
  });

  it('samples the objects an incremental backup references, though they live in an earlier backup', async () => {
    const l = await lake('inc');
    await l.write({ rows: 400, seed: 3, rowsPerFile: 200, rowGroupRows: 200 });
    await l.backup();
    const second = await l.backup();
    expect({ copied: second.copied.objects, reused: second.reused.objects }).toEqual({ copied: 0, reused: 2 });
    const r = (await audit(l.locations)).find('LV-ENC-003', second.uri);
    expect(r.status).toBe('fail');
    expect(r.evidence).toMatch(/^2 sampled data objects: 2 unencrypted/);
  });

  it('tries unsigned GET and HEAD of a sampled key, and says what anyone gets', async () => {
    const b = await bucket('anon');
    await open.store.put(b, 'wh/t/data/part-0.parquet', 'rows');
    const before = (await audit({ buckets: [b] })).find('LV-POL-004', `s3://${b}`);
    if (targetHas('signatures')) {
      expect(before.status).toBe('pass');
      expect(before.evidence).toMatch(/GetObject wh\/t\/data\/part-0\.parquet → HTTP 403, HeadObject wh\/t\/data\/part-0\.parquet → HTTP 403/);
    } else {
      // The embedded server checks no signature at all: anyone on this machine can read.
      expect(before).toMatchObject({ status: 'fail', severity: 'high' });
      expect(before.evidence).toMatch(/GetObject wh\/t\/data\/part-0\.parquet → HTTP 20\d.*can list it and read its objects/);
    }
    if (!targetHas('bucket-policy')) return;
    await putPolicy(open.store.client, b, { Version: '2012-10-17', Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${b}/*` }] });
    try {
      const after = (await audit({ buckets: [b] })).find('LV-POL-004', `s3://${b}`);
      expect(after).toMatchObject({ status: 'fail', severity: 'high' });
      expect(after.evidence).toMatch(/ListObjectsV2 → HTTP 403, GetObject wh\/t\/data\/part-0\.parquet → HTTP 20\d, HeadObject wh\/t\/data\/part-0\.parquet → HTTP 200: anyone who can reach the server can read its objects/);
    } finally {
      await deletePolicy(open.store.client, b);
    }
  });

  it('refuses to audit a named bucket that does not exist', async () => {
    await expect(audit({ buckets: [uniqueBucket('nosuch')] })).rejects.toThrow(/^bucket "lv-nosuch-[0-9a-f]+" does not exist at /);
  });

  it('flags backups on the same endpoint as their tables (LV-DP-006), high in the same bucket', async () => {
    const w = await bucket('fdw');
    const k = await bucket('fdk');
    const config = testConfig({ LAKEVAULT_WAREHOUSE: `s3://${w}/wh`, LAKEVAULT_BACKUPS: `s3://${k}`, LAKEVAULT_CHECKPOINTS: `s3://${w}/checkpoints` });
    const { report } = await runAudit(open, config, { cwd: '/' });
    const results = [...report.findings, ...report.passed, ...report.other].filter((r) => r.id === 'LV-DP-006').sort((a, b) => a.resource.localeCompare(b.resource));
    expect(results.map((r) => [r.resource, r.status, r.severity]).sort()).toEqual([
      [`s3://${k}/ (backups)`, 'fail', 'medium'],
      [`s3://${w}/checkpoints/ (checkpoints)`, 'fail', 'high'],
    ]);
    if (TARGET === 'rgw') expect(results.find((r) => r.resource.includes(k))!.evidence).toMatch(/on Ceph RGW a server-side copy \(CopyObject\) shares the source's data by reference count/);
  });

  it('judges the newest complete backup against the weekly rule, and retention against 7 years', async () => {
    const l = await lake('bk');
    const k = l.k;
    await l.write({ rows: 500, seed: 1, rowsPerFile: 500, rowGroupRows: 500 });
    // The resource is the folder of this table's backups: its name and a hash of its location.
    const folder = `s3://${k}/${seriesName(l.table.location)}/`;
    const noBackup = await audit(l.locations);
    expect(noBackup.find('LV-DP-004', folder)).toMatchObject({ status: 'fail', evidence: 'no backup of this table' });

    await l.backup();

    const fresh = await audit(l.locations);
    expect(fresh.find('LV-DP-004', folder).status).toBe('pass');
    expect(fresh.find('LV-DP-005', `s3://${k}`)).toMatchObject({ status: 'fail', severity: 'medium' });
    const weekLater = await audit(l.locations, { now: new Date(Date.now() + 8 * 86_400_000) });
    expect(weekLater.find('LV-DP-004', folder)).toMatchObject({ status: 'fail', severity: 'high' });
    expect(weekLater.find('LV-DP-004', folder).evidence).toMatch(/is 8 days old/);
  });
});
