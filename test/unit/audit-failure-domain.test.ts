import { checkFailureDomains, endpointIdentity, type FailureDomainInput } from '../../src/audit/checks/failure-domain';

/** LV-DP-006: backups must not go down with the tables they protect. */
const now = new Date('2026-12-07T12:00:00Z');
const loc = (uri: string) => { const [bucket, ...rest] = uri.split('/'); return { bucket: bucket!, prefix: rest.length ? `${rest.join('/')}/` : '' }; };
const input = (over: Partial<FailureDomainInput> = {}): FailureDomainInput => ({
  source: { endpoint: 'https://s3.site-a.example:9000', location: loc('lake/warehouse'), serverKind: 'unknown' },
  repositories: [{ kind: 'backup', location: loc('lake-backups'), endpoint: 'https://s3.site-a.example:9000' }],
  tables: ['vendas', 'clientes'],
  now,
  ...over,
});

describe('backups in a separate failure domain (LV-DP-006)', () => {
  it('rates a repository in the same bucket as its source high, and on the same endpoint medium', () => {
    const [same] = checkFailureDomains(input({ repositories: [{ kind: 'checkpoint', location: loc('lake/checkpoints'), endpoint: 'https://s3.site-a.example:9000' }] }));
    expect(same).toMatchObject({ status: 'fail', severity: 'high', resource: 's3://lake/checkpoints/ (checkpoints)' });
    expect(same!.evidence).toMatch(/same bucket as the tables it protects/);
    const [endpoint] = checkFailureDomains(input());
    expect(endpoint).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(endpoint!.evidence).toMatch(/same endpoint as the tables it protects .*no repository on another endpoint/);
  });

  it('says that on Ceph RGW a CopyObject shares the data inside the cluster', () => {
    const [r] = checkFailureDomains(input({ source: { ...input().source, serverKind: 'ceph-rgw' } }));
    expect(r!.evidence).toMatch(/CopyObject\) shares the source's data by reference count inside the cluster/);
  });

  it('clears the finding when an off-site repository holds a complete backup of every table from the last week', () => {
    const offsite = { kind: 'backup' as const, location: loc('dr-backups'), endpoint: 'https://s3.site-b.example', newestComplete: { vendas: new Date('2026-12-05T00:00:00Z'), clientes: new Date('2026-12-06T00:00:00Z') } };
    const [local, remote] = checkFailureDomains(input({ repositories: [input().repositories[0]!, offsite] }));
    expect(local).toMatchObject({ status: 'pass' });
    expect(local!.evidence).toMatch(/but s3:\/\/dr-backups\/ on https:\/\/s3.site-b.example holds a complete backup of every table \(2\)/);
    expect(remote).toMatchObject({ status: 'pass' });
  });

  it('keeps the finding when the off-site copy is stale, incomplete or of unknown content', () => {
    const stale = { kind: 'backup' as const, location: loc('dr-backups'), endpoint: 'https://s3.site-b.example', newestComplete: { vendas: new Date('2026-11-01T00:00:00Z') } };
    const [local] = checkFailureDomains(input({ repositories: [input().repositories[0]!, stale] }));
    expect(local).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(local!.evidence).toMatch(/off-site: s3:\/\/dr-backups\/ on https:\/\/s3.site-b.example \(no complete backup from the last 7 days of vendas, clientes\)/);
    const unknown = { kind: 'backup' as const, location: loc('dr-backups'), endpoint: 'https://s3.site-b.example' };
    expect(checkFailureDomains(input({ repositories: [input().repositories[0]!, unknown] }))[0]!.status).toBe('fail');
  });

  it('treats loopback names and default ports as the same endpoint', () => {
    expect(endpointIdentity('http://localhost:9000')).toBe(endpointIdentity('http://127.0.0.1:9000'));
    expect(endpointIdentity('https://s3.example.com')).toBe(endpointIdentity('https://S3.example.com:443'));
    expect(endpointIdentity('http://127.0.0.1:9000')).not.toBe(endpointIdentity('http://127.0.0.1:9001'));
  });
});
