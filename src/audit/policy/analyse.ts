import type { Severity } from '../types';
import { S3_ACTIONS, unclassifiedActions, type ActionCategory, type S3Action } from './actions';
import type { ContextValue, RequestContext } from './conditions';
import { decide, statementCouldApply } from './decide';
import { readPolicyDocument, type PolicyDocument, type Statement } from './document';
import { describeRequest } from './describe';
import { resolveVariables, variablesIn } from './glob';
import { RESTRICTING_SIZE, type IpSegment } from './ip';
import { dimensionsFor, policyFacts, type Audience, type Choice, type PolicyFacts } from './requests';
import { resourceReps, type ResourceRep, type ResourceReps } from './resources';
import { BudgetExceeded, callerOf, contextOf, searchRequests, type Budget } from './search';

/**
 * The two questions the audit asks of a bucket policy, answered by judging representative
 * requests the way S3 does (see requests.ts):
 *   1. What can outsiders do — anonymous callers, and principals of any other AWS account?
 *      For every classified S3 action: is there a request they can send that the policy
 *      allows and does not deny? A source-IP condition restricts only when the public
 *      addresses it admits are few (ip.ts: RESTRICTING_SIZE).
 *   2. Is every plain-HTTP request denied — for every principal, action, bucket and object,
 *      whatever else the request says? Only an explicit Deny enforces TLS: an Allow that
 *      requires TLS leaves the caller's own IAM policies free to allow plain HTTP.
 */

export interface Exposure {
  action: string;
  category: ActionCategory;
  severity: Severity;
  /** "the bucket", "all objects", "all objects except taxdocuments/*" or "objects under public/*". */
  scope: string;
  /** Sids of the Allow statements that grant it. */
  via: string[];
  /** One request that gets through, in words. */
  example: string;
}

export interface NarrowedGrant {
  sid: string;
  /** Why a statement that names everyone grants outsiders nothing. */
  reason: string;
}

export interface TlsEnforcement {
  enforced: boolean;
  /** Sids of Deny statements that test aws:SecureTransport. */
  denies: string[];
  /** A plain-HTTP request that is not denied, when there is one. */
  gap?: string;
  /** When enforced: a plain-HTTP request that is not denied on servers that leave aws:SecureTransport out of it. */
  gapWhereKeyOmitted?: string;
  /** Every request over TLS below this version is denied (s3:TlsVersion). */
  minimumVersion?: number;
}

export interface PolicyAnalysis {
  /** Statements that could not be read (left out of the judgement); empty for a sound policy. */
  problems: string[];
  /** Whether any statement could be read at all. */
  readable: boolean;
  exposure: Record<Audience, Exposure[]>;
  narrowed: NarrowedGrant[];
  tls: TlsEnforcement;
  /** False when the policy had too many combinations to judge them all: verdicts are then partial. */
  complete: boolean;
}

export interface AnalysisOptions {
  now?: Date;
  /**
   * Servers that leave aws:SecureTransport out of plain-HTTP requests (Ceph RGW 16, measured):
   * a `Bool` deny does not fire there; `BoolIfExists` does.
   */
  plainHttpOmitsSecureTransport?: boolean;
  /** Work at most (condition checks and requests judged; default 2 million): a hostile policy must not stall the audit. */
  budget?: number;
}

interface Judge {
  document: PolicyDocument;
  /** Answers already found, by audience, resource and the statements in play (the action name aside). */
  cache: Map<string, Reach | string | undefined>;
  facts: PolicyFacts;
  now: Date;
  plainHttp: Record<string, ContextValue>;
  budget: Budget;
  /** Whether each statement's Action matches an action, and its Resource a resource (by statement index). */
  actionHits: Map<string, boolean[]>;
  index: Map<Statement, number>;
  resourceHits: Map<string, boolean[]>;
}

/** The statements that can apply to an action on a resource, whatever the request. */
function inPlay(judge: Judge, statements: readonly Statement[], action: string, resource: string): Statement[] {
  const all = judge.document.statements;
  let actions = judge.actionHits.get(action);
  if (!actions) judge.actionHits.set(action, actions = all.map((s) => statementCouldApply(s, action, undefined, judge.document.variables)));
  let resources = judge.resourceHits.get(resource);
  // A template resource becomes known only with the request's values: every statement stays in play.
  if (!resources) judge.resourceHits.set(resource, resources = all.map((s) => isTemplate(resource) || statementCouldApply(s, undefined, resource, judge.document.variables)));
  return statements.filter((s) => { const i = judge.index.get(s)!; return actions![i] && resources![i]; });
}

