import type { Audience, Choice, PolicyFacts } from './requests';
import { callerOf, contextOf } from './search';

/** Requests and audiences in words, for evidence. */

const AUDIENCE_NAMES: Record<Audience, string> = { anonymous: 'anyone (anonymous)', anyAwsAccount: 'any AWS account' };

/** "anyone (anonymous)" / "any AWS account". */
export function audienceName(audience: Audience): string {
  return AUDIENCE_NAMES[audience];
}

/** Keys the wording already covers (who calls, from where, over what). */
const WORDED = new Set(['aws:securetransport', 's3:tlsversion', 'aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:principalarn', 'aws:principalaccount', 'aws:principaltype', 'aws:userid']);

/** "s3:GetObject on arn:aws:s3:::b/q by anyone (anonymous), from 1.0.0.0, over TLS 1.2, aws:Referer=..." */
export function describeRequest(facts: PolicyFacts, choices: Choice[], action: string, resource: string, keys: Set<string>): string {
  const caller = callerOf(choices);
  const context = contextOf(choices);
  const who = caller.kind === 'anonymous' ? 'anyone (anonymous)' : caller.kind === 'service' ? `the service ${caller.service}` : caller.arn ?? caller.canonicalUser ?? caller.federated;
  const parts = [`${action} on ${resource} by ${who}`];
  const route = choices.find((c) => c.route);
  if (route?.route === 'internet') parts.push(`from ${route.segment!.address}`);
  if (route?.route === 'vpc endpoint') parts.push(`through VPC endpoint ${context('aws:sourcevpce')?.[0]}`);
  const secure = context('aws:securetransport')?.[0];
  if (keys.has('aws:securetransport') || keys.has('s3:tlsversion')) parts.push(secure === 'true' ? `over TLS ${context('s3:tlsversion')?.[0] ?? ''}`.trim() : 'over plain HTTP');
  for (const key of [...keys].sort()) {
    if (WORDED.has(key)) continue;
    const value = context(key);
    const name = facts.uses.get(key)?.name ?? key;
    parts.push(value === undefined ? `without ${name}` : `${name}=${value.length === 1 ? value[0] : JSON.stringify(value)}`);
  }
  return parts.join(', ');
}
