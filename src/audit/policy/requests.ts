import type { ContextValue } from './conditions';
import type { Caller } from './decide';
import type { PolicyDocument } from './document';
import {
  identityRule, NETWORK_KEYS, OUTSIDER, PRINCIPAL_KEYS, TIME_KEYS, TRANSPORT_KEYS, type OutsiderRule,
} from './context-keys';
import { resolveVariables, variablesIn } from './glob';
import { parseCidr, segments, type IpRange, type IpSegment } from './ip';

/**
 * Representative requests. A policy's conditions cut each key's values into a few regions
 * (equal to a literal or not, inside a CIDR or not, before or after a date); one value per
 * region stands for all of them. Trying every combination of representatives therefore
 * answers "can some request do X?" and "is every request Y denied?" for every distinction
 * the policy's own literals draw.
 */

/** Who the requests stand for: an outsider audience, or anyone at all (owner and named principals included). */
export type Audience = 'anonymous' | 'anyAwsAccount';
export type Population = Audience | 'anyone';

/** One choice in a dimension: the context values it sets (and the caller, for the caller dimension). */
export interface Choice {
  values: Record<string, ContextValue>;
  caller?: Caller;
  /** Network route choices over the internet: the source-address segment they stand for. */
  segment?: IpSegment;
  route?: 'internet' | 'vpc endpoint';
}

export interface Dimension {
  name: string;
  choices: Choice[];
}

interface KeyUse {
  /** The key as the policy first spells it. */
  name: string;
  families: Set<'string' | 'numeric' | 'date' | 'bool' | 'ip' | 'arn'>;
  values: Set<string>;
  /** Tested with ForAllValues / ForAnyValue: requests may carry several values. */
  multivalued: boolean;
}

/** What a policy names: every key with its literals, every CIDR, every principal ARN. */
export interface PolicyFacts {
  uses: Map<string, KeyUse>;
  ipSegments: IpSegment[];
  /** IAM ARNs and account ids the policy names (principals and aws:PrincipalArn values). */
  iamArns: string[];
  callers: Caller[];
}

function family(base: string): KeyUse['families'] extends Set<infer F> ? F : never {
  if (base.startsWith('Numeric')) return 'numeric';
  if (base.startsWith('Date')) return 'date';
  if (base === 'Bool') return 'bool';
  if (base.endsWith('IpAddress')) return 'ip';
  if (base.startsWith('Arn')) return 'arn';
  return 'string';
}

export function policyFacts(document: PolicyDocument): PolicyFacts {
  const uses = new Map<string, KeyUse>();
  const use = (name: string) => {
    const key = name.toLowerCase();
    let entry = uses.get(key);
    if (!entry) uses.set(key, entry = { name, families: new Set(), values: new Set(), multivalued: false });
    return entry;
  };
  const ranges: IpRange[] = [];
  const iamArns = new Set<string>();
  const noteVariables = (text: string) => {
    if (!document.variables) return;
    for (const name of variablesIn(text)) use(name);
  };
  for (const statement of document.statements) {
    statement.resource.patterns.forEach(noteVariables);
    for (const value of statement.principal.values) if (value.type === 'AWS') iamArns.add(value.value);
    for (const clause of statement.conditions) {
      const key = clause.key.toLowerCase();
      const entry = use(clause.key);
      if (clause.base !== 'Null') entry.families.add(family(clause.base));
      if (clause.qualifier) entry.multivalued = true;
      for (const value of clause.values) {
        if (clause.base !== 'Null') entry.values.add(value);
        noteVariables(value);
        if (family(clause.base) === 'ip') { const range = parseCidr(value); if (range) ranges.push(range); }
        if (key === 'aws:principalarn' || key === 'aws:principalaccount') iamArns.add(value);
      }
    }
  }
  return { uses, ipSegments: segments(ranges), iamArns: [...iamArns], callers: namedCallers(document) };
}

