import { IntegrityError, UsageError } from '../../src/errors';
import { formatDuration, parseDuration, timeBefore } from '../../src/retention/duration';
import { applyRetention, checkRetentionPolicy, isoWeek, type RetentionPolicy } from '../../src/retention/policy';
import { hasTags, snapshotTags } from '../../src/retention/tags';

/**
 * restic `forget` semantics on a fixed set of backup times. The expected sets below are
 * worked out by hand (newest first; each rule keeps the newest backup of each of its N
 * most recent periods), not computed by the code under test.
 */
const backups = [
  { id: 'a', time: new Date('2026-01-01T10:00:00Z') }, // Thu, ISO 2026-W01
  { id: 'b', time: new Date('2026-01-01T11:30:00Z') },
  { id: 'c', time: new Date('2026-01-01T11:45:00Z') },
  { id: 'd', time: new Date('2026-01-02T09:00:00Z') }, // Fri, 2026-W01
  { id: 'e', time: new Date('2026-01-05T08:00:00Z') }, // Mon, 2026-W02
  { id: 'f', time: new Date('2026-01-10T23:00:00Z') }, // Sat, 2026-W02
  { id: 'g', time: new Date('2026-01-31T12:00:00Z') }, // Sat, 2026-W05
  { id: 'h', time: new Date('2026-02-15T12:00:00Z') }, // Sun, 2026-W07
  { id: 'i', time: new Date('2025-12-31T23:59:00Z') }, // Wed, ISO 2026-W01 (!), December 2025
  { id: 'j', time: new Date('2025-06-01T00:00:00Z') }, // Sun, 2025-W22
  { id: 'k', time: new Date('2024-03-03T00:00:00Z') },
];

function kept(policy: RetentionPolicy): string[] {
  return applyRetention(backups, policy).filter((d) => d.keep).map((d) => d.item.id).sort();
}

