/**
 * Reads a bucket policy into statements the evaluator can trust, and says what it could
 * not read instead of throwing: a `null` statement, a number where an ARN belongs or an
 * unknown condition operator is a problem of that statement, reported, and the statement
 * is left out. AWS refuses such policies; a server that stored one enforces something the
 * audit cannot judge, which is itself a finding.
 */

export type Effect = 'Allow' | 'Deny';

export interface PrincipalValue {
  type: 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';
  value: string;
}

export interface PrincipalElement {
  /** NotPrincipal: the statement applies to everyone except these. */
  negated: boolean;
  /** "*" or {"AWS": "*"}: everyone, anonymous callers included. */
  everyone: boolean;
  values: PrincipalValue[];
}

export interface PatternElement {
  /** NotAction / NotResource. */
  negated: boolean;
  patterns: string[];
}

export const BASE_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
] as const;
export type BaseOperator = (typeof BASE_OPERATORS)[number];

/** Operators that match when the value is NOT among the policy's values (logical NOR). */
export const NEGATED_OPERATORS: ReadonlySet<BaseOperator> = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike',
  'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']);

export interface ConditionClause {
  /** As written, for evidence: "ForAllValues:StringEquals". */
  operator: string;
  base: BaseOperator;
  qualifier?: 'ForAllValues' | 'ForAnyValue';
  ifExists: boolean;
  /** As written; matching is case-insensitive. */
  key: string;
  values: string[];
}

export interface Statement {
  /** The Sid, or "statement N" (1-based). */
  sid: string;
  effect: Effect;
  principal: PrincipalElement;
  action: PatternElement;
  resource: PatternElement;
  conditions: ConditionClause[];
}

export interface PolicyDocument {
  /** Policy variables (${aws:username}) only exist in version 2012-10-17. */
  variables: boolean;
  statements: Statement[];
  /** What could not be read; the statements concerned are left out. */
  problems: string[];
}

const OPERATOR_PATTERN = new RegExp(`^(?:(ForAllValues|ForAnyValue):)?(${BASE_OPERATORS.join('|')})(IfExists)?$`, 'i');
const CANONICAL = new Map(BASE_OPERATORS.map((o) => [o.toLowerCase(), o]));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string or a list of strings; anything else is a problem. */
function strings(value: unknown, what: string, problems: string[]): string[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const bad = items.find((v) => typeof v !== 'string');
  if (bad !== undefined || (Array.isArray(value) && value.length === 0)) {
    problems.push(`${what} must be a string or a list of strings, found ${JSON.stringify(bad ?? value)}`);
    return undefined;
  }
  return items as string[];
}

/** Condition values are strings, numbers or booleans (JSON true is "true"). */
function conditionValues(value: unknown, what: string, problems: string[]): string[] | undefined {
  const items = Array.isArray(value) ? value : [value];
  const bad = items.find((v) => !['string', 'number', 'boolean'].includes(typeof v));
  if (bad !== undefined) {
    problems.push(`${what} must be strings, numbers or booleans, found ${JSON.stringify(bad)}`);
    return undefined;
  }
  return items.map(String);
}

function principalElement(value: unknown, negated: boolean, where: string, problems: string[]): PrincipalElement | undefined {
  if (value === '*') return { negated, everyone: true, values: [] };
  if (!isRecord(value)) {
    problems.push(`${where}: ${negated ? 'NotPrincipal' : 'Principal'} must be "*" or an object, found ${JSON.stringify(value)}`);
    return undefined;
  }
  const element: PrincipalElement = { negated, everyone: false, values: [] };
  for (const [type, raw] of Object.entries(value)) {
    if (type !== 'AWS' && type !== 'Service' && type !== 'Federated' && type !== 'CanonicalUser') {
      problems.push(`${where}: unknown principal type "${type}"`);
      return undefined;
    }
    const list = strings(raw, `${where}: ${type} principal`, problems);
    if (!list) return undefined;
    for (const item of list) {
      if (type === 'AWS' && item === '*') element.everyone = true;
      else element.values.push({ type, value: item });
    }
  }
  return element;
}

