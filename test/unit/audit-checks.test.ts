import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHECKS } from '../../src/audit/catalog';
import { checkBucket } from '../../src/audit/checks/buckets';
import { checkTransport, judgeTls } from '../../src/audit/checks/transport';
import type { AuditContext, AuditedBucket } from '../../src/audit/context';
import { redactSecrets } from '../../src/audit/format';
import { themesOf } from '../../src/audit/themes';
import { isFinding } from '../../src/audit/types';
import type { BucketSettings } from '../../src/store/bucket-settings';
import type { TlsInspection } from '../../src/store/tls';

const tls = (over: Partial<TlsInspection> = {}, days = 200): TlsInspection => ({
  host: 's3.example.com', port: 443, protocol: 'TLSv1.3',
  cipher: { name: 'TLS_AES_256_GCM_SHA384', standardName: 'TLS_AES_256_GCM_SHA384', version: 'TLSv1.3' },
  chainTrusted: true, hostnameMatches: true, trustedCas: 'system', acceptsLegacyProtocol: false,
  certificate: { subject: 'CN=s3.example.com', issuer: 'CN=Example CA', subjectAltNames: ['DNS:s3.example.com'], validFrom: '2026-01-01T00:00:00.000Z', validTo: '2027-06-01T00:00:00.000Z', daysToExpiry: days, fingerprint256: 'AA' },
  ...over,
});
const byId = (results: ReturnType<typeof judgeTls>, id: string) => results.find((r) => r.id === id)!;

