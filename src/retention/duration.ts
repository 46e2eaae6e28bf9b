import { UsageError } from '../errors';

/**
 * restic's retention durations: calendar years, months, days and hours, written
 * `1y2m3d4h` (any subset, any order; a unit given twice keeps its last value). Pure.
 */
export interface RetentionDuration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;
/** Far beyond any real retention; keeps every part a safe integer. */
const MAX_PART = 1_000_000;

/**
 * Parses `1y2m3d4h`. Surrounding spaces are ignored and an empty text is the zero
 * duration (restic: the rule is not set). `what` names the option in error messages.
 */
export function parseDuration(text: string, what: string): RetentionDuration {
  const duration: RetentionDuration = { years: 0, months: 0, days: 0, hours: 0 };
  const fail = (why: string) => new UsageError(`${what} "${text}": ${why} (durations look like 1y2m3d4h: years, months, days, hours)`);
  let rest = text.trim();
  while (rest !== '') {
    const part = /^(-?)(\d*)(.?)/.exec(rest)!;
    const [whole, minus, digits, unit] = part as unknown as [string, string, string, string];
    if (digits === '') throw fail('no number found');
    if (minus) throw fail('negative durations are not allowed');
    const value = Number(digits);
    if (value > MAX_PART) throw fail(`${digits} is too large (at most ${MAX_PART.toLocaleString('en')})`);
    if (unit === '') throw fail(`no unit found after number ${digits}`);
    if (!(unit in UNITS)) throw fail(`invalid unit "${unit}" after number ${digits}`);
    duration[UNITS[unit as keyof typeof UNITS]] = value;
    rest = rest.slice(whole.length);
  }
  return duration;
}

/** restic's canonical form: `1y2m3d4h` with zero parts left out; '' for the zero duration. */
export function formatDuration(duration: RetentionDuration): string {
  return (duration.years ? `${duration.years}y` : '') + (duration.months ? `${duration.months}m` : '') +
    (duration.days ? `${duration.days}d` : '') + (duration.hours ? `${duration.hours}h` : '');
}

/**
 * The instant `duration` before `time`, on the UTC calendar: years, months and days go
 * back by calendar (an overflowing day rolls into the next month, as Go's AddDate does:
 * 31 March minus one month is 3 March), then hours go back as elapsed time. A result
 * beyond what a Date can hold is -Infinity: every snapshot is newer than it.
 */
export function timeBefore(time: Date, duration: RetentionDuration): number {
  const day = new Date(time.getTime());
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  day.setUTCFullYear(time.getUTCFullYear() - duration.years, time.getUTCMonth() - duration.months, time.getUTCDate() - duration.days);
  const instant = day.getTime() - duration.hours * 3_600_000;
  return Number.isNaN(instant) ? -Infinity : instant;
}