function isTemplate(resource: string): boolean {
  return resource.includes('${');
}

/** The ARN a request asks for: a template resource is named by the request's own values. */
function arnOf(resource: string, context: RequestContext): string | undefined {
  return isTemplate(resource) ? resolveVariables(resource, (name) => context(name.toLowerCase())?.[0]) : resource;
}

/** Keys a judgement reads: the statements' conditions, variables in their resources and values, and the resource's. */
function keysOf(statements: readonly Statement[], document: PolicyDocument, resource: string): Set<string> {
  const keys = new Set<string>();
  const variables = (text: string) => {
    if (document.variables) for (const name of variablesIn(text)) keys.add(name.toLowerCase());
  };
  variables(resource);
  for (const s of statements) {
    s.resource.patterns.forEach(variables);
    for (const c of s.conditions) { keys.add(c.key.toLowerCase()); c.values.forEach(variables); }
  }
  return keys;
}

/** The actions to judge: the classified ones, and S3 actions the policy names that the table does not know. */
function actionsToJudge(document: PolicyDocument): S3Action[] {
  return [...S3_ACTIONS, ...unclassifiedActions(document.statements.flatMap((s) => s.action.patterns))];
}

interface Reach {
  allowed: boolean;
  via: string[];
  example?: string;
  /** Internet sources admitted when they are too few to count as public. */
  fewSources?: bigint;
}

const ACTION = '\u0000action\u0000';

/** Can someone of the audience get this action on this resource past the policy? */
function reach(judge: Judge, statements: readonly Statement[], audience: Audience, action: S3Action, resource: string): Reach {
  const relevant = inPlay(judge, statements, action.name, resource);
  if (!relevant.some((s) => s.effect === 'Allow')) return { allowed: false, via: [] };
  // Once the statements in play are known, the action's name no longer changes the answer.
  const id = `reach ${audience} ${resource} ${relevant.map((s) => judge.index.get(s)).join(',')}`;
  if (!judge.cache.has(id)) judge.cache.set(id, reachUncached(judge, relevant, audience, action.name, resource));
  const found = judge.cache.get(id) as Reach;
  return found.example ? { ...found, example: found.example.replace(ACTION, action.name) } : found;
}

function reachUncached(judge: Judge, relevant: readonly Statement[], audience: Audience, action: string, resource: string): Reach {
  const keys = keysOf(relevant, judge.document, resource);
  const dims = dimensionsFor(judge.facts, audience, keys, { now: judge.now, plainHttp: judge.plainHttp });
  const network = dims.find((d) => d.name === 'network');
  const rest = dims.filter((d) => d !== network);
  const tryRoute = (route: Choice | undefined): Reach | undefined => {
    let found: Reach | undefined;
    searchRequests(judge.document, relevant, resource, route ? [...rest, { name: 'network', choices: [route] }] : rest, 'allowed', judge.budget, (choices) => {
      const context = contextOf(choices);
      const arn = arnOf(resource, context);
      if (arn === undefined) return false;
      const decision = decide(judge.document, { caller: callerOf(choices), action, resource: arn, context }, relevant);
      if (decision.effect !== 'allow') return false;
      found = { allowed: true, via: decision.allowedBy, example: describeRequest(judge.facts, choices, ACTION, arn, keys) };
      return true;
    });
    return found;
  };
  if (!network) return tryRoute(undefined) ?? { allowed: false, via: [] };
  const admitted: Record<4 | 6, bigint> = { 4: 0n, 6: 0n };
  let first: Reach | undefined;
  for (const route of network.choices) {
    const hit = tryRoute(route);
    if (!hit) continue;
    if (route.route === 'vpc endpoint') return hit;
    first ??= hit;
    const segment = route.segment as IpSegment;
    admitted[segment.version] += segment.publicCount;
    if (admitted[4] >= RESTRICTING_SIZE[4] || admitted[6] >= RESTRICTING_SIZE[6]) return hit;
  }
  return first ? { allowed: false, via: first.via, fewSources: admitted[4] + admitted[6] } : { allowed: false, via: [] };
}

