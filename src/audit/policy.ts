/**
 * A pure evaluator of S3 bucket policies for the two questions the audit asks:
 *   1. Does the policy give anonymous / everyone access (read, list, write, permissions)?
 *   2. Does it deny requests that do not use TLS, for the bucket AND its objects?
 *
 * Checks that look only at `Principal: "*"` report false positives (a public principal
 * whose Condition restricts the caller to one VPC or account is not public) and false
 * negatives (`NotPrincipal` with Allow is public). This module reads Principal /
 * NotPrincipal, Action / NotAction, Resource / NotResource and Condition together, and
 * lets a covering Deny with a restricting condition cancel a public Allow.
 */

export type AccessKind = 'read' | 'list' | 'write' | 'permissions';

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PublicGrant {
  sid: string;
  kinds: AccessKind[];
  actions: string[];
  /** 'bucket and all objects', or the object prefixes the grant is limited to. */
  scope: string;
  via: 'Principal *' | 'NotPrincipal';
}

export interface RestrictedGrant {
  sid: string;
  kinds: AccessKind[];
  /** Why the public principal is not public in effect. */
  reason: string;
}

export interface SecureTransportDeny {
  sid: string;
  operator: 'Bool' | 'BoolIfExists';
  coversBucket: boolean;
  coversObjects: boolean;
  allActions: boolean;
  /** Set when the Deny names principals instead of everyone. */
  principalLimited: boolean;
}

export interface PolicyAnalysis {
  valid: boolean;
  parseError?: string;
  publicGrants: PublicGrant[];
  restrictedGrants: RestrictedGrant[];
  secureTransport: SecureTransportDeny[];
  /** A statement that fully enforces TLS for bucket and objects, if any. */
  enforcesTls: SecureTransportDeny | undefined;
  /** Deny of s3:TlsVersion below 1.2, if any (CIS recommends it beside SecureTransport). */
  minimumTlsVersion?: number;
}

/** The S3 actions the audit classifies; wildcards in policies are expanded against these. */
const ACTIONS: Record<AccessKind, string[]> = {
  read: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectAttributes', 's3:GetObjectTagging', 's3:GetObjectAcl'],
  list: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads', 's3:ListMultipartUploadParts'],
  write: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:AbortMultipartUpload', 's3:RestoreObject',
    's3:PutObjectTagging', 's3:PutObjectRetention', 's3:PutObjectLegalHold', 's3:BypassGovernanceRetention', 's3:DeleteBucket'],
  permissions: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketAcl', 's3:PutObjectAcl', 's3:PutObjectVersionAcl',
    's3:PutBucketPublicAccessBlock', 's3:PutBucketOwnershipControls'],
};
/** Actions whose resource is the bucket ARN; the rest act on object ARNs. */
const BUCKET_ACTIONS = new Set(['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads', 's3:DeleteBucket',
  's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutBucketAcl', 's3:PutBucketPublicAccessBlock', 's3:PutBucketOwnershipControls']);

/**
 * Condition keys that, with a positive operator and no IfExists, pin the caller to a
 * network or identity — so a `Principal: "*"` statement is not anonymous access.
 * aws:Referer is deliberately absent: anyone can send any Referer.
 */
const RESTRICTING_KEYS = new Set(['aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:principalaccount', 'aws:principalarn',
  'aws:principalorgid', 'aws:principalorgpaths', 'aws:userid', 'aws:username', 'aws:sourcearn', 'aws:sourceaccount',
  'aws:sourceorgid', 'aws:principalservicename', 'aws:calledvia', 's3:dataaccesspointaccount', 's3:dataaccesspointarn']);

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM-style glob: '*' any run of characters, '?' one character; case-insensitive for actions. */
export function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** Whether a Principal / NotPrincipal value names everyone. */
function namesEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    const aws = list((principal as Record<string, unknown>).AWS as string | string[] | undefined);
    // "arn:aws:iam::*:root" is any account: as public as "*".
    return aws.some((p) => p === '*' || /^arn:aws[\w-]*:iam::\*:/.test(p));
  }
  return false;
}

