import type { Command } from 'commander';
import { UsageError } from '../errors';
import type { PruneResult } from '../backup/prune';
import { DEFAULT_GRACE_MS } from '../backup/prune';
import { RETENTION_RULES, RULE_OPTIONS, WITHIN_RULES, checkRetentionPolicy, type RetentionPolicy, type RetentionRule } from '../retention/policy';
import { splitTagList } from '../retention/tags';
import { parseInteger } from './context';

/**
 * The retention flags of `backup prune` and `checkpoint prune`: restic's `forget` rules,
 * named as restic names them, for backups and checkpoints alike (`noun`: what is kept).
 */
export function retentionOptions(prune: Command, noun: 'backup' | 'checkpoint'): Command {
  prune
    .option('--dry-run', 'print the decisions and why, delete nothing')
    .option('--grace-hours <n>', `incomplete ${noun}s younger than this are left alone`, String(DEFAULT_GRACE_MS / 3_600_000))
    .option('--allow-empty', `let the policy keep only empty ${noun}s while it removes ${noun}s holding data`);
  for (const rule of RETENTION_RULES) {
    prune.option(`${RULE_OPTIONS[rule]} <n>`, rule === 'last' ? `keep the N newest ${noun}s (-1 or unlimited: all)` : `keep the newest ${noun} of each of the last N ${PERIODS[rule]} (-1 or unlimited: of every ${PERIODS[rule].replace(/s$/, '')})`);
  }
  prune.option('--keep-within <duration>', `keep the ${noun}s newer than the newest one minus the duration (e.g. 1y2m3d4h)`);
  for (const rule of WITHIN_RULES) {
    const period = PERIODS[rule.slice('within'.length).toLowerCase() as Exclude<RetentionRule, 'last'>].replace(/s$/, '');
    prune.option(`${RULE_OPTIONS[rule]} <duration>`, `keep the newest ${noun} of each ${period} within the duration of the newest ${noun}`);
  }
  prune.option('--keep-tag <tags>', `keep ${noun}s with all these tags (comma-separated); repeatable: any of the lists`, (value: string, lists: string[][] = []) => [...lists, splitTagList(value)]);
  return prune;
}

export type RetentionFlags = Record<string, string | string[][] | boolean | undefined>;

/** The prune flags, checked: the policy (durations, tags, not empty), dry run and grace period. */
export function pruneRequest(flags: RetentionFlags): { policy: RetentionPolicy; dryRun: boolean; graceHours: number; allowEmpty?: true } {
  const graceHours = parseInteger('--grace-hours', String(flags.graceHours), 0, 100_000);
  return { policy: checkRetentionPolicy(policyFromFlags(flags)), dryRun: flags.dryRun === true, graceHours, ...(flags.allowEmpty === true ? { allowEmpty: true as const } : {}) };
}

/** What prune decided, one line a snapshot, then the totals. */
export function pruneText(r: PruneResult): string {
  return [
    ...r.decisions.map((d) => `${d.action === 'keep' ? 'keep  ' : r.dryRun ? 'would remove' : 'remove'} ${d.id} (${d.state}, ${d.createdAt}${d.tags ? `, tags ${d.tags.join(', ')}` : ''}): ${d.reasons.join(', ')}`),
    `${r.kept} kept, ${r.removed} ${r.dryRun ? 'to remove (dry run: nothing deleted)' : 'removed'}`,
  ].join('\n');
}

const PERIODS: Record<Exclude<RetentionRule, 'last'>, string> = { hourly: 'hours', daily: 'days', weekly: 'weeks', monthly: 'months', yearly: 'years' };

/** The prune options as a policy (checkRetentionPolicy then checks durations, tags and emptiness). */
function policyFromFlags(flags: RetentionFlags): RetentionPolicy {
  const policy: RetentionPolicy = {};
  for (const rule of RETENTION_RULES) {
    const raw = flags[optionKey(RULE_OPTIONS[rule])];
    if (raw !== undefined) policy[rule] = parseCount(RULE_OPTIONS[rule], String(raw));
  }
  for (const rule of ['within', ...WITHIN_RULES] as const) {
    const raw = flags[optionKey(RULE_OPTIONS[rule])];
    if (raw !== undefined) policy[rule] = String(raw);
  }
  const tags = flags.keepTag as string[][] | undefined;
  if (tags) policy.tags = tags;
  return policy;
}

/** commander's property name of an option: --keep-within-daily → keepWithinDaily. */
function optionKey(option: string): string {
  return option.slice(2).replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());
}

/** A count: a whole number, or -1 / unlimited (restic's word) for no limit. */
function parseCount(option: string, raw: string): number {
  const text = raw.trim();
  if (text === 'unlimited' || text === '-1') return -1;
  if (text.startsWith('-')) throw new UsageError(`${option} must be a whole number ≥ 0, or -1 / unlimited (keep all), got "${raw}"`);
  return parseInteger(option, text, 0, 1_000_000);
}
