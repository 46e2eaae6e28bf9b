import { analysePolicy, globMatches } from '../../src/audit/policy';

const B = 'lake';
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

describe('policy evaluator: public access', () => {
  it('flags the classic public-read policy (Principal "*", s3:GetObject on bucket/*)', () => {
    const a = analysePolicy(doc({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }), B);
    expect(a.publicGrants).toHaveLength(1);
    expect(a.publicGrants[0]).toMatchObject({ sid: 'PublicRead', kinds: ['read'], scope: 'bucket and all objects', via: 'Principal *' });
  });

  it('reads JSON text and {"AWS": ["*"]} principals', () => {
    const text = JSON.stringify(doc({ Effect: 'Allow', Principal: { AWS: ['*'] }, Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${B}`] }));
    expect(analysePolicy(text, B).publicGrants[0]?.kinds).toEqual(['list']);
  });

  it('does not flag Principal "*" restricted to one VPC endpoint or one account', () => {
    const a = analysePolicy(doc(
      { Sid: 'Vpce', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`], Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
      { Sid: 'Org', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
    ), B);
    expect(a.publicGrants).toEqual([]);
    expect(a.restrictedGrants.map((g) => g.sid)).toEqual(['Vpce', 'Org']);
    expect(a.restrictedGrants[0]!.reason).toContain('aws:SourceVpce');
  });

  it('still flags conditions that restrict nothing: IfExists, aws:Referer, 0.0.0.0/0, negated keys', () => {
    const cases = [
      { StringEqualsIfExists: { 'aws:SourceVpc': 'vpc-111' } },
      { StringLike: { 'aws:Referer': 'https://example.com/*' } },
      { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } },
      { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      { Bool: { 'aws:SecureTransport': 'true' } },
    ];
    for (const Condition of cases) {
      const a = analysePolicy(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition }), B);
      expect({ Condition, public: a.publicGrants.length }).toEqual({ Condition, public: 1 });
    }
  });

  it('treats a public Allow cancelled by a Deny outside a source IP range as restricted', () => {
    const a = analysePolicy(doc(
      { Sid: 'Read', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` },
      { Sid: 'OnlyOffice', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
    ), B);
    expect(a.publicGrants).toEqual([]);
    expect(a.restrictedGrants[0]!.reason).toMatch(/OnlyOffice.*NotIpAddress aws:SourceIp/);
  });

  it('treats Allow with NotPrincipal as public (everyone except the named principal)', () => {
    const a = analysePolicy(doc({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*` }), B);
    expect(a.publicGrants[0]).toMatchObject({ via: 'NotPrincipal', kinds: ['write'] });
  });

  it('ignores named principals, services and other buckets', () => {
    const a = analysePolicy(doc(
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` },
      { Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/*` },
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}-public/*` },
    ), B);
    expect(a.publicGrants).toEqual([]);
  });

  it('expands resource and action wildcards: arn:aws:s3:::lak*, s3:Get*, s3:*Object, NotAction', () => {
    const wild = analysePolicy(doc({ Effect: 'Allow', Principal: '*', Action: ['s3:Get*', 's3:*Object'], Resource: 'arn:aws:s3:::lak*' }), B);
    expect(wild.publicGrants[0]!.kinds).toEqual(['read', 'write']);
    expect(wild.publicGrants[0]!.scope).toBe('bucket and all objects');
    const notAction = analysePolicy(doc({ Effect: 'Allow', Principal: '*', NotAction: 's3:Delete*', Resource: '*' }), B);
    expect(notAction.publicGrants[0]!.kinds).toEqual(['read', 'list', 'write', 'permissions']);
    expect(notAction.publicGrants[0]!.actions).not.toContain('s3:DeleteObject');
  });

  it('limits the scope to a prefix and drops bucket actions aimed at object ARNs', () => {
    const a = analysePolicy(doc({ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: `arn:aws:s3:::${B}/public/*` }), B);
    expect(a.publicGrants[0]).toMatchObject({ kinds: ['read'], scope: 'objects under public/*' });
  });

  it('treats "arn:aws:iam::*:root" as everyone', () => {
    const a = analysePolicy(doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::*:root' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}` }), B);
    expect(a.publicGrants).toHaveLength(1);
  });

  it('reports an unparsable policy instead of throwing', () => {
    const a = analysePolicy('{"Statement": [', B);
    expect(a.valid).toBe(false);
    expect(a.parseError).toBeTruthy();
  });
});

describe('policy evaluator: SecureTransport deny', () => {
  const deny = (operator: string, Resource: string | string[], extra: object = {}) => doc({
    Sid: 'TLSOnly', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource, Condition: { [operator]: { 'aws:SecureTransport': 'false' } }, ...extra,
  });
  const both = [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`];

  it('accepts Bool and BoolIfExists covering bucket and objects', () => {
    for (const operator of ['Bool', 'BoolIfExists']) {
      const a = analysePolicy(deny(operator, both), B);
      expect(a.enforcesTls).toMatchObject({ sid: 'TLSOnly', operator, coversBucket: true, coversObjects: true, allActions: true });
    }
  });

  it('accepts the boolean false as well as the string', () => {
    const a = analysePolicy(doc({ Effect: 'Deny', Principal: { AWS: '*' }, Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': false } } }), B);
    expect(a.enforcesTls?.operator).toBe('Bool');
  });

  it('does not accept a deny that covers only the objects, only the bucket, or only some actions', () => {
    expect(analysePolicy(deny('Bool', `arn:aws:s3:::${B}/*`), B).enforcesTls).toBeUndefined();
    expect(analysePolicy(deny('Bool', `arn:aws:s3:::${B}/*`), B).secureTransport[0]).toMatchObject({ coversBucket: false, coversObjects: true });
    expect(analysePolicy(deny('Bool', `arn:aws:s3:::${B}`), B).enforcesTls).toBeUndefined();
    expect(analysePolicy(deny('Bool', both, { Action: 's3:GetObject' }), B).enforcesTls).toBeUndefined();
  });

  it('does not accept a deny for one principal, nor a "true" value, nor another bucket', () => {
    expect(analysePolicy(deny('Bool', both, { Principal: { AWS: 'arn:aws:iam::111122223333:user/x' } }), B).enforcesTls).toBeUndefined();
    expect(analysePolicy(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: both, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }), B).secureTransport).toEqual([]);
    expect(analysePolicy(deny('Bool', ['arn:aws:s3:::other', 'arn:aws:s3:::other/*']), B).enforcesTls).toBeUndefined();
  });

  it('records a TLS version floor (NumericLessThan s3:TlsVersion)', () => {
    const a = analysePolicy(doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: both, Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } }), B);
    expect(a.minimumTlsVersion).toBe(1.2);
  });
});

describe('globMatches', () => {
  it('matches IAM wildcards', () => {
    expect(globMatches('s3:Get*', 's3:getobject', true)).toBe(true);
    expect(globMatches('s3:Get*', 's3:getobject')).toBe(false);
    expect(globMatches('arn:aws:s3:::a?c/*', 'arn:aws:s3:::abc/x/y')).toBe(true);
    expect(globMatches('arn:aws:s3:::a.c', 'arn:aws:s3:::abc')).toBe(false);
  });
});