/** The principals a policy names, as callers (the owner's own principals among them). */
function namedCallers(document: PolicyDocument): Caller[] {
  const out = new Map<string, Caller>();
  for (const statement of document.statements) {
    for (const { type, value } of statement.principal.values) {
      if (/[*?]/.test(value)) continue;
      if (type === 'Service') out.set(`s ${value}`, { kind: 'service', service: value });
      else if (type === 'CanonicalUser') out.set(`c ${value}`, { kind: 'aws', canonicalUser: value });
      else if (type === 'Federated') out.set(`f ${value}`, { kind: 'aws', federated: value });
      else {
        const account = /^\d{12}$/.test(value) ? value : /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(value)?.[1];
        if (!account) continue;
        const arn = /^\d{12}$/.test(value) ? `arn:aws:iam::${value}:root` : value;
        out.set(`a ${arn}`, { kind: 'aws', account, arn });
        // An account principal stands for every identity in it, not only its root user.
        if (arn.endsWith(':root')) out.set(`a ${account} member`, { kind: 'aws', account, arn: `arn:aws:iam::${account}:role/${OUTSIDER.name}` });
      }
    }
  }
  return [...out.values()];
}

/** Values that match a literal or pattern: its wildcards filled in, or left empty, and as written. */
export function instances(text: string): string[] {
  const resolved = resolveVariables(text, (name) => (name.toLowerCase() === 'aws:username' ? OUTSIDER.name : 'zq')) ?? text;
  return [resolved.replace(/\*/g, 'zq').replace(/\?/g, 'z'), resolved.replace(/\*/g, '').replace(/\?/g, 'z'), resolved];
}

/** One value per region the policy's literals cut a key's values into. */
function valueReps(key: string, entry: KeyUse | undefined, facts: PolicyFacts): string[] {
  const reps = new Set<string>();
  const families = entry?.families.size ? entry.families : new Set(['string'] as const);
  for (const f of families) {
    if (f === 'ip') for (const s of facts.ipSegments) reps.add(s.address);
    if (f === 'bool') { reps.add('true'); reps.add('false'); }
    for (const literal of entry?.values ?? []) {
      if (f === 'numeric') {
        const n = Number(literal);
        if (!Number.isFinite(n)) continue;
        const step = Number.isInteger(n) ? 1 : 0.01;
        for (const v of [n - step, n, n + step]) reps.add(String(Number(v.toFixed(6))));
      } else if (f === 'date') {
        const t = /^\d+(\.\d+)?$/.test(literal) ? Number(literal) * 1000 : Date.parse(literal);
        if (Number.isFinite(t)) for (const v of [t - 1000, t, t + 1000]) reps.add(new Date(v).toISOString());
      } else if (f === 'string' || f === 'arn') {
        for (const instance of instances(literal)) { reps.add(instance); reps.add(instance.toUpperCase()); }
      }
    }
    if (f === 'string' || f === 'arn') reps.add(key.endsWith('arn') ? `arn:aws:iam::${OUTSIDER.account}:role/${OUTSIDER.name}` : OUTSIDER.other);
  }
  return [...reps];
}

/** A key's representative context values: absent, and one or several values. */
function contextReps(key: string, facts: PolicyFacts, values: string[], optional = true): ContextValue[] {
  const entry = facts.uses.get(key);
  const out: ContextValue[] = optional ? [undefined] : [];
  if (entry?.multivalued) {
    out.push([]);
    for (const v of values) out.push([v], [v, OUTSIDER.other]);
    if (values.length > 1) out.push(values);
  } else {
    for (const v of values) out.push([v]);
  }
  return out;
}

/** An outsider's copy of an IAM ARN: same path and name, in the outsider's own account. */
function outsiderArn(arn: string): string | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  parts[4] = OUTSIDER.account;
  return parts.join(':').replace(/\*/g, 'zq').replace(/\?/g, 'z');
}

