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
  const context = { endpoint: 'https://s3.example.com', embedded: false } as AuditContext;
  const judge = (s: BucketSettings, roles: AuditedBucket['roles'] = ['backups'], extras = {}) => checkBucket(context, { bucket: 'lake', roles, exists: true, settings: s }, extras);

  it('finds nothing but the missing TLS policy on a well-configured backup bucket', () => {
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
  it('reports an anonymous listing that succeeded even without any policy', () => {
    const r = judge(settings({}), ['warehouse'], { anonymous: { list: 200 } }).find((x) => x.id === 'LV-POL-002')!;
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
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
