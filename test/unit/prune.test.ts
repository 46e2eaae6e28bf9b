import { applyRetention, isoWeek, type RetentionPolicy } from '../../src/retention/policy';

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
      h: ['last', 'daily', 'monthly', 'yearly'],
      g: ['daily', 'monthly'],
      i: ['yearly'],
      k: ['yearly'],
    });
    expect(decisions.filter((d) => !d.keep).map((d) => d.item.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'j']);
    expect(decisions.filter((d) => !d.keep).every((d) => d.reasons.length === 0)).toBe(true);
  });

  it('returns decisions newest first, whatever the input order', () => {
    const ids = applyRetention([...backups].reverse(), { last: 1 }).map((d) => d.item.id);
    expect(ids).toEqual(['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a', 'i', 'j', 'k']);
  });

  it('an empty policy removes nothing', () => {
    expect(applyRetention(backups, {}).every((d) => d.keep)).toBe(true);
    expect(applyRetention(backups, { daily: 0 }).every((d) => d.keep)).toBe(true);
  });

  it('ISO weeks at year boundaries', () => {
    expect(isoWeek(new Date('2025-12-29T00:00:00Z'))).toEqual({ year: 2026, week: 1 });
    expect(isoWeek(new Date('2021-01-03T00:00:00Z'))).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(new Date('2026-02-15T23:00:00Z'))).toEqual({ year: 2026, week: 7 });
  });
});
