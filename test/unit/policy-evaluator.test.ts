import { analysePolicy, globMatches } from '../../src/audit/policy';
import { clauseHolds, type ContextValue } from '../../src/audit/policy/conditions';
import { readPolicyDocument, type ConditionClause } from '../../src/audit/policy/document';
import { formatIp, parseCidr, publicAddresses, segments } from '../../src/audit/policy/ip';

/**
 * The evaluator's parts, one rule at a time. The corpus (policy-corpus.test.ts) judges
 * whole policies; these pin the semantics each verdict rests on.
 */
const B = 'lake';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

function clause(operator: string, key: string, values: string[]): ConditionClause {
  const document = readPolicyDocument(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', Condition: { [operator]: { [key]: values } } }));
  expect(document.problems).toEqual([]);
  return document.statements[0]!.conditions[0]!;
}
const holds = (operator: string, key: string, values: string[], request: ContextValue) => clauseHolds(clause(operator, key, values), (k) => (k === key.toLowerCase() ? request : undefined));

describe('condition operators (IAM User Guide semantics)', () => {
  it('a missing key: false for positive operators, true for negated ones, IfExists and ForAllValues; false for ForAnyValue', () => {
    expect(holds('StringEquals', 'aws:SourceVpc', ['vpc-1'], undefined)).toBe(false);
    expect(holds('StringNotEquals', 'aws:SourceVpc', ['vpc-1'], undefined)).toBe(true);
    expect(holds('NotIpAddress', 'aws:SourceIp', ['10.0.0.0/8'], undefined)).toBe(true);
    expect(holds('StringEqualsIfExists', 'aws:SourceVpc', ['vpc-1'], undefined)).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:PrincipalOrgID', ['o-1'], undefined)).toBe(true);
    expect(holds('ForAllValues:StringEquals', 'aws:TagKeys', ['a'], [])).toBe(true);
    expect(holds('ForAnyValue:StringEquals', 'aws:TagKeys', ['a'], undefined)).toBe(false);
    expect(holds('Bool', 'aws:SecureTransport', ['false'], undefined)).toBe(false);
    expect(holds('BoolIfExists', 'aws:SecureTransport', ['false'], undefined)).toBe(true);
  });

  it('values of one key are ORed, and NORed for negated operators', () => {
    expect(holds('StringEquals', 'aws:UserAgent', ['a', 'b'], ['b'])).toBe(true);
    expect(holds('StringNotEquals', 'aws:UserAgent', ['a', 'b'], ['b'])).toBe(false);
    expect(holds('StringNotEquals', 'aws:UserAgent', ['a', 'b'], ['c'])).toBe(true);
  });

  it('Null tests presence: "true" = absent, "false" = present', () => {
    expect(holds('Null', 'aws:SourceVpc', ['true'], undefined)).toBe(true);
    expect(holds('Null', 'aws:SourceVpc', ['false'], undefined)).toBe(false);
    expect(holds('Null', 'aws:SourceVpc', ['false'], ['vpc-1'])).toBe(true);
  });

  it('set operators compare every / any request value', () => {
    expect(holds('ForAllValues:StringLike', 'aws:TagKeys', ['key1*'], ['key1a', 'key1b'])).toBe(true);
    expect(holds('ForAllValues:StringLike', 'aws:TagKeys', ['key1*'], ['key1a', 'key2'])).toBe(false);
    expect(holds('ForAnyValue:StringLike', 'aws:TagKeys', ['key1*'], ['key2', 'key1a'])).toBe(true);
    expect(holds('ForAllValues:StringNotLike', 'aws:TagKeys', ['key1*'], ['key2'])).toBe(true);
  });

  it('string, numeric, date, IP and ARN families', () => {
    expect(holds('StringEqualsIgnoreCase', 'aws:PrincipalOrgID', ['O-ABC'], ['o-abc'])).toBe(true);
    expect(holds('StringLike', 'aws:Referer', ['https://x/*'], ['https://x/a/b'])).toBe(true);
    expect(holds('StringLike', 'aws:Referer', ['https://x/*'], ['https://y/'])).toBe(false);
    expect(holds('NumericLessThan', 's3:TlsVersion', ['1.2'], ['1.1'])).toBe(true);
    expect(holds('NumericLessThan', 's3:TlsVersion', ['1.2'], ['1.2'])).toBe(false);
    expect(holds('DateLessThan', 'aws:CurrentTime', ['2020-01-01T00:00:00Z'], ['2019-12-31T23:59:59Z'])).toBe(true);
    expect(holds('DateGreaterThan', 'aws:EpochTime', ['1577836800'], ['2021-01-01T00:00:00Z'])).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '2001:db8::/32'], ['2001:db8::1'])).toBe(true);
    expect(holds('IpAddress', 'aws:SourceIp', ['10.0.0.0/8'], ['11.0.0.1'])).toBe(false);
    expect(holds('ArnLike', 'aws:SourceArn', ['arn:aws:cloudtrail:*:111122223333:trail/*'], ['arn:aws:cloudtrail:eu-west-1:111122223333:trail/t'])).toBe(true);
    expect(holds('ArnLike', 'aws:SourceArn', ['arn:aws:cloudtrail:*:111122223333:trail/*'], ['arn:aws:cloudtrail:eu-west-1:999999999999:trail/t'])).toBe(false);
    expect(holds('BinaryEquals', 'aws:UserAgent', ['QQ=='], ['QQ=='])).toBe(true);
  });
});

