/**
 * Retention policies with restic's `forget` semantics, as a pure function of snapshot
 * times: no I/O, so every rule can be proven on fixed timestamps.
 *
 * restic walks the snapshots newest first. Each rule (last, hourly, daily, weekly,
 * monthly, yearly) has a budget of N and remembers the period of the last snapshot it
 * kept; a snapshot whose period (e.g. its calendar day for --keep-daily) differs from
 * that remembered period is kept by the rule, which then spends one of its N. So each
 * rule keeps the newest snapshot of each of its N most recent periods that have one.
 * A snapshot kept by any rule is kept; the reasons list every rule that kept it.
 *
 * Periods are computed in UTC (restic uses the local time zone; a server tool must not
 * depend on where it runs). Weeks are ISO-8601 weeks, as in restic.
 */

/** Incomplete snapshots younger than this are left alone by prune: a backup may still be writing them. */
export const DEFAULT_GRACE_MS = 24 * 3_600_000;

export type RetentionRule = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

export const RETENTION_RULES: readonly RetentionRule[] = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** How many of each to keep; a missing rule keeps nothing. -1 = unlimited (restic's "all"). */
export type RetentionPolicy = Partial<Record<RetentionRule, number>>;

export interface Dated {
  id: string;
  time: Date;
}

export interface RetentionDecision<T extends Dated> {
  item: T;
  keep: boolean;
  /** The rules that kept it, e.g. ['last', 'daily']; empty when removed. */
  reasons: RetentionRule[];
}

export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return RETENTION_RULES.every((rule) => !policy[rule]);
}

/** The period a time falls in, for each rule; two times in the same period are equal. */
function periodOf(rule: Exclude<RetentionRule, 'last'>, time: Date): number {
  const y = time.getUTCFullYear();
  const m = time.getUTCMonth() + 1;
  const d = time.getUTCDate();
  switch (rule) {
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
 * Decides, for each item, keep or remove. Returns the decisions newest first (ties keep
 * the input order). An empty policy keeps everything: like restic, lakevault refuses to
 * remove snapshots when no rule was given (the caller reports it as a usage error).
 */
export function applyRetention<T extends Dated>(items: readonly T[], policy: RetentionPolicy): RetentionDecision<T>[] {
  const sorted = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => b.item.time.getTime() - a.item.time.getTime() || a.index - b.index)
    .map(({ item }) => item);
  if (isEmptyPolicy(policy)) return sorted.map((item) => ({ item, keep: true, reasons: [] }));

  const budget = new Map<RetentionRule, number>();
  const lastPeriod = new Map<RetentionRule, number>();
  for (const rule of RETENTION_RULES) {
    const count = policy[rule] ?? 0;
    if (count !== 0) budget.set(rule, count);
  }
  return sorted.map((item, position) => {
    const reasons: RetentionRule[] = [];
    for (const rule of RETENTION_RULES) {
      const left = budget.get(rule);
      if (left === undefined || left === 0) continue;
      // 'last' puts every snapshot in a period of its own.
      const period = rule === 'last' ? position : periodOf(rule, item.time);
      if (period === lastPeriod.get(rule)) continue;
      lastPeriod.set(rule, period);
      if (left > 0) budget.set(rule, left - 1);
      reasons.push(rule);
    }
    return { item, keep: reasons.length > 0, reasons };
  });
}
