import { IntegrityError, UsageError } from '../errors';
import { formatDuration, parseDuration, timeBefore, type RetentionDuration } from './duration';
import { checkTag, hasTags } from './tags';

/**
 * Retention policies with restic's `forget` semantics, as a pure function of snapshot
 * times and tags: no I/O, so every rule is proven on restic's own test cases
 * (test/unit/retention-restic.test.ts). Backups, checkpoints and backup plans all call
 * `applyRetention` with their own items.
 *
 * restic walks the snapshots newest first. Every count rule (last, hourly, daily, weekly,
 * monthly, yearly) has a budget of N (-1: unlimited) and remembers the period of the last
 * snapshot it kept; a snapshot in another period (its calendar day for daily, …) is kept
 * and spends one of the N. The oldest snapshot is kept by every rule that still has budget
 * even when its period was already kept ("oldest yearly snapshot"): a young repository
 * keeps its only old restore point. The within rules keep, among the snapshots newer than
 * the newest snapshot minus the duration, every one (within) or the newest of each period
 * (within-daily, …), with the same oldest-snapshot rule. Tag rules keep every snapshot
 * carrying all tags of one of the lists. A snapshot is kept when any rule keeps it; its
 * reasons are restic's words for every rule that did.
 *
 * Periods are those of the UTC calendar, with ISO-8601 weeks. restic uses the time zone
 * each snapshot's time was recorded in; a server tool must not depend on where it runs.
 */

/** Count rules, in restic's order. */
export type RetentionRule = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
export const RETENTION_RULES: readonly RetentionRule[] = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** Within-period rules, in restic's order: the newest snapshot of each period within the duration. */
export type WithinRule = 'withinHourly' | 'withinDaily' | 'withinWeekly' | 'withinMonthly' | 'withinYearly';
export const WITHIN_RULES: readonly WithinRule[] = ['withinHourly', 'withinDaily', 'withinWeekly', 'withinMonthly', 'withinYearly'];

/**
 * A retention policy with restic's rules and names. Counts: how many to keep, -1 for
 * unlimited, 0 or absent: the rule is off. Durations in restic's syntax (`1y2m3d4h`),
 * relative to the newest snapshot. `tags`: one list per `--keep-tag`; a snapshot with
 * every tag of any list is kept.
 */
export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
  within?: string;
  withinHourly?: string;
  withinDaily?: string;
  withinWeekly?: string;
  withinMonthly?: string;
  withinYearly?: string;
  tags?: string[][];
}

/** The command-line option of each rule (error messages, docs). */
export const RULE_OPTIONS: Readonly<Record<keyof RetentionPolicy, string>> = {
  last: '--keep-last', hourly: '--keep-hourly', daily: '--keep-daily', weekly: '--keep-weekly', monthly: '--keep-monthly', yearly: '--keep-yearly',
  within: '--keep-within', withinHourly: '--keep-within-hourly', withinDaily: '--keep-within-daily', withinWeekly: '--keep-within-weekly',
  withinMonthly: '--keep-within-monthly', withinYearly: '--keep-within-yearly', tags: '--keep-tag',
};

/** What a policy decides about: anything with a time (and, optionally, tags). */
export interface RetentionCandidate {
  time: Date;
  tags?: readonly string[] | undefined;
}

export interface RetentionDecision<T extends RetentionCandidate> {
  item: T;
  keep: boolean;
  /** restic's words for each rule that kept it: 'daily snapshot', 'oldest yearly snapshot', 'within 7d', 'has tags [a, b]'; empty when removed. */
  reasons: string[];
  /** Budget left to each count rule after this item, as restic reports it: -1 unlimited, rules at 0 left out. */
  counters: Partial<Record<RetentionRule, number>>;
}

type Unit = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
const UNIT_OF: Record<Exclude<RetentionRule, 'last'> | WithinRule, Unit> = {
  hourly: 'hourly', daily: 'daily', weekly: 'weekly', monthly: 'monthly', yearly: 'yearly',
  withinHourly: 'hourly', withinDaily: 'daily', withinWeekly: 'weekly', withinMonthly: 'monthly', withinYearly: 'yearly',
};

/**
 * The policy checked and in canonical form: counts whole numbers ≥ -1, durations
 * parsed and written as restic writes them, rules that are off left out. Unknown rule
 * names and an empty policy are usage errors — restic refuses to forget without a rule,
 * since no rule would remove everything.
 */
export function checkRetentionPolicy(policy: RetentionPolicy): RetentionPolicy {
  if (policy === null || typeof policy !== 'object' || Array.isArray(policy)) throw new UsageError('a retention policy is an object of rules, e.g. { daily: 7, weekly: 4 }');
  const checked: RetentionPolicy = {};
  for (const [key, value] of Object.entries(policy) as [keyof RetentionPolicy, unknown][]) {
    if (!Object.hasOwn(RULE_OPTIONS, key)) throw new UsageError(`unknown retention rule "${key}" (known: ${Object.keys(RULE_OPTIONS).join(', ')})`);
    if (value === undefined) continue;
    const option = RULE_OPTIONS[key];
    if (key === 'tags') {
      const lists = checkTagLists(value, option);
      if (lists.length) checked.tags = lists;
    } else if ((RETENTION_RULES as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < -1) throw new UsageError(`${option} must be a whole number ≥ 0, or -1 (unlimited), got ${JSON.stringify(value)}`);
      if (value !== 0) checked[key as RetentionRule] = value;
    } else {
      if (typeof value !== 'string') throw new UsageError(`${option} must be a duration such as 1y2m3d4h, got ${JSON.stringify(value)}`);
      const duration = formatDuration(parseDuration(value, option));
      if (duration) checked[key as 'within' | WithinRule] = duration;
    }
  }
  if (Object.keys(checked).length === 0) {
    throw new UsageError('no retention rule given (--keep-last/-hourly/-daily/-weekly/-monthly/-yearly, --keep-within[-hourly/-daily/-weekly/-monthly/-yearly] or --keep-tag): refusing to remove everything');
  }
  return checked;
}