function patternElement(statement: Record<string, unknown>, name: 'Action' | 'Resource', where: string, problems: string[]): PatternElement | undefined {
  const plain = statement[name];
  const not = statement[`Not${name}`];
  if ((plain === undefined) === (not === undefined)) {
    problems.push(`${where}: needs exactly one of ${name} and Not${name}`);
    return undefined;
  }
  const patterns = strings(plain ?? not, `${where}: ${plain !== undefined ? name : `Not${name}`}`, problems);
  return patterns ? { negated: plain === undefined, patterns } : undefined;
}

function conditionClauses(value: unknown, where: string, problems: string[]): ConditionClause[] | undefined {
  if (value === undefined) return [];
  if (!isRecord(value)) {
    problems.push(`${where}: Condition must be an object`);
    return undefined;
  }
  const clauses: ConditionClause[] = [];
  for (const [operator, entries] of Object.entries(value)) {
    const parsed = OPERATOR_PATTERN.exec(operator);
    if (!parsed || (parsed[3] && /^null$/i.test(parsed[2]!))) {
      problems.push(`${where}: unknown condition operator "${operator}"`);
      return undefined;
    }
    if (!isRecord(entries)) {
      problems.push(`${where}: ${operator} must map condition keys to values`);
      return undefined;
    }
    for (const [key, raw] of Object.entries(entries)) {
      const values = conditionValues(raw, `${where}: ${operator} ${key}`, problems);
      if (!values) return undefined;
      clauses.push({
        operator, key, values,
        base: CANONICAL.get(parsed[2]!.toLowerCase())!,
        ifExists: parsed[3] !== undefined,
        ...(parsed[1] ? { qualifier: (parsed[1].toLowerCase() === 'forallvalues' ? 'ForAllValues' : 'ForAnyValue') as ConditionClause['qualifier'] } : {}),
      });
    }
  }
  return clauses;
}

function readStatement(raw: unknown, index: number, problems: string[]): Statement | undefined {
  const label = `statement ${index + 1}`;
  if (!isRecord(raw)) {
    problems.push(`${label} is ${raw === null ? 'null' : `not an object (${JSON.stringify(raw)})`}`);
    return undefined;
  }
  const sid = typeof raw.Sid === 'string' && raw.Sid ? raw.Sid : label;
  const where = sid === label ? label : `${label} ("${sid}")`;
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    problems.push(`${where}: Effect must be "Allow" or "Deny", found ${JSON.stringify(raw.Effect)}`);
    return undefined;
  }
  if ((raw.Principal === undefined) === (raw.NotPrincipal === undefined)) {
    problems.push(`${where}: a bucket policy statement needs exactly one of Principal and NotPrincipal`);
    return undefined;
  }
  const principal = principalElement(raw.Principal ?? raw.NotPrincipal, raw.Principal === undefined, where, problems);
  const action = patternElement(raw, 'Action', where, problems);
  const resource = patternElement(raw, 'Resource', where, problems);
  const conditions = conditionClauses(raw.Condition, where, problems);
  if (!principal || !action || !resource || !conditions) return undefined;
  return { sid, effect: raw.Effect, principal, action, resource, conditions };
}

/** Parses a policy (JSON text or an object); never throws. */
export function readPolicyDocument(policy: string | unknown): PolicyDocument {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    try {
      document = JSON.parse(policy);
    } catch (error) {
      return { variables: false, statements: [], problems: [`the policy is not valid JSON: ${(error as Error).message}`] };
    }
  }
  if (!isRecord(document)) return { variables: false, statements: [], problems: ['the policy is not a JSON object'] };
  const raw = document.Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (!list.length) return { variables: false, statements: [], problems: ['the policy has no Statement'] };
  const problems: string[] = [];
  const statements = list.flatMap((item, index) => readStatement(item, index, problems) ?? []);
  return { variables: document.Version === '2012-10-17', statements, problems };
}
