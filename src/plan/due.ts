import type { StepState } from './state';

/** A run every few minutes must not push a daily step later each day: due this much early. */
const MAX_SLACK_MS = 15 * 60_000;

export interface Dueness {
  due: boolean;
  /** When it is (or was) due. */
  at: Date;
  reason: string;
}

/**
 * Whether a step is due: never succeeded, or its last success is `every` old (less a
 * little slack, at most 5 % or 15 min, so a daily backup at 02:00 stays at 02:00 under a
 * cron that fires a few seconds early or late). A step that failed after its last success
 * waits `retryAfter` before it runs again.
 */
export function dueness(step: StepState | undefined, everyMs: number, retryAfterMs: number, now: Date): Dueness {
  const slack = Math.min(everyMs * 0.05, MAX_SLACK_MS);
  const success = step?.lastSuccess ? Date.parse(step.lastSuccess) : undefined;
  const failure = step?.lastFailure ? Date.parse(step.lastFailure) : undefined;
  let at = success === undefined ? new Date(0) : new Date(success + everyMs - slack);
  let reason = success === undefined ? 'never succeeded' : `last success ${step!.lastSuccess}`;
  if (failure !== undefined && (success === undefined || failure > success)) {
    const retry = new Date(failure + retryAfterMs);
    if (retry > at) { at = retry; reason = `failed at ${step!.lastFailure}${step!.lastError ? ` (${step!.lastError})` : ''}; retried after ${Math.round(retryAfterMs / 60_000)} min`; }
  }
  return { due: at.getTime() <= now.getTime(), at, reason };
}