describe('retention policy (restic forget)', () => {
  it('keep-last N keeps the N newest', () => {
    expect(kept({ last: 2 })).toEqual(['g', 'h']);
    expect(kept({ last: 20 })).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']);
  });

  it('keep-hourly keeps the newest of each hour', () => {
    expect(kept({ hourly: 3 })).toEqual(['f', 'g', 'h']);
    // 2026-01-01: 11:45 (c) and 11:30 (b) share an hour; 10:00 (a) is another hour.
    expect(kept({ hourly: 7 })).toEqual(['a', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('keep-daily keeps the newest of each day', () => {
    expect(kept({ daily: 5 })).toEqual(['d', 'e', 'f', 'g', 'h']);
    expect(kept({ daily: 6 })).toEqual(['c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('keep-weekly uses ISO weeks (31 Dec 2025 is in 2026-W01)', () => {
    expect(kept({ weekly: 3 })).toEqual(['f', 'g', 'h']);
    expect(kept({ weekly: 4 })).toEqual(['d', 'f', 'g', 'h']);
    expect(kept({ weekly: 5 })).toEqual(['d', 'f', 'g', 'h', 'j']);
  });

  it('keep-monthly and keep-yearly', () => {
    expect(kept({ monthly: 3 })).toEqual(['g', 'h', 'i']);
    expect(kept({ yearly: 3 })).toEqual(['h', 'i', 'k']);
    expect(kept({ yearly: 1 })).toEqual(['h']);
  });

  it('combined rules keep the union and name every rule that kept each backup', () => {
    const decisions = applyRetention(backups, { last: 1, daily: 2, monthly: 2, yearly: 3 });
    const reasons = Object.fromEntries(decisions.filter((d) => d.keep).map((d) => [d.item.id, d.reasons]));
    expect(reasons).toEqual({
      h: ['last snapshot', 'daily snapshot', 'monthly snapshot', 'yearly snapshot'],
      g: ['daily snapshot', 'monthly snapshot'],
      i: ['yearly snapshot'],
      k: ['yearly snapshot'],
    });
    expect(decisions.filter((d) => !d.keep).map((d) => d.item.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'j']);
    expect(decisions.filter((d) => !d.keep).every((d) => d.reasons.length === 0)).toBe(true);
  });

  it('returns decisions newest first, whatever the input order', () => {
    const ids = applyRetention([...backups].reverse(), { last: 1 }).map((d) => d.item.id);
    expect(ids).toEqual(['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a', 'i', 'j', 'k']);
  });

  it('an empty policy is refused: no rule would remove everything', () => {
    expect(() => applyRetention(backups, {})).toThrow(/no retention rule given/);
    expect(() => applyRetention(backups, { daily: 0, within: '0d', tags: [] })).toThrow(/no retention rule given/);
  });

  it('ISO weeks at year boundaries', () => {
    expect(isoWeek(new Date('2025-12-29T00:00:00Z'))).toEqual({ year: 2026, week: 1 });
    expect(isoWeek(new Date('2021-01-03T00:00:00Z'))).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(new Date('2026-02-15T23:00:00Z'))).toEqual({ year: 2026, week: 7 });
  });
});

describe('the oldest snapshot and unlimited counts', () => {
  // l shares March 2024 with k and is the oldest of all.
  const withOldest = [...backups, { id: 'l', time: new Date('2024-03-01T00:00:00Z') }];
  const reasonsOf = (policy: RetentionPolicy) => Object.fromEntries(applyRetention(withOldest, policy).filter((d) => d.keep).map((d) => [d.item.id, d.reasons]));

  it('a rule with count left keeps the oldest snapshot even when its period was already kept', () => {
    // monthly: h (Feb 26), g (Jan 26), i (Dec 25), j (Jun 25), k (Mar 24) spend 5 of 6; l is the oldest.
    expect(reasonsOf({ monthly: 6 })).toEqual({ h: ['monthly snapshot'], g: ['monthly snapshot'], i: ['monthly snapshot'], j: ['monthly snapshot'], k: ['monthly snapshot'], l: ['oldest monthly snapshot'] });
    expect(Object.keys(reasonsOf({ monthly: 5 })).sort()).toEqual(['g', 'h', 'i', 'j', 'k']);
  });

  it('-1 keeps the newest of every period, and the oldest', () => {
    const decisions = applyRetention(withOldest, { yearly: -1 });
    expect(Object.fromEntries(decisions.filter((d) => d.keep).map((d) => [d.item.id, d.reasons]))).toEqual({ h: ['yearly snapshot'], i: ['yearly snapshot'], k: ['yearly snapshot'], l: ['oldest yearly snapshot'] });
    expect(decisions.every((d) => d.counters.yearly === -1)).toBe(true);
  });

  it('counters are the budgets left after each snapshot, spent rules left out', () => {
    expect(applyRetention(backups, { last: 2, yearly: 1 }).slice(0, 3).map((d) => d.counters)).toEqual([{ last: 1 }, {}, {}]);
  });
});

describe('within rules count back from the newest snapshot, on the UTC calendar', () => {
  const at = (iso: string, id = iso) => ({ id, time: new Date(iso) });
  const keptIds = (items: { id: string; time: Date }[], policy: RetentionPolicy, now?: Date) =>
    applyRetention(items, policy, now ? { now } : {}).filter((d) => d.keep).map((d) => d.item.id);

  it('relative to the newest snapshot, not to now; the boundary itself is outside', () => {
    const items = [at('2020-05-10T12:00:00Z'), at('2020-05-09T12:00:00Z'), at('2020-05-09T12:00:01Z'), at('2020-05-08T00:00:00Z')];
    expect(keptIds(items, { within: '1d' }, new Date('2026-01-01T00:00:00Z'))).toEqual(['2020-05-10T12:00:00Z', '2020-05-09T12:00:01Z']);
  });

  it('months and days go back by calendar (31 March minus a month is 3 March, as Go\'s AddDate), hours as elapsed time', () => {
    expect(new Date(timeBefore(new Date('2026-03-31T12:00:00Z'), parseDuration('1m', 'test'))).toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(new Date(timeBefore(new Date('2024-02-29T01:00:00Z'), parseDuration('1y2h', 'test'))).toISOString()).toBe('2023-02-28T23:00:00.000Z');
    // Years 0-99 are years, not 1900-1999.
    expect(new Date(timeBefore(new Date('2026-01-01T00:00:00Z'), parseDuration('1950y', 'test'))).getUTCFullYear()).toBe(76);
    expect(timeBefore(new Date('2026-01-01T00:00:00Z'), parseDuration('1000000y', 'test'))).toBe(-Infinity);
    const items = [at('2026-03-31T12:00:00Z'), at('2026-03-03T12:00:00Z'), at('2026-03-03T12:00:00.001Z')];
    expect(keptIds(items, { within: '1m' })).toEqual(['2026-03-31T12:00:00Z', '2026-03-03T12:00:00.001Z']);
  });

  it('a snapshot dated after now does not move the window, but is kept', () => {
    const items = [at('2030-01-01T00:00:00Z', 'future'), at('2026-01-10T00:00:00Z', 'newest'), at('2026-01-05T00:00:00Z', 'week-old')];
    expect(keptIds(items, { within: '7d' }, new Date('2026-01-11T00:00:00Z'))).toEqual(['future', 'newest', 'week-old']);
    expect(keptIds(items, { within: '7d' })).toEqual(['future']);
  });

  it('within-daily keeps the newest of each day inside the window, and the oldest', () => {
    const items = [at('2026-01-10T20:00:00Z', 'a'), at('2026-01-10T08:00:00Z', 'b'), at('2026-01-09T23:59:59Z', 'c'), at('2026-01-09T01:00:00Z', 'd'), at('2026-01-01T00:00:00Z', 'e')];
    const decisions = applyRetention(items, { withinDaily: '2d' });
    expect(decisions.map((d) => [d.item.id, d.reasons])).toEqual([['a', ['daily within 2d']], ['b', []], ['c', ['daily within 2d']], ['d', []], ['e', []]]);
    const all = applyRetention(items.slice(0, 4), { withinDaily: '2d' });
    expect(all.map((d) => d.reasons)).toEqual([['daily within 2d'], [], ['daily within 2d'], ['oldest daily within 2d']]);
  });
});

describe('restic duration syntax', () => {
  it('parses any subset of y, m, d, h; a repeated unit keeps its last value; prints restic\'s order', () => {
    expect(parseDuration('1y2m3d3h', 'x')).toEqual({ years: 1, months: 2, days: 3, hours: 3 });
    expect(formatDuration(parseDuration('1y1d1m', 'x'))).toBe('1y1m1d');
    expect(formatDuration(parseDuration(' 3d1d ', 'x'))).toBe('1d');
    expect(formatDuration(parseDuration('', 'x'))).toBe('');
    expect(formatDuration(parseDuration('0d', 'x'))).toBe('');
  });

  it.each([
    ['1x', /invalid unit "x" after number 1/], ['1', /no unit found after number 1/], ['d', /no number found/],
    ['-1d', /negative/], ['1y 2m', /no number found/], ['99999999999999999999d', /too large/], ['1.5d', /invalid unit "\."/],
  ])('refuses %j', (text, message) => {
    expect(() => parseDuration(text, '--keep-within')).toThrow(UsageError);
    expect(() => parseDuration(text, '--keep-within')).toThrow(message);
  });
});

describe('tags', () => {
  const tagged = [
    { id: 'both', time: new Date('2026-01-04T00:00:00Z'), tags: ['foo', 'bar'] },
    { id: 'foo', time: new Date('2026-01-03T00:00:00Z'), tags: ['foo'] },
    { id: 'bar', time: new Date('2026-01-02T00:00:00Z'), tags: ['bar'] },
    { id: 'none', time: new Date('2026-01-01T00:00:00Z') },
  ];
  const reasonsOf = (tags: string[][]) => applyRetention(tagged, { tags }).map((d) => [d.item.id, d.reasons]);

  it('the tags of one list must all match; several lists: any', () => {
    expect(reasonsOf([['foo', 'bar']])).toEqual([['both', ['has tags [foo, bar]']], ['foo', []], ['bar', []], ['none', []]]);
    expect(reasonsOf([['foo'], ['bar']])).toEqual([['both', ['has tags [foo]', 'has tags [bar]']], ['foo', ['has tags [foo]']], ['bar', ['has tags [bar]']], ['none', []]]);
  });

  it('the empty tag matches snapshots without tags', () => {
    expect(hasTags([], [''])).toBe(true);
    expect(hasTags(['foo'], [''])).toBe(false);
    expect(reasonsOf([['']]).filter(([, reasons]) => reasons.length).map(([id]) => id)).toEqual(['none']);
  });

  it('backup tags: comma lists split, spaces trimmed, empties and duplicates dropped; commas inside or control characters refused', () => {
    expect(snapshotTags(['weekly, legal', 'legal', ''])).toEqual(['weekly', 'legal']);
    expect(() => snapshotTags(['bad\ttag'])).toThrow(/control characters/);
  });
});

describe('policy checks', () => {
  it.each([
    [{ last: -2 }, /--keep-last must be a whole number ≥ 0, or -1/],
    [{ daily: 1.5 }, /--keep-daily must be a whole number/],
    [{ weekly: '4' }, /--keep-weekly must be a whole number/],
    [{ within: 7 }, /--keep-within must be a duration/],
    [{ withinDaily: '7x' }, /--keep-within-daily "7x": invalid unit/],
    [{ tags: [[]] }, /at least one tag/],
    [{ tags: ['foo'] }, /lists of strings/],
    [{ tags: [['a,b']] }, /cannot contain a comma/],
    [{ keepLast: 3 }, /unknown retention rule "keepLast"/],
  ])('refuses %j', (policy, message) => {
    expect(() => checkRetentionPolicy(policy as unknown as RetentionPolicy)).toThrow(UsageError);
    expect(() => checkRetentionPolicy(policy as unknown as RetentionPolicy)).toThrow(message);
  });

  it('gives the canonical form: rules that are off left out, durations as restic prints them', () => {
    expect(checkRetentionPolicy({ last: 0, daily: 7, within: '1d1y', withinHourly: '0h', tags: [['a', 'b']] })).toEqual({ daily: 7, within: '1y1d', tags: [['a', 'b']] });
  });

  it('an item without a valid time is an integrity error, not a silent decision', () => {
    expect(() => applyRetention([{ time: new Date('garbage') }], { last: 1 })).toThrow(IntegrityError);
  });
});