function actionsOf(statement: Statement): string[] {
  const all = Object.values(ACTIONS).flat();
  if (statement.NotAction !== undefined) {
    const excluded = list(statement.NotAction);
    return all.filter((a) => !excluded.some((p) => globMatches(p, a, true)));
  }
  const patterns = list(statement.Action);
  return [...new Set(all.filter((a) => patterns.some((p) => globMatches(p, a, true))))];
}

interface Coverage { bucket: boolean; allObjects: boolean; somePrefixes: string[] }

/** Which of this bucket's resources a statement's Resource / NotResource reaches. */
function coverage(statement: Statement, bucket: string): Coverage {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  // Two unlike object keys: a pattern matching both matches any key in practice.
  const objectArns = [`${bucketArn}/a`, `${bucketArn}/zz/yy/x.parquet`];
  if (statement.NotResource !== undefined) {
    const excluded = list(statement.NotResource);
    const hit = (arn: string) => excluded.some((p) => globMatches(p, arn));
    return { bucket: !hit(bucketArn), allObjects: !objectArns.some(hit), somePrefixes: [] };
  }
  const patterns = list(statement.Resource);
  const somePrefixes: string[] = [];
  let allObjects = false;
  for (const pattern of patterns) {
    if (objectArns.every((arn) => globMatches(pattern, arn))) { allObjects = true; continue; }
    const literal = pattern.split(/[*?]/)[0]!;
    const objectRoot = `${bucketArn}/`;
    if (literal.startsWith(objectRoot)) somePrefixes.push(literal.slice(objectRoot.length) + (literal === pattern ? '' : '*'));
  }
  return { bucket: patterns.some((p) => globMatches(p, bucketArn)), allObjects, somePrefixes };
}

/** 'Bool' / 'BoolIfExists' / 'ForAnyValue:StringEquals' → parts of the condition operator. */
function parseOperator(operator: string): { base: string; ifExists: boolean } {
  const withoutSet = operator.replace(/^(ForAnyValue|ForAllValues):/i, '');
  const ifExists = /IfExists$/i.test(withoutSet);
  return { base: withoutSet.replace(/IfExists$/i, ''), ifExists };
}

const POSITIVE = /^(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike|IpAddress)$/i;
const NEGATIVE = /^(StringNotEquals|StringNotEqualsIgnoreCase|StringNotLike|ArnNotEquals|ArnNotLike|NotIpAddress)$/i;

function isOpenValue(value: unknown): boolean {
  return list(value as string | string[]).some((v) => v === '*' || v === '0.0.0.0/0' || v === '::/0');
}

/** The restricting key of an Allow's Condition, if one really narrows who may call. */
function restrictingCondition(statement: Statement): string | undefined {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    const { base, ifExists } = parseOperator(operator);
    // IfExists on e.g. aws:SourceVpc lets every request without a VPC through.
    if (ifExists || !POSITIVE.test(base)) continue;
    for (const [key, value] of Object.entries(entries ?? {})) {
      if (RESTRICTING_KEYS.has(key.toLowerCase()) && !isOpenValue(value)) return `${operator} ${key}`;
    }
  }
  return undefined;
}

/** A Deny's Condition that refuses everyone outside a network/identity (NotIpAddress aws:SourceIp ...). */
function denyOutsideCondition(statement: Statement): string | undefined {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    const { base } = parseOperator(operator);
    if (!NEGATIVE.test(base)) continue;
    for (const [key, value] of Object.entries(entries ?? {})) {
      if (RESTRICTING_KEYS.has(key.toLowerCase()) && !isOpenValue(value)) return `${operator} ${key}`;
    }
  }
  return undefined;
}

function kindsOf(actions: string[]): AccessKind[] {
  return (Object.keys(ACTIONS) as AccessKind[]).filter((kind) => ACTIONS[kind].some((a) => actions.includes(a)));
}

/** Actions of a statement that actually reach a resource it covers. */
function effectiveActions(actions: string[], cov: Coverage): string[] {
  return actions.filter((a) => BUCKET_ACTIONS.has(a) ? cov.bucket : cov.allObjects || cov.somePrefixes.length > 0);
}