function outsiderCallers(facts: PolicyFacts): Choice[] {
  const shapes: [string, string, string][] = [
    [`arn:aws:iam::${OUTSIDER.account}:user/${OUTSIDER.name}`, 'User', 'AIDAZQ9X8W7V6U5T4S3R2'],
    [`arn:aws:iam::${OUTSIDER.account}:role/${OUTSIDER.name}`, 'AssumedRole', 'AROAZQ9X8W7V6U5T4S3R2:zq-session'],
    [`arn:aws:iam::${OUTSIDER.account}:root`, 'Account', OUTSIDER.account],
  ];
  // An outsider names their own users and roles: any name a policy matches, in their account.
  for (const literal of facts.iamArns) {
    const copy = outsiderArn(literal);
    if (copy && !shapes.some(([a]) => a === copy)) shapes.push([copy, copy.endsWith(':root') ? 'Account' : /:role\//.test(copy) ? 'AssumedRole' : 'User', 'AROAZQ9X8W7V6U5T4S3R2:zq-session']);
  }
  return shapes.map(([arn, type, userid]) => ({
    caller: { kind: 'aws', account: OUTSIDER.account, arn },
    values: { 'aws:principalarn': [arn], 'aws:principalaccount': [OUTSIDER.account], 'aws:principaltype': [type], 'aws:userid': [userid] },
  }));
}

/** What an outsider can make an identity key hold. */
function outsiderIdentityReps(key: string, rule: OutsiderRule['account'], facts: PolicyFacts): ContextValue[] {
  switch (rule.kind) {
    case 'absent': return [undefined];
    case 'fixed': return [[rule.value!]];
    case 'fresh': return contextReps(key, facts, [rule.value!], rule.optional);
    case 'arn': {
      const arns = [...(facts.uses.get(key)?.values ?? [])].flatMap((v) => outsiderArn(v) ?? []);
      return contextReps(key, facts, [...new Set([...arns, `arn:aws:iam::${OUTSIDER.account}:role/${OUTSIDER.name}`])], rule.optional);
    }
    case 'free': return contextReps(key, facts, valueReps(key, facts.uses.get(key), facts), rule.optional);
  }
}

/** Every combination of the given per-key choices, as records. */
function combine(perKey: [string, ContextValue[]][]): Record<string, ContextValue>[] {
  let out: Record<string, ContextValue>[] = [{}];
  for (const [key, reps] of perKey) out = out.flatMap((partial) => reps.map((value) => ({ ...partial, [key]: value })));
  return out;
}

function callerDimension(facts: PolicyFacts, population: Population, keys: Set<string>): Dimension {
  const identityKeys = [...keys].filter((k) => identityRule(k));
  const anonymous: Choice = {
    caller: { kind: 'anonymous' },
    values: {
      'aws:principaltype': ['Anonymous'], 'aws:userid': ['anonymous'],
      ...Object.fromEntries(identityKeys.map((k) => [k, identityRule(k)!.anonymous.fixed ? [identityRule(k)!.anonymous.fixed!] : undefined])),
    },
  };
  const withIdentity = (base: Choice[], reps: (key: string) => ContextValue[]) => {
    const combos = combine(identityKeys.map((k) => [k, reps(k)]));
    return base.flatMap((choice) => combos.map((identity) => ({ ...choice, values: { ...choice.values, ...identity } })));
  };
  if (population === 'anonymous') return { name: 'caller', choices: [anonymous] };
  if (population === 'anyAwsAccount') {
    return { name: 'caller', choices: withIdentity(outsiderCallers(facts), (k) => outsiderIdentityReps(k, identityRule(k)!.account, facts)) };
  }
  const named: Choice[] = facts.callers.map((caller) => ({
    caller,
    values: caller.arn ? { 'aws:principalarn': [caller.arn], 'aws:principalaccount': [caller.account!], 'aws:principaltype': [caller.arn.endsWith(':root') ? 'Account' : 'User'] } : {},
  }));
  const anyValue = (k: string) => contextReps(k, facts, [...new Set([...valueReps(k, facts.uses.get(k), facts), ...outsiderIdentityReps(k, identityRule(k)!.account, facts).flatMap((v) => v ?? [])])]);
  return { name: 'caller', choices: [anonymous, ...withIdentity([...outsiderCallers(facts), ...named], anyValue)] };
}

function networkDimension(facts: PolicyFacts, population: Population, keys: Set<string>): Dimension {
  const internet = facts.ipSegments
    .filter((s) => population === 'anyone' || s.publicCount > 0n)
    .map((segment): Choice => ({ route: 'internet', segment, values: { 'aws:sourceip': [segment.address] } }));
  const vpcIds = population === 'anyone' ? [...new Set([OUTSIDER.vpc, ...(facts.uses.get('aws:sourcevpc')?.values ?? [])])] : [OUTSIDER.vpc];
  const vpceIds = population === 'anyone' ? [...new Set([OUTSIDER.vpce, ...(facts.uses.get('aws:sourcevpce')?.values ?? [])])] : [OUTSIDER.vpce];
  const inner = keys.has('aws:vpcsourceip') ? facts.ipSegments.map((s) => s.address) : ['10.0.0.1'];
  const vpc: Choice[] = vpcIds.flatMap((vpcId) => vpceIds.flatMap((vpce) => inner.map((address): Choice => ({
    route: 'vpc endpoint',
    values: { 'aws:sourcevpc': [vpcId], 'aws:sourcevpce': [vpce], 'aws:vpcsourceip': [address], 'aws:sourcevpcarn': [`arn:aws:ec2:us-east-1:${OUTSIDER.account}:vpc/${vpcId}`] },
  }))));
  return { name: 'network', choices: [...internet, ...vpc] };
}

function transportDimension(facts: PolicyFacts, plainHttp: Record<string, ContextValue>): Dimension {
  const versions = new Set(['1.2', '1.3']);
  for (const v of valueReps('s3:tlsversion', facts.uses.get('s3:tlsversion'), facts)) if (Number(v) >= 1.2) versions.add(v);
  return {
    name: 'transport',
    choices: [{ values: plainHttp }, ...[...versions].map((v): Choice => ({ values: { 'aws:securetransport': ['true'], 's3:tlsversion': [v] } }))],
  };
}

function timeDimension(facts: PolicyFacts, now: Date): Dimension {
  const instants = new Set([now.getTime()]);
  for (const key of TIME_KEYS) {
    for (const literal of facts.uses.get(key)?.values ?? []) {
      const t = /^\d+(\.\d+)?$/.test(literal) ? Number(literal) * 1000 : Date.parse(literal);
      for (const v of [t, t + 1000]) if (Number.isFinite(v) && v > now.getTime()) instants.add(v);
    }
  }
  return {
    name: 'time',
    choices: [...instants].map((t) => ({ values: { 'aws:currenttime': [new Date(t).toISOString()], 'aws:epochtime': [String(Math.floor(t / 1000))] } })),
  };
}

export interface DimensionOptions {
  now: Date;
  /** Fixes the transport (plain HTTP, or a TLS version) instead of letting the caller choose. */
  transport?: Record<string, ContextValue>;
  /** The context of a plain-HTTP request: aws:SecureTransport "false", or absent on servers that omit it. */
  plainHttp: Record<string, ContextValue>;
}

/** The dimensions of requests that matter for the given condition keys. */
export function dimensionsFor(facts: PolicyFacts, population: Population, keys: Set<string>, options: DimensionOptions): Dimension[] {
  const dims: Dimension[] = [callerDimension(facts, population, keys)];
  if ([...keys].some((k) => NETWORK_KEYS.has(k))) dims.push(networkDimension(facts, population, keys));
  if (options.transport) dims.push({ name: 'transport', choices: [{ values: options.transport }] });
  else if ([...keys].some((k) => TRANSPORT_KEYS.has(k))) dims.push(transportDimension(facts, options.plainHttp));
  if ([...keys].some((k) => TIME_KEYS.has(k))) dims.push(timeDimension(facts, options.now));
  for (const key of keys) {
    if (PRINCIPAL_KEYS.has(key) || NETWORK_KEYS.has(key) || TRANSPORT_KEYS.has(key) || TIME_KEYS.has(key) || identityRule(key)) continue;
    // Written by the caller, or a fact of the resource the audit cannot see: any value.
    dims.push({ name: key, choices: contextReps(key, facts, valueReps(key, facts.uses.get(key), facts)).map((value) => ({ values: { [key]: value } })) });
  }
  return dims;
}
