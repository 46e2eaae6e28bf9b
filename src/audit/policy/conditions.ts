import { NEGATED_OPERATORS, type BaseOperator, type ConditionClause } from './document';
import { compilePattern, resolveVariables, type VariableLookup } from './glob';
import { contains, parseCidr, parseIp, type IpRange } from './ip';

/**
 * IAM condition semantics, as the IAM User Guide states them ("Condition operators",
 * "Conditions with multiple context keys or values", "Set operators for multivalued
 * context keys"):
 *   - the values of one key are ORed; for a negated operator (StringNotEquals, NotIpAddress,
 *     ...) they are NORed: the request value must match none of them;
 *   - a key missing from the request makes the condition false, except for negated
 *     operators (true), ...IfExists (true) and Null (which tests exactly that);
 *   - ForAllValues: every request value matches (true when the key is missing or empty);
 *     ForAnyValue: at least one does (false when missing).
 * Keys of one operator, and operators of one statement, are ANDed by the caller.
 */

/** A request context value: undefined when the key is absent; single-valued keys hold one value. */
export type ContextValue = readonly string[] | undefined;
export type RequestContext = (key: string) => ContextValue;

const POSITIVE_OF: Partial<Record<BaseOperator, BaseOperator>> = {
  StringNotEquals: 'StringEquals', StringNotEqualsIgnoreCase: 'StringEqualsIgnoreCase', StringNotLike: 'StringLike',
  NumericNotEquals: 'NumericEquals', DateNotEquals: 'DateEquals', NotIpAddress: 'IpAddress', ArnNotEquals: 'ArnEquals', ArnNotLike: 'ArnLike',
};

const patternCache = new Map<string, RegExp>();
function like(pattern: string, value: string, variables: VariableLookup | undefined, caseInsensitive = false): boolean {
  if (!variables || !pattern.includes('${')) {
    const id = `${caseInsensitive ? 'i' : 's'}${pattern}`;
    let compiled = patternCache.get(id);
    if (!compiled) patternCache.set(id, compiled = compilePattern(pattern, { caseInsensitive })!);
    return compiled.test(value);
  }
  return compilePattern(pattern, { caseInsensitive, variables })?.test(value) ?? false;
}

function number(text: string): number {
  return /^\s*$/.test(text) ? NaN : Number(text);
}

/** ISO 8601 or epoch seconds. */
function instant(text: string): number {
  return /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : Date.parse(text);
}

/** ARNs compare component by component: arn:partition:service:region:account:resource. */
function arnMatches(pattern: string, value: string, variables: VariableLookup | undefined): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  return !!p && !!v && p.every((part, i) => like(part, v[i]!, variables));
}

function compare(a: number, b: number, base: BaseOperator): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  switch (base) {
    case 'NumericEquals': case 'DateEquals': return a === b;
    case 'NumericLessThan': case 'DateLessThan': return a < b;
    case 'NumericLessThanEquals': case 'DateLessThanEquals': return a <= b;
    case 'NumericGreaterThan': case 'DateGreaterThan': return a > b;
    case 'NumericGreaterThanEquals': case 'DateGreaterThanEquals': return a >= b;
    default: return false;
  }
}

/** Whether one request value matches one policy value under a positive operator. */
function matchesOne(base: BaseOperator, value: string, policyValue: string, variables: VariableLookup | undefined): boolean {
  switch (base) {
    case 'StringEquals': return resolveVariables(policyValue, variables) === value;
    case 'StringEqualsIgnoreCase': return resolveVariables(policyValue, variables)?.toLowerCase() === value.toLowerCase();
    case 'StringLike': return like(policyValue, value, variables);
    case 'Bool': return policyValue.toLowerCase() === value.toLowerCase();
    case 'BinaryEquals': return policyValue === value;
    case 'IpAddress': {
      const range = parseCidr(policyValue);
      const address = parseIp(value);
      return !!range && !!address && contains(range, address);
    }
    case 'ArnEquals': case 'ArnLike': return arnMatches(policyValue, value, variables);
    default:
      return base.startsWith('Date') ? compare(instant(value), instant(policyValue), base) : compare(number(value), number(policyValue), base);
  }
}

/** A clause's CIDRs, merged and sorted, for a binary search per address (policies may list thousands). */
const rangeIndex = new WeakMap<ConditionClause, IpRange[]>();

function inRanges(clause: ConditionClause, value: string): boolean {
  let ranges = rangeIndex.get(clause);
  if (!ranges) {
    const sorted = clause.values.flatMap((v) => parseCidr(v) ?? []).sort((a, b) => a.version - b.version || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
    ranges = [];
    for (const r of sorted) {
      const last = ranges[ranges.length - 1];
      if (last && last.version === r.version && r.first <= last.last + 1n) { if (r.last > last.last) ranges[ranges.length - 1] = { ...last, last: r.last }; }
      else ranges.push(r);
    }
    rangeIndex.set(clause, ranges);
  }
  const address = parseIp(value);
  if (!address) return false;
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid]!;
    if (r.version < address.version || (r.version === address.version && r.last < address.value)) lo = mid + 1;
    else if (r.version > address.version || r.first > address.value) hi = mid - 1;
    else return true;
  }
  return false;
}

/** Answers already computed, per clause and request value (clauses without policy variables only). */
const answers = new WeakMap<ConditionClause, Map<string, boolean>>();

/** Whether one condition clause (one operator, one key) holds for a request. */
export function clauseHolds(clause: ConditionClause, context: RequestContext, variables?: VariableLookup): boolean {
  const found = context(clause.key.toLowerCase());
  if (variables && clause.values.some((v) => v.includes('${'))) return evaluate(clause, found, variables);
  let known = answers.get(clause);
  if (!known) answers.set(clause, known = new Map());
  const id = found === undefined ? '\u0001' : found.join('\u0000');
  let answer = known.get(id);
  if (answer === undefined) known.set(id, answer = evaluate(clause, found, undefined));
  return answer;
}

function evaluate(clause: ConditionClause, found: ContextValue, variables: VariableLookup | undefined): boolean {
  const present = found !== undefined && found.length > 0;
  if (clause.base === 'Null') {
    return clause.values.some((v) => (v.toLowerCase() === 'true') === !present);
  }
  if (!present) {
    if (clause.ifExists || clause.qualifier === 'ForAllValues') return true;
    if (clause.qualifier === 'ForAnyValue') return false;
    return NEGATED_OPERATORS.has(clause.base);
  }
  const negated = NEGATED_OPERATORS.has(clause.base);
  const positive = POSITIVE_OF[clause.base] ?? clause.base;
  const matches = positive === 'IpAddress'
    ? (value: string) => inRanges(clause, value)
    : (value: string) => clause.values.some((p) => matchesOne(positive, value, p, variables));
  const single = (value: string) => matches(value) !== negated;
  return clause.qualifier === 'ForAllValues' ? found.every(single) : found.some(single);
}
