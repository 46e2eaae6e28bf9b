/**
 * What the audit knows about each condition key: who decides its value in a request, and
 * what an outsider — an anonymous caller, or a principal of an AWS account that is not
 * the bucket owner's — can make it hold. Keys not listed are written by the caller
 * (aws:Referer, aws:UserAgent, s3:prefix, request headers and tags) or describe the
 * resource (unknown to the audit): an outsider is assumed to meet any value they test.
 */

/** The outsider's own account, organisation and names: never one a policy names. */
export const OUTSIDER = {
  account: '902857431650',
  orgId: 'o-zq9x8w7v6u',
  orgPath: 'o-zq9x8w7v6u/r-zq9x/ou-zq9x-8w7v6u5t/',
  vpc: 'vpc-0zq9x8w7v6u5t4s3r',
  vpce: 'vpce-0zq9x8w7v6u5t4s3r',
  name: 'zq-outsider',
  other: 'zq-other-value',
} as const;

/**
 * How an outsider (any other AWS account) can present an identity key:
 *   absent  never in their requests;      fresh   their own value, never one a policy names;
 *   arn     an ARN in their own account (any name);  free    any value they like;
 *   fixed   one value.
 * Each may also be left out of the request (`optional`).
 */
export interface OutsiderRule {
  anonymous: { fixed?: string };
  account: { kind: 'absent' | 'fresh' | 'arn' | 'free' | 'fixed'; value?: string; optional?: boolean };
}

const absent = { kind: 'absent' } as const;
const fresh = (value: string) => ({ kind: 'fresh' as const, value, optional: true });
const free = { kind: 'free', optional: true } as const;
const arn = { kind: 'arn', optional: true } as const;

/** Identity facts other than who the principal is (that is the caller itself). */
export const IDENTITY_KEYS: Record<string, OutsiderRule> = {
  'aws:principalorgid': { anonymous: {}, account: fresh(OUTSIDER.orgId) },
  'aws:principalorgpaths': { anonymous: {}, account: fresh(OUTSIDER.orgPath) },
  'aws:username': { anonymous: {}, account: free },
  'aws:principalisawsservice': { anonymous: { fixed: 'false' }, account: { kind: 'fixed', value: 'false' } },
  'aws:principalservicename': { anonymous: {}, account: absent },
  'aws:principalservicenameslist': { anonymous: {}, account: absent },
  'aws:multifactorauthpresent': { anonymous: {}, account: free },
  'aws:multifactorauthage': { anonymous: {}, account: free },
  'aws:tokenissuetime': { anonymous: {}, account: free },
  'aws:federatedprovider': { anonymous: {}, account: arn },
  'aws:sourceidentity': { anonymous: {}, account: free },
  'aws:rolesessionname': { anonymous: {}, account: free },
  'aws:sourcearn': { anonymous: {}, account: arn },
  'aws:sourceaccount': { anonymous: {}, account: fresh(OUTSIDER.account) },
  'aws:sourceowner': { anonymous: {}, account: fresh(OUTSIDER.account) },
  'aws:sourceorgid': { anonymous: {}, account: fresh(OUTSIDER.orgId) },
  'aws:sourceorgpaths': { anonymous: {}, account: fresh(OUTSIDER.orgPath) },
  'aws:calledvia': { anonymous: {}, account: free },
  'aws:calledviafirst': { anonymous: {}, account: free },
  'aws:calledvialast': { anonymous: {}, account: free },
  'aws:viaawsservice': { anonymous: { fixed: 'false' }, account: free },
  's3:dataaccesspointaccount': { anonymous: {}, account: fresh(OUTSIDER.account) },
  's3:dataaccesspointarn': { anonymous: {}, account: arn },
  's3:accesspointnetworkorigin': { anonymous: {}, account: free },
  'aws:ec2instancesourcevpc': { anonymous: {}, account: fresh(OUTSIDER.vpc) },
  'aws:ec2instancesourceprivateipv4': { anonymous: {}, account: free },
};
const IDENTITY_PREFIXES = ['aws:principaltag/'];
const PRINCIPAL_TAG_RULE: OutsiderRule = { anonymous: {}, account: free };

/** Set by the caller dimension (who the principal is). */
export const PRINCIPAL_KEYS = new Set(['aws:principalarn', 'aws:principalaccount', 'aws:userid', 'aws:principaltype']);
/** Set by the network route: the internet (a source IP) or a VPC endpoint. */
export const NETWORK_KEYS = new Set(['aws:sourceip', 'aws:vpcsourceip', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourcevpcarn']);
/** Set by the transport: plain HTTP or TLS of some version. */
export const TRANSPORT_KEYS = new Set(['aws:securetransport', 's3:tlsversion']);
/** The time of the request: now or later. */
export const TIME_KEYS = new Set(['aws:currenttime', 'aws:epochtime']);

export function identityRule(key: string): OutsiderRule | undefined {
  if (Object.hasOwn(IDENTITY_KEYS, key)) return IDENTITY_KEYS[key];
  return IDENTITY_PREFIXES.some((p) => key.startsWith(p)) ? PRINCIPAL_TAG_RULE : undefined;
}