describe('reading a policy never throws', () => {
  it('reports each unreadable statement and keeps the readable ones', () => {
    const document = readPolicyDocument(doc(null, { Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', null], Resource: 'x' }, { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 5 },
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'x', Condition: { StringEqualz: { a: 'b' } } }, { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'x' }));
    expect(document.problems).toEqual([
      'statement 1 is null',
      'statement 2: Action must be a string or a list of strings, found ["s3:GetObject",null]',
      'statement 3: Resource must be a string or a list of strings, found 5',
      'statement 4: unknown condition operator "StringEqualz"',
    ]);
    expect(document.statements.map((s) => s.sid)).toEqual(['statement 5']);
  });

  it('is not fooled by condition keys and variables named like object internals', () => {
    const a = analysePolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::${B}/\${constructor}/*",
      "Condition":{"StringEquals":{"__proto__":"x","constructor":"y","toString":"z"}}}]}`, B);
    expect(a.problems).toEqual([]);
    expect(a.exposure.anonymous.map((e) => e.action)).toEqual(['s3:GetObject']);
  });

  it('reads JSON text, and says when it is not JSON or has no Statement', () => {
    expect(readPolicyDocument('{"Statement": [').problems[0]).toMatch(/^the policy is not valid JSON/);
    expect(readPolicyDocument('{"Version": "2012-10-17"}').problems).toEqual(['the policy has no Statement']);
    expect(readPolicyDocument('[1]').problems).toEqual(['the policy is not a JSON object']);
  });
});

describe('IP ranges', () => {
  it('parses IPv4 and IPv6 CIDRs and counts public addresses', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ version: 4, first: 10n << 24n, last: (11n << 24n) - 1n });
    expect(parseCidr('::/0')!.last).toBe((1n << 128n) - 1n);
    expect(parseCidr('not-an-ip')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(publicAddresses(4, parseCidr('10.0.0.0/8')!.first, parseCidr('10.0.0.0/8')!.last)).toBe(0n);
    expect(formatIp(6, parseCidr('2001:db8::1')!.first)).toBe('2001:db8::1');
  });

  it('cuts the address space at every boundary a policy names', () => {
    const cuts = segments([parseCidr('0.0.0.0/1')!, parseCidr('128.0.0.0/1')!]).filter((s) => s.version === 4);
    expect(cuts.map((s) => s.address)).toEqual(['1.0.0.0', '128.0.0.0']);
  });
});

describe('whole-policy verdicts: evidence', () => {
  it('names the statement, scope and an example request of each exposure', () => {
    const a = analysePolicy(doc({ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` }), B);
    expect(a.exposure.anonymous).toEqual([{ action: 's3:GetObject', category: 'read', severity: 'critical', scope: 'objects under public/*', via: ['PublicRead'],
      example: `s3:GetObject on arn:aws:s3:::${B}/public/zq by anyone (anonymous)` }]);
  });

  it('explains why a statement naming everyone grants outsiders nothing', () => {
    const a = analysePolicy(doc({ Sid: 'Office', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }), B);
    expect(a.narrowed).toEqual([{ sid: 'Office', reason: 'only 256 public source addresses can use it (IpAddress aws:SourceIp)' }]);
  });

  it('gives a plain-HTTP request that is not denied when TLS is not enforced', () => {
    const a = analysePolicy(doc({ Sid: 'Tls', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), B);
    expect(a.tls).toMatchObject({ enforced: false, denies: ['Tls'], gap: `nothing denies s3:ListBucket on arn:aws:s3:::${B}` });
  });

  it('on servers that leave aws:SecureTransport out of plain HTTP, only BoolIfExists enforces TLS', () => {
    const tls = (operator: string) => doc({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`], Condition: { [operator]: { 'aws:SecureTransport': 'false' } } });
    expect(analysePolicy(tls('Bool'), B).tls.enforced).toBe(true);
    expect(analysePolicy(tls('Bool'), B).tls.gapWhereKeyOmitted).toMatch(/over plain HTTP is not denied/);
    expect(analysePolicy(tls('Bool'), B, { plainHttpOmitsSecureTransport: true }).tls.enforced).toBe(false);
    expect(analysePolicy(tls('BoolIfExists'), B, { plainHttpOmitsSecureTransport: true }).tls.enforced).toBe(true);
  });

  it('gives up with complete=false when its work budget runs out', () => {
    const policy = doc(
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringLike: { 'aws:Referer': 'https://x/*' } } },
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    );
    expect(analysePolicy(policy, B).complete).toBe(true);
    expect(analysePolicy(policy, B, { budget: 20 }).complete).toBe(false);
  });

  it('cuts off branches that cannot matter: many condition keys are judged in full', () => {
    const values = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`aws:RequestTag/k${i}`, [`a${i}`, `b${i}`]]));
    const a = analysePolicy(doc(
      { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*`, Condition: { StringEquals: values } },
      { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: values } },
    ), B);
    expect(a.complete).toBe(true);
    expect(a.exposure.anonymous.map((e) => e.action)).toEqual(['s3:GetObject']);
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
