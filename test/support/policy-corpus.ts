import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { globMatches, S3_ACTIONS, s3Action, type PolicyAnalysis } from '../../src/audit/policy';
import { decide } from '../../src/audit/policy/decide';
import { readPolicyDocument } from '../../src/audit/policy/document';

/**
 * The bucket-policy corpus (test/fixtures/policies/*.json, format in its README.md): each
 * policy with the verdict S3 would give it. The unit test judges every policy with the
 * evaluator; the RGW test applies them to real buckets and judges them through the CLI.
 */
export const CORPUS_DIRECTORY = join(__dirname, '../fixtures/policies');
/** The bucket name the corpus policies are written for; replaced by a real bucket when applied. */
export const CORPUS_BUCKET = 'amzn-s3-demo-bucket';

export interface CorpusExpectation {
  readable?: boolean;
  problems?: number;
  anonymous: string[];
  anyAwsAccount: string[];
  /** Action → scope ("all objects", "objects under public/*", ...) for both audiences. */
  scope?: Record<string, string>;
  /** Overrides `scope` for any AWS account. */
  scopeAnyAwsAccount?: Record<string, string>;
  tlsEnforced: boolean;
  tlsMinimumVersion?: number;
}

export interface CorpusCase {
  name: string;
  title: string;
  source: string;
  why: string;
  policy: unknown;
  expected: CorpusExpectation;
  /**
   * Ceph RGW: not applied live (apply false, e.g. a Deny that would lock the test out of its
   * bucket), or judged differently there (expected overrides), and why.
   */
  rgw?: { apply?: false; expected?: Partial<CorpusExpectation>; why: string };
}

/** What the audit concluded, in the corpus's terms. */
export interface Verdict {
  readable: boolean;
  problems: number;
  anonymous: Map<string, string>;
  anyAwsAccount: Map<string, string>;
  tlsEnforced: boolean;
  tlsMinimumVersion?: number;
}

export function loadCorpus(): CorpusCase[] {
  return readdirSync(CORPUS_DIRECTORY).filter((f) => f.endsWith('.json')).sort().map((file) => ({
    name: file.replace(/\.json$/, ''),
    ...(JSON.parse(readFileSync(join(CORPUS_DIRECTORY, file), 'utf8')) as Omit<CorpusCase, 'name'>),
  }));
}

/** The policy as text for a real bucket. */
export function policyFor(c: CorpusCase, bucket: string): string {
  const text = typeof c.policy === 'string' ? c.policy : JSON.stringify(c.policy);
  return text.split(CORPUS_BUCKET).join(bucket);
}

/**
 * An expected action list: IAM globs over the classified actions, "@bucket" / "@object"
 * for every bucket- or object-level action, "-pattern" to take some away. A name the
 * classification does not know stands for itself.
 */
export function expandExpected(entries: string[]): string[] {
  const matches = (entry: string, name: string, resource: string) => entry === `@${resource}` || (!entry.startsWith('@') && globMatches(entry, name, true));
  const include = entries.filter((e) => !e.startsWith('-'));
  const exclude = entries.filter((e) => e.startsWith('-')).map((e) => e.slice(1));
  const known = S3_ACTIONS.filter((a) => include.some((e) => matches(e, a.name, a.resource)) && !exclude.some((e) => matches(e, a.name, a.resource))).map((a) => a.name);
  const unknown = include.filter((e) => !/[*?@]/.test(e) && !s3Action(e));
  return [...known, ...unknown].sort();
}

export function verdictOf(analysis: PolicyAnalysis): Verdict {
  const byAudience = (list: PolicyAnalysis['exposure']['anonymous']) => new Map(list.map((e) => [e.action, e.scope]));
  return {
    readable: analysis.readable,
    problems: analysis.problems.length,
    anonymous: byAudience(analysis.exposure.anonymous),
    anyAwsAccount: byAudience(analysis.exposure.anyAwsAccount),
    tlsEnforced: analysis.tls.enforced,
    ...(analysis.tls.minimumVersion !== undefined ? { tlsMinimumVersion: analysis.tls.minimumVersion } : {}),
  };
}

export interface Comparison {
  falsePositives: string[];
  falseNegatives: string[];
  /** Everything else that differs: readability, problems, scopes, TLS. */
  other: string[];
}

/** The expectation on a server: Ceph RGW has its own where it judges differently. */
export function expectationOn(c: CorpusCase, server: 'aws' | 'ceph-rgw'): CorpusExpectation {
  return server === 'ceph-rgw' && c.rgw?.expected ? { ...c.expected, ...c.rgw.expected } : c.expected;
}

export function compareVerdict(c: CorpusCase, verdict: Verdict, e: CorpusExpectation = c.expected): Comparison {
  const out: Comparison = { falsePositives: [], falseNegatives: [], other: [] };
  for (const audience of ['anonymous', 'anyAwsAccount'] as const) {
    const expected = new Set(expandExpected(e[audience]));
    const got = verdict[audience];
    for (const action of got.keys()) if (!expected.has(action)) out.falsePositives.push(`${audience}: ${action}`);
    for (const action of expected) if (!got.has(action)) out.falseNegatives.push(`${audience}: ${action}`);
    const scopes = { ...e.scope, ...(audience === 'anyAwsAccount' ? e.scopeAnyAwsAccount : {}) };
    for (const [action, scope] of Object.entries(scopes)) {
      if (got.has(action) && got.get(action) !== scope) out.other.push(`${audience}: ${action} scope "${got.get(action)}", expected "${scope}"`);
    }
  }
  // Not enforced is the finding: reporting it where TLS is enforced is a false positive.
  if (verdict.tlsEnforced !== e.tlsEnforced) (e.tlsEnforced ? out.falsePositives : out.falseNegatives).push(`TLS enforced: ${verdict.tlsEnforced}, expected ${e.tlsEnforced}`);
  if (verdict.tlsMinimumVersion !== e.tlsMinimumVersion) out.other.push(`TLS minimum version ${verdict.tlsMinimumVersion}, expected ${e.tlsMinimumVersion}`);
  if (verdict.readable !== (e.readable ?? true)) out.other.push(`readable ${verdict.readable}, expected ${e.readable ?? true}`);
  if (verdict.problems !== (e.problems ?? 0)) out.other.push(`${verdict.problems} unreadable statements, expected ${e.problems ?? 0}`);
  return out;
}

/**
 * Which call the live test needs — reading the policy back, deleting it — a policy would
 * deny the bucket owner (a principal it does not name, over HTTPS from 127.0.0.1). On
 * RGW such a Deny binds the owner too, DeleteBucketPolicy included (measured): applying it
 * would leave a bucket no test can remove.
 */
export function deniesOwner(policy: string, bucket: string): string | undefined {
  const document = readPolicyDocument(policy);
  const context = (key: string) => ({ 'aws:securetransport': ['true'], 'aws:sourceip': ['127.0.0.1'], 's3:tlsversion': ['1.3'] } as Record<string, string[]>)[key];
  const caller = { kind: 'aws' as const, account: '000000000000', arn: 'arn:aws:iam::000000000000:user/lakevault' };
  return ['s3:GetBucketPolicy', 's3:DeleteBucketPolicy'].find((action) => decide(document, { caller, action, resource: `arn:aws:s3:::${bucket}`, context }).effect === 'deny');
}