function checkTagLists(value: unknown, option: string): string[][] {
  if (!Array.isArray(value) || !value.every((list) => Array.isArray(list) && list.every((tag) => typeof tag === 'string'))) {
    throw new UsageError(`${option}: tags are lists of strings, e.g. [["weekly"], ["legal", "hold"]]`);
  }
  return (value as string[][]).map((list) => {
    if (list.length === 0) throw new UsageError(`${option}: a tag list must name at least one tag`);
    for (const tag of list) if (tag !== '') checkTag(tag, option);
    return [...list];
  });
}

/** The period a time falls in, for each unit; two times in the same period are equal. */
function periodOf(unit: Unit, time: Date): number {
  const y = time.getUTCFullYear();
  const m = time.getUTCMonth() + 1;
  const d = time.getUTCDate();
  switch (unit) {
    case 'hourly': return ((y * 100 + m) * 100 + d) * 100 + time.getUTCHours();
    case 'daily': return (y * 100 + m) * 100 + d;
    case 'weekly': { const week = isoWeek(time); return week.year * 100 + week.week; }
    case 'monthly': return y * 100 + m;
    case 'yearly': return y;
  }
}

/** ISO-8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(time: Date): { year: number; week: number } {
  const day = new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate()));
  const weekday = day.getUTCDay() || 7; // Monday = 1 … Sunday = 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return { year: day.getUTCFullYear(), week };
}

/**
 * The time the within rules count back from: the newest snapshot's, leaving out
 * snapshots dated after `now` (a clock running ahead must not move the window).
 * Without `now`, no snapshot is taken for a future one.
 */
function newestTime(items: readonly RetentionCandidate[], now: Date | undefined): Date | undefined {
  let newest: Date | undefined;
  for (const { time } of items) {
    if (now && time.getTime() >= now.getTime()) continue;
    if (!newest || time.getTime() > newest.getTime()) newest = time;
  }
  return newest;
}

interface CountState { rule: RetentionRule; left: number; last?: number }
interface WithinState { unit: Unit; label: string; after: number; last?: number }

/**
 * Decides, for each item, keep or remove, and why. Returns the decisions newest first
 * (items of equal time keep their input order, as restic's stable sort does). Throws a
 * UsageError for an invalid or empty policy (see checkRetentionPolicy).
 */
export function applyRetention<T extends RetentionCandidate>(items: readonly T[], policy: RetentionPolicy, options: { now?: Date } = {}): RetentionDecision<T>[] {
  const rules = checkRetentionPolicy(policy);
  for (const item of items) {
    if (!(item.time instanceof Date) || Number.isNaN(item.time.getTime())) throw new IntegrityError(`a snapshot's time is not a valid date: ${String(item.time)}`);
  }
  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.time.getTime() - a.item.time.getTime() || a.index - b.index)
    .map(({ item }) => item);
  const newest = newestTime(sorted, options.now);
  const cutoff = (duration: RetentionDuration) => (newest ? timeBefore(newest, duration) : -Infinity);

  const counts: CountState[] = RETENTION_RULES.flatMap((rule) => (rules[rule] ? [{ rule, left: rules[rule]! }] : []));
  const withins: WithinState[] = WITHIN_RULES.flatMap((rule) => {
    const text = rules[rule];
    return text ? [{ unit: UNIT_OF[rule], label: text, after: cutoff(parseDuration(text, RULE_OPTIONS[rule])) }] : [];
  });
  const within = rules.within ? { label: rules.within, after: cutoff(parseDuration(rules.within, RULE_OPTIONS.within)) } : undefined;

  return sorted.map((item, position) => {
    const oldest = position === sorted.length - 1;
    const time = item.time.getTime();
    const reasons: string[] = [];
    for (const list of rules.tags ?? []) {
      if (hasTags(item.tags ?? [], list)) reasons.push(`has tags [${list.join(', ')}]`);
    }
    if (within && time > within.after) reasons.push(`within ${within.label}`);
    for (const state of counts) {
      if (state.left === 0) continue;
      // 'last' puts every snapshot in a period of its own.
      const period = state.rule === 'last' ? position : periodOf(UNIT_OF[state.rule], item.time);
      if (period === state.last && !oldest) continue;
      reasons.push(`${period === state.last ? 'oldest ' : ''}${state.rule} snapshot`);
      state.last = period;
      if (state.left > 0) state.left -= 1;
    }
    for (const state of withins) {
      if (!(time > state.after)) continue;
      const period = periodOf(state.unit, item.time);
      if (period === state.last && !oldest) continue;
      reasons.push(`${period === state.last ? 'oldest ' : ''}${state.unit} within ${state.label}`);
      state.last = period;
    }
    const counters: Partial<Record<RetentionRule, number>> = {};
    for (const state of counts) if (state.left !== 0) counters[state.rule] = state.left;
    return { item, keep: reasons.length > 0, reasons, counters };
  });
}