function scopeOf(allowed: ResourceRep[], all: ResourceRep[]): string {
  const generic = all.filter((r) => r.label === undefined);
  if (generic.every((g) => allowed.includes(g))) {
    const except = [...new Set(all.filter((r) => r.label !== undefined && !allowed.includes(r)).map((r) => r.label!))];
    return except.length ? `all objects except ${except.join(', ')}` : 'all objects';
  }
  return `objects under ${[...new Set(allowed.map((r) => r.label ?? r.arn.replace(/^arn:aws:s3:::[^/]*\//, '')))].join(', ')}`;
}

function exposureOf(judge: Judge, statements: readonly Statement[], audience: Audience, reps: ResourceReps): { exposure: Exposure[]; fewSources: bigint } {
  const exposure: Exposure[] = [];
  let fewSources = 0n;
  for (const action of actionsToJudge(judge.document)) {
    const targets = action.resource === 'bucket' ? [reps.bucket] : reps.objects;
    const allowed: ResourceRep[] = [];
    let first: Reach | undefined;
    for (const target of targets) {
      const r = reach(judge, statements, audience, action, target.arn);
      if (r.fewSources) fewSources = fewSources > r.fewSources ? fewSources : r.fewSources;
      if (!r.allowed) continue;
      allowed.push(target);
      first ??= r;
    }
    if (!first) continue;
    exposure.push({
      action: action.name, category: action.category, severity: action.severity[audience],
      scope: action.resource === 'bucket' ? 'the bucket' : scopeOf(allowed, targets),
      via: first.via, example: first.example!,
    });
  }
  // An unclassified action is judged on bucket and objects: keep one entry per name.
  return { exposure: exposure.filter((e, i) => exposure.findIndex((o) => o.action === e.action) === i), fewSources };
}

/** Is every request of this kind denied, for anyone, every action, the bucket and every object? */
function everyRequestDenied(judge: Judge, transport: Record<string, ContextValue>, reps: ResourceReps): string | undefined {
  const denies = judge.document.statements.filter((s) => s.effect === 'Deny');
  for (const action of actionsToJudge(judge.document)) {
    for (const target of action.resource === 'bucket' ? [reps.bucket] : reps.objects) {
      const relevant = inPlay(judge, denies, action.name, target.arn);
      if (!relevant.length) return `nothing denies ${action.name} on ${target.arn}`;
      const id = `denied ${JSON.stringify(transport)} ${target.arn} ${relevant.map((s) => judge.index.get(s)).join(',')}`;
      if (!judge.cache.has(id)) judge.cache.set(id, firstUndenied(judge, relevant, transport, action.name, target.arn));
      const gap = judge.cache.get(id) as string | undefined;
      if (gap) return gap.replace(ACTION, action.name);
    }
  }
  return undefined;
}

/** A request of this transport, to this resource, that the given Deny statements let through. */
function firstUndenied(judge: Judge, relevant: readonly Statement[], transport: Record<string, ContextValue>, action: string, resource: string): string | undefined {
  const keys = keysOf(relevant, judge.document, resource);
  const dims = dimensionsFor(judge.facts, 'anyone', keys, { now: judge.now, plainHttp: judge.plainHttp, transport });
  let gap: string | undefined;
  searchRequests(judge.document, relevant, resource, dims, 'not denied', judge.budget, (choices) => {
    const context = contextOf(choices);
    const arn = arnOf(resource, context);
    // A request that names no resource cannot be sent: it is no gap.
    if (arn === undefined) return false;
    const decision = decide(judge.document, { caller: callerOf(choices), action, resource: arn, context }, relevant);
    if (decision.effect === 'deny') return false;
    gap = `${describeRequest(judge.facts, choices, ACTION, arn, keys)} is not denied`;
    return true;
  });
  return gap;
}

function isOpenPrincipal(statement: Statement): boolean {
  return statement.principal.everyone || statement.principal.negated || statement.principal.values.some((v) => v.type === 'AWS' && /[*?]/.test(v.value));
}