describe('TLS judgement', () => {
  it('passes a modern, trusted, matching, long-lived certificate', () => {
    expect(judgeTls(tls(), 'https://s3.example.com').map((r) => r.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });
  it('rates expiry: expired critical, under 30 days medium', () => {
    expect(byId(judgeTls(tls({}, -3), 'e'), 'LV-TLS-004')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(byId(judgeTls(tls({}, 29), 'e'), 'LV-TLS-004')).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(byId(judgeTls(tls({}, 30), 'e'), 'LV-TLS-004').status).toBe('pass');
  });
  it('flags old protocols, servers still accepting them, weak ciphers and name mismatch', () => {
    expect(byId(judgeTls(tls({ protocol: 'TLSv1.1' }), 'e'), 'LV-TLS-005')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(byId(judgeTls(tls({ acceptsLegacyProtocol: true }), 'e'), 'LV-TLS-005')).toMatchObject({ status: 'fail', severity: 'medium' });
    const staticRsa = tls({ protocol: 'TLSv1.2', cipher: { name: 'AES128-GCM-SHA256', standardName: 'TLS_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' } });
    expect(byId(judgeTls(staticRsa, 'e'), 'LV-TLS-006').evidence).toMatch(/no forward secrecy/);
    const cbc = tls({ protocol: 'TLSv1.2', cipher: { name: 'ECDHE-RSA-AES128-SHA', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', version: 'TLSv1.2' } });
    expect(byId(judgeTls(cbc, 'e'), 'LV-TLS-006').evidence).toMatch(/no AEAD/);
    const good12 = tls({ protocol: 'TLSv1.2', cipher: { name: 'ECDHE-RSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' } });
    expect(byId(judgeTls(good12, 'e'), 'LV-TLS-006').status).toBe('pass');
    expect(byId(judgeTls(tls({ hostnameMatches: false, hostnameError: 'mismatch' }), 'e'), 'LV-TLS-003').status).toBe('fail');
  });
  it('rates plain HTTP high off loopback, without any network access', async () => {
    const context = { config: { endpoint: 'http://10.20.30.40:9000', region: 'us-east-1' }, endpoint: 'http://10.20.30.40:9000', embedded: false, env: {} } as unknown as AuditContext;
    const results = await checkTransport(context);
    expect(results.find((r) => r.id === 'LV-TLS-001')).toMatchObject({ status: 'fail', severity: 'high' });
  });
});

describe('bucket judgement from settings', () => {
  const present = <T>(value: T) => ({ state: 'present' as const, value });
  const settings = (over: Partial<BucketSettings>): BucketSettings => ({
    bucket: 'lake',
    versioning: present({ status: 'Enabled' as const }),
    encryption: present([{ algorithm: 'aws:kms', kmsKeyId: 'k1' }]),
    policy: { state: 'absent', detail: 'no bucket policy' },
    policyStatus: { state: 'absent', detail: '' },
    publicAccessBlock: present({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true }),
    acl: present([{ grantee: 'owner', granteeType: 'CanonicalUser', permission: 'FULL_CONTROL' }]),
    logging: present({ targetBucket: 'logs', targetPrefix: 'lake/' }),
    lifecycle: { state: 'absent', detail: '' },
    objectLock: present({ enabled: true, mode: 'COMPLIANCE' as const, years: 7 }),
    ...over,
  });
  const context = { endpoint: 'https://s3.example.com', embedded: false, serverKind: 'unknown', now: new Date() } as AuditContext;
  const judge = (s: BucketSettings, roles: AuditedBucket['roles'] = ['backups'], extras: Parameters<typeof checkBucket>[2] = {}, on: Partial<AuditContext> = {}) =>
    checkBucket({ ...context, ...on }, { bucket: 'lake', roles, exists: true, settings: s }, extras);
  const policy = (...Statement: object[]) => present(JSON.stringify({ Version: '2012-10-17', Statement }));

  it('finds nothing but the missing TLS policy on a well-configured backup bucket', () => {
    // (LV-POL-004 is not verifiable without a probe: not a finding.)
    const findings = judge(settings({})).filter(isFinding);
    expect(findings.map((f) => f.id)).toEqual(['LV-POL-001']);
  });
  it('rates an ACL grant to AllUsers and a public policy', () => {
    const results = judge(settings({
      acl: present([{ grantee: 'http://acs.amazonaws.com/groups/global/AllUsers', granteeType: 'Group', permission: 'READ' }]),
      policy: present(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::lake' }] })),
    }));
    expect(results.find((r) => r.id === 'LV-ACL-001')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(results.find((r) => r.id === 'LV-POL-002')).toMatchObject({ status: 'fail', severity: 'high' }); // list only
  });
  it('says "not supported" when GetBucketEncryption answers empty but PutBucketEncryption is refused (RGW)', () => {
    const r = judge(settings({ encryption: { state: 'absent', detail: 'no default encryption rule' } }), ['warehouse'], { encryptionSupported: false }).find((x) => x.id === 'LV-ENC-001')!;
    expect(r).toMatchObject({ status: 'unsupported', severity: 'low' });
    expect(r.evidence).toMatch(/not supported by this server/);
  });
  it('reports unsigned requests that succeeded even without any policy (LV-POL-004), and passes refused ones', () => {
    const open = judge(settings({}), ['warehouse'], { anonymous: { list: 403, get: 206, head: 200, key: 'wh/t/x.parquet' } }).find((x) => x.id === 'LV-POL-004')!;
    expect(open).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(open.evidence).toContain('GetObject wh/t/x.parquet → HTTP 206');
    expect(open.evidence).toContain('anyone who can reach the server can read its objects');
    const refused = judge(settings({}), ['warehouse'], { anonymous: { list: 403, get: 403, head: 403, key: 'k' } }).find((x) => x.id === 'LV-POL-004')!;
    expect(refused.status).toBe('pass');
    expect(judge(settings({}), ['warehouse'], { anonymous: { list: 200 } }, { endpoint: 'http://127.0.0.1:9000' }).find((x) => x.id === 'LV-POL-004')).toMatchObject({ status: 'fail', severity: 'high' });
  });
  it('rates ACL grants with the action classification: READ (listing) high, READ_ACP medium, WRITE critical', () => {
    const acl = (permission: string, group = 'AllUsers') => judge(settings({ acl: present([{ grantee: `http://acs.amazonaws.com/groups/global/${group}`, granteeType: 'Group', permission }]) })).find((x) => x.id === 'LV-ACL-001')!;
    expect(acl('READ').severity).toBe('high');
    expect(acl('READ_ACP').severity).toBe('medium');
    expect(acl('WRITE', 'AuthenticatedUsers').severity).toBe('critical');
  });
  it('rates a public lifecycle grant critical: anyone could expire every backup', () => {
    const r = judge(settings({ policy: policy({ Sid: 'Oops', Effect: 'Allow', Principal: '*', Action: 's3:PutLifecycleConfiguration', Resource: 'arn:aws:s3:::lake' }) })).find((x) => x.id === 'LV-POL-002')!;
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.evidence).toMatch(/anyone \(anonymous\) and any AWS account can call data protection \(critical\): s3:PutLifecycleConfiguration/);
    expect(r.details).toMatchObject({ anonymous: [{ action: 's3:PutLifecycleConfiguration', category: 'data protection', scope: 'the bucket', via: ['Oops'] }] });
  });
  it('reports a policy that cannot be read as a high finding, not a crash', () => {
    const results = judge(settings({ policy: present('{"Version":"2012-10-17","Statement":[null]}') }));
    expect(results.find((x) => x.id === 'LV-POL-002')).toMatchObject({ status: 'fail', severity: 'high', evidence: expect.stringContaining('statement 1 is null') });
    expect(results.find((x) => x.id === 'LV-POL-001')!.status).toBe('not-verifiable');
  });
  it('on Ceph RGW a Bool SecureTransport deny does not enforce TLS; elsewhere it does, with a caveat', () => {
    const tls = policy({ Sid: 'Tls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::lake', 'arn:aws:s3:::lake/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const elsewhere = judge(settings({ policy: tls })).find((x) => x.id === 'LV-POL-001')!;
    expect(elsewhere.status).toBe('pass');
    expect(elsewhere.evidence).toMatch(/Ceph RGW 16\) a Bool deny does not fire: BoolIfExists covers both/);
    const rgw = judge(settings({ policy: tls }), ['backups'], {}, { serverKind: 'ceph-rgw' }).find((x) => x.id === 'LV-POL-001')!;
    expect(rgw.status).toBe('fail');
    expect(rgw.evidence).toMatch(/this server, Ceph RGW, leaves aws:SecureTransport out of plain-HTTP requests/);
    expect(rgw.recommendation).toMatch(/public access block/);
  });
  it('MFA delete: Disabled is a low finding, unreported is not verifiable', () => {
    expect(judge(settings({ versioning: present({ status: 'Enabled' as const, mfaDelete: 'Disabled' as const }) })).find((x) => x.id === 'LV-DP-003')).toMatchObject({ status: 'fail', severity: 'low' });
    expect(judge(settings({})).find((x) => x.id === 'LV-DP-003')!.status).toBe('not-verifiable');
  });
});

describe('report plumbing', () => {
  it('redacts secrets, also in their JSON-escaped form', () => {
    const secret = 'ab/cd"ef+gh';
    const json = JSON.stringify({ evidence: `key ${secret}` });
    expect(redactSecrets(json, [secret])).not.toContain('ab/cd');
    expect(redactSecrets(`plain ${secret} text`, [secret])).toBe('plain <redacted> text');
  });
  it('has unique, well-formed check ids, each documented in docs/AUDIT.md', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^LV-[A-Z]+-\d{3}$/);
    const doc = readFileSync(resolve(__dirname, '../../docs/AUDIT.md'), 'utf8');
    for (const id of ids) expect({ id, documented: doc.includes(`| ${id} |`) }).toEqual({ id, documented: true });
  });
  it('mentions a theme only through findings', () => {
    expect(themesOf([])).toEqual([]);
    const themes = themesOf([{ id: 'LV-ENC-003', title: '', theme: 'encryption', status: 'fail', severity: 'medium', resource: 's3://a/t/', evidence: '', references: [] }]);
    expect(themes).toEqual([{ theme: 'encryption', advice: expect.any(String), findings: ['LV-ENC-003 s3://a/t/'] }]);
  });
});