function secureTransportOperator(statement: Statement): 'Bool' | 'BoolIfExists' | undefined {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    if (operator !== 'Bool' && operator !== 'BoolIfExists') continue;
    for (const [key, value] of Object.entries(entries ?? {})) {
      if (key.toLowerCase() === 'aws:securetransport' && list(value as unknown[]).some((v) => String(v).toLowerCase() === 'false')) return operator;
    }
  }
  return undefined;
}

function tlsVersionFloor(statement: Statement): number | undefined {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    if (!/^NumericLessThan$/i.test(operator)) continue;
    for (const [key, value] of Object.entries(entries ?? {})) {
      if (key.toLowerCase() === 's3:tlsversion') return Number(list(value as unknown[])[0]);
    }
  }
  return undefined;
}

/** Analyses a policy (JSON text or parsed) as it applies to `bucket`. */
export function analysePolicy(policy: string | object, bucket: string): PolicyAnalysis {
  const empty: PolicyAnalysis = { valid: false, publicGrants: [], restrictedGrants: [], secureTransport: [], enforcesTls: undefined };
  let document: { Statement?: Statement | Statement[] };
  try {
    document = typeof policy === 'string' ? JSON.parse(policy) : policy as typeof document;
  } catch (error) {
    return { ...empty, parseError: (error as Error).message };
  }
  const statements = list(document?.Statement);
  if (!statements.length) return { ...empty, parseError: 'the policy has no Statement' };
  const analysis: PolicyAnalysis = { ...empty, valid: true };
  const denies = statements.filter((s) => s.Effect === 'Deny');

  statements.forEach((statement, index) => {
    const sid = statement.Sid ?? `statement ${index + 1}`;
    const cov = coverage(statement, bucket);
    const actions = effectiveActions(actionsOf(statement), cov);
    if (statement.Effect === 'Allow' && actions.length) {
      const via = statement.NotPrincipal !== undefined ? 'NotPrincipal' as const
        : namesEveryone(statement.Principal) ? 'Principal *' as const : undefined;
      if (!via) return;
      const kinds = kindsOf(actions);
      const restriction = restrictingCondition(statement) ?? cancellingDeny(denies, actions, bucket);
      if (restriction) {
        analysis.restrictedGrants.push({ sid, kinds, reason: restriction });
      } else {
        const scope = cov.allObjects || (cov.bucket && cov.somePrefixes.length === 0) ? 'bucket and all objects' : `objects under ${cov.somePrefixes.join(', ')}`;
        analysis.publicGrants.push({ sid, kinds, actions, scope, via });
      }
    }
    if (statement.Effect === 'Deny') {
      const operator = secureTransportOperator(statement);
      if (operator) {
        const all = Object.values(ACTIONS).flat();
        analysis.secureTransport.push({
          sid, operator,
          coversBucket: cov.bucket,
          coversObjects: cov.allObjects,
          allActions: statement.NotAction === undefined ? all.every((a) => actionsOf(statement).includes(a)) : actionsOf(statement).length === all.length,
          principalLimited: !namesEveryone(statement.Principal),
        });
      }
      const floor = tlsVersionFloor(statement);
      if (floor !== undefined) analysis.minimumTlsVersion = Math.max(analysis.minimumTlsVersion ?? 0, floor);
    }
  });
  analysis.enforcesTls = analysis.secureTransport.find((d) => d.coversBucket && d.coversObjects && d.allActions && !d.principalLimited);
  return analysis;
}

/** A Deny for everyone outside a network/identity that covers all the given actions. */
function cancellingDeny(denies: Statement[], actions: string[], bucket: string): string | undefined {
  for (const deny of denies) {
    if (!namesEveryone(deny.Principal)) continue;
    const condition = denyOutsideCondition(deny);
    if (!condition) continue;
    const cov = coverage(deny, bucket);
    const denied = effectiveActions(actionsOf(deny), cov);
    if (actions.every((a) => denied.includes(a))) return `Deny ${deny.Sid ?? ''} with ${condition}`.replace('  ', ' ');
  }
  return undefined;
}