/** Why an Allow that names everyone grants outsiders nothing. */
function narrowedReason(judge: Judge, statement: Statement, reps: ResourceReps): string {
  let alone: Exposure[] = [];
  let fewSources = 0n;
  for (const audience of ['anonymous', 'anyAwsAccount'] as Audience[]) {
    const r = exposureOf(judge, [statement], audience, reps);
    alone = alone.length ? alone : r.exposure;
    if (r.fewSources > fewSources) fewSources = r.fewSources;
  }
  if (alone.length) {
    const denies = judge.document.statements.filter((s) => s.effect === 'Deny'
      && alone.some((e) => [reps.bucket, ...reps.objects].some((r) => inPlay(judge, [s], e.action, r.arn).length > 0)));
    return `every outsider request it allows is denied by ${denies.map((s) => `"${s.sid}"`).join(', ')}`;
  }
  if (fewSources > 0n) return `only ${fewSources.toLocaleString('en-US')} public source addresses can use it (${statement.conditions.filter((c) => /ip/i.test(c.key)).map((c) => `${c.operator} ${c.key}`).join(', ')})`;
  const applies = actionsToJudge(judge.document).some((a) => [reps.bucket, ...reps.objects].some((r) => inPlay(judge, [statement], a.name, r.arn).length > 0));
  if (!applies) return 'it grants no S3 action on this bucket or its objects';
  const conditions = statement.conditions.map((c) => `${c.operator} ${c.key}`);
  return conditions.length ? `its Condition holds for no outsider (${conditions.join(', ')})` : 'it names no outsider';
}

function secureTransportDenies(document: PolicyDocument): string[] {
  return document.statements.filter((s) => s.effect === 'Deny' && s.conditions.some((c) => c.key.toLowerCase() === 'aws:securetransport')).map((s) => s.sid);
}

/** Analyses a bucket policy (JSON text or parsed) as it applies to `bucket`. Never throws. */
export function analysePolicy(policy: string | unknown, bucket: string, options: AnalysisOptions = {}): PolicyAnalysis {
  const document = readPolicyDocument(policy);
  const plainHttp = { 'aws:securetransport': options.plainHttpOmitsSecureTransport ? undefined : ['false'], 's3:tlsversion': undefined };
  const judge: Judge = { document, cache: new Map(), actionHits: new Map(), resourceHits: new Map(), index: new Map(document.statements.map((s, i) => [s, i])), facts: policyFacts(document), now: options.now ?? new Date(), plainHttp, budget: { left: options.budget ?? 2_000_000 } };
  const reps = resourceReps(document, bucket);
  const analysis: PolicyAnalysis = {
    problems: document.problems,
    readable: document.statements.length > 0,
    exposure: { anonymous: [], anyAwsAccount: [] },
    narrowed: [],
    tls: { enforced: false, denies: secureTransportDenies(document) },
    complete: true,
  };
  try {
    for (const audience of ['anonymous', 'anyAwsAccount'] as Audience[]) analysis.exposure[audience] = exposureOf(judge, document.statements, audience, reps).exposure;
    const granting = new Set(Object.values(analysis.exposure).flat().flatMap((e) => e.via));
    for (const statement of document.statements) {
      if (statement.effect === 'Allow' && isOpenPrincipal(statement) && !granting.has(statement.sid)) {
        analysis.narrowed.push({ sid: statement.sid, reason: narrowedReason(judge, statement, reps) });
      }
    }
    const gap = everyRequestDenied(judge, plainHttp, reps);
    analysis.tls.enforced = gap === undefined;
    if (gap) analysis.tls.gap = gap;
    else if (!options.plainHttpOmitsSecureTransport) {
      const omitted = everyRequestDenied(judge, { 'aws:securetransport': undefined, 's3:tlsversion': undefined }, reps);
      if (omitted) analysis.tls.gapWhereKeyOmitted = omitted;
    }
    if (judge.facts.uses.has('s3:tlsversion')) {
      const old = ['1.0', '1.1'].every((v) => !everyRequestDenied(judge, { 'aws:securetransport': ['true'], 's3:tlsversion': [v] }, reps));
      if (old) analysis.tls.minimumVersion = 1.2;
    }
  } catch (error) {
    if (!(error instanceof BudgetExceeded)) throw error;
    analysis.complete = false;
  }
  return analysis;
}

