import { clauseHolds, type RequestContext } from './conditions';
import type { PolicyDocument, PrincipalElement, PrincipalValue, Statement } from './document';
import { compilePattern, globMatches, type VariableLookup } from './glob';

/**
 * One request judged by one bucket policy, the way S3 does: an explicit Deny wins, then
 * an Allow; otherwise the policy grants nothing (the request may still be allowed by the
 * caller's own IAM policies, which is why only an explicit Deny "enforces" anything).
 */

/** Who sends the request. */
export interface Caller {
  kind: 'anonymous' | 'aws' | 'service';
  /** 12-digit account of an AWS principal. */
  account?: string;
  /** Principal ARN: arn:aws:iam::ACCOUNT:user/NAME, :role/NAME or :root. */
  arn?: string;
  canonicalUser?: string;
  service?: string;
  federated?: string;
}

export interface PolicyRequest {
  caller: Caller;
  action: string;
  /** arn:aws:s3:::bucket or arn:aws:s3:::bucket/key */
  resource: string;
  context: RequestContext;
}

export interface Decision {
  effect: 'allow' | 'deny' | 'none';
  /** Sids of the statements that applied, by effect. */
  allowedBy: string[];
  deniedBy: string[];
}

const ACCOUNT_ROOT = /^arn:aws[\w-]*:iam::(\d{12}):root$/;

function namesCaller(value: PrincipalValue, caller: Caller, negated: boolean): boolean {
  switch (value.type) {
    case 'Service': return caller.kind === 'service' && caller.service === value.value;
    case 'CanonicalUser': return caller.canonicalUser === value.value;
    case 'Federated': return caller.federated === value.value;
    case 'AWS': {
      if (caller.kind !== 'aws') return false;
      const named = /^\d{12}$/.test(value.value) ? `arn:aws:iam::${value.value}:root` : value.value;
      if (/[*?]/.test(named)) {
        // AWS refuses partial wildcards in Principal; a server that keeps one matches it as a pattern.
        return [caller.arn, caller.account && `arn:aws:iam::${caller.account}:root`].some((arn) => !!arn && globMatches(named, arn));
      }
      const root = ACCOUNT_ROOT.exec(named);
      // An account in Principal delegates to every identity of that account; in NotPrincipal
      // it exempts only the account's root user (IAM User Guide, NotPrincipal).
      if (root && !negated) return caller.account === root[1];
      return caller.arn === named;
    }
  }
}

export function principalMatches(element: PrincipalElement, caller: Caller): boolean {
  const named = element.everyone || element.values.some((v) => namesCaller(v, caller, element.negated));
  return named !== element.negated;
}

function actionMatches(statement: Statement, action: string): boolean {
  return statement.action.patterns.some((p) => globMatches(p, action, true)) !== statement.action.negated;
}

function resourceMatches(statement: Statement, resource: string, variables: VariableLookup | undefined): boolean {
  const hit = statement.resource.patterns.some((p) => (variables && p.includes('${') ? compilePattern(p, { variables })?.test(resource) ?? false : globMatches(p, resource)));
  return hit !== statement.resource.negated;
}

/** Whether a statement applies to a request (its Effect aside). */
export function statementApplies(statement: Statement, request: PolicyRequest, variables: VariableLookup | undefined): boolean {
  return principalMatches(statement.principal, request.caller)
    && actionMatches(statement, request.action)
    && resourceMatches(statement, request.resource, variables)
    && statement.conditions.every((c) => clauseHolds(c, request.context, variables));
}

export function decide(document: PolicyDocument, request: PolicyRequest, statements: readonly Statement[] = document.statements): Decision {
  const variables: VariableLookup | undefined = document.variables ? (name) => request.context(name.toLowerCase())?.[0] : undefined;
  const allowedBy: string[] = [];
  const deniedBy: string[] = [];
  for (const statement of statements) {
    if (statementApplies(statement, request, variables)) (statement.effect === 'Deny' ? deniedBy : allowedBy).push(statement.sid);
  }
  return { effect: deniedBy.length ? 'deny' : allowedBy.length ? 'allow' : 'none', allowedBy, deniedBy };
}

/**
 * Whether a statement could apply to an action and/or a resource at all, whatever the
 * request (either may be left out).
 */
export function statementCouldApply(statement: Statement, action: string | undefined, resource: string | undefined, variables: boolean): boolean {
  if (action !== undefined && !actionMatches(statement, action)) return false;
  if (resource === undefined) return true;
  // With variables the resource depends on the request: keep the statement in play.
  if (variables && statement.resource.patterns.some((p) => p.includes('${'))) return true;
  return resourceMatches(statement, resource, undefined);
}
