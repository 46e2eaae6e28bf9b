import { clauseHolds, type ContextValue, type RequestContext } from './conditions';
import { principalMatches, type Caller } from './decide';
import type { ConditionClause, PolicyDocument, Statement } from './document';
import { compilePattern, resolveVariables, variablesIn, type VariableLookup } from './glob';
import type { Choice, Dimension } from './requests';

/**
 * Walks the combinations of representative requests, one choice per dimension, and cuts
 * off every branch that cannot hold what is looked for: as soon as the chosen values decide
 * a statement's Condition, the statement is known to apply or not, so
 *   - looking for an allowed request, a branch where no Allow can apply any more, or where
 *     some Deny surely applies, is skipped;
 *   - looking for a request that is not denied, a branch where some Deny surely applies is.
 * That keeps policies with many condition keys judgeable: an exhaustive product would not be.
 */

export type Goal = 'allowed' | 'not denied';

export class BudgetExceeded extends Error {}

/** Work left before the search gives up (counted in checks and requests judged). */
export interface Budget { left: number }

interface Check {
  statement: number;
  test: (context: RequestContext, caller: Caller, variables: VariableLookup | undefined) => boolean;
}

/** The keys a text names as policy variables, as context keys (lower case). */
function variableKeys(text: string): string[] {
  return variablesIn(text).map((name) => name.toLowerCase());
}

/** The keys a clause reads: its own, and those its values name as policy variables. */
const clauseKeys = new WeakMap<ConditionClause, string[]>();
function keysRead(clause: ConditionClause, variables: boolean): string[] {
  if (!variables) return [clause.key.toLowerCase()];
  let keys = clauseKeys.get(clause);
  if (!keys) clauseKeys.set(clause, keys = [clause.key.toLowerCase(), ...clause.values.flatMap(variableKeys)]);
  return keys;
}

export function contextOf(choices: readonly Choice[]): RequestContext {
  const values = new Map<string, ContextValue>();
  for (const c of choices) for (const [key, value] of Object.entries(c.values)) values.set(key, value);
  return (key) => values.get(key);
}

export function callerOf(choices: readonly Choice[]): Caller {
  return choices.find((c) => c.caller)?.caller ?? { kind: 'anonymous' };
}

/**
 * Calls `visit` with each complete request (its choices) that pruning leaves, until visit
 * returns true; returns whether it did. `resource` may name policy variables (a template):
 * each request then asks for the resource its own values name.
 */
export function searchRequests(
  document: PolicyDocument, statements: readonly Statement[], resource: string, dims: readonly Dimension[],
  goal: Goal, budget: Budget, visit: (choices: Choice[]) => boolean,
): boolean {
  // The depth at which each key gets its value; keys no dimension sets are absent from the start.
  const depthOf = new Map<string, number>();
  dims.forEach((dim, depth) => { for (const c of dim.choices) for (const key of Object.keys(c.values)) depthOf.set(key, depth); });
  const readyAt = (keys: string[]) => Math.max(0, ...keys.map((k) => depthOf.get(k) ?? 0));
  const checksAt: Check[][] = dims.map(() => []);
  const pending = statements.map(() => 0);
  const add = (depth: number, check: Check) => { checksAt[depth]!.push(check); pending[check.statement]! += 1; };
  statements.forEach((statement, index) => {
    add(0, { statement: index, test: (_, caller) => principalMatches(statement.principal, caller) });
    // Where the request's own values name the resource (a template) or the statement's, the match waits for them.
    if (document.variables && [resource, ...statement.resource.patterns].some((p) => p.includes('${'))) {
      const test = (_: RequestContext, __: Caller, variables: VariableLookup | undefined) => {
        const arn = resolveVariables(resource, variables);
        return arn !== undefined && statement.resource.patterns.some((p) => compilePattern(p, variables ? { variables } : {})?.test(arn) ?? false) !== statement.resource.negated;
      };
      add(readyAt([resource, ...statement.resource.patterns].flatMap(variableKeys)), { statement: index, test });
    }
    for (const clause of statement.conditions) {
      add(readyAt(keysRead(clause, document.variables)), { statement: index, test: (context, _, variables) => clauseHolds(clause, context, variables) });
    }
  });
  const dead = statements.map(() => false);
  const picked: Choice[] = [];

  const hopeless = (): boolean => {
    const denied = statements.some((s, i) => s.effect === 'Deny' && !dead[i] && pending[i] === 0);
    if (denied) return true;
    return goal === 'allowed' && !statements.some((s, i) => s.effect === 'Allow' && !dead[i]);
  };

  const walk = (depth: number): boolean => {
    if (depth === dims.length) {
      if ((budget.left -= 1) < 0) throw new BudgetExceeded();
      return visit(picked);
    }
    for (const choice of dims[depth]!.choices) {
      picked[depth] = choice;
      const context = contextOf(picked.slice(0, depth + 1));
      const caller = callerOf(picked);
      const variables: VariableLookup | undefined = document.variables ? (name) => context(name.toLowerCase())?.[0] : undefined;
      const changed: [number, number, boolean][] = [];
      for (const check of checksAt[depth]!) {
        if (dead[check.statement]) continue;
        if ((budget.left -= 1) < 0) throw new BudgetExceeded();
        changed.push([check.statement, pending[check.statement]!, dead[check.statement]!]);
        if (check.test(context, caller, variables)) pending[check.statement]! -= 1;
        else dead[check.statement] = true;
      }
      const found = !hopeless() && walk(depth + 1);
      for (const [i, p, d] of changed.reverse()) { pending[i] = p; dead[i] = d; }
      if (found) return true;
    }
    return false;
  };
  return walk(0);
}
