import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../src/errors';
import { applyRetention, type RetentionPolicy } from '../../src/retention/policy';

/**
 * restic's own golden cases for `forget` (test/fixtures/restic-forget-policy: a verbatim
 * copy of restic's snapshot_policy_test.go and testdata/, see PROVENANCE.md). The snapshot
 * times and the 40 policies are read from the Go source as restic wrote them, the
 * expected kept snapshots, reasons and counters from restic's golden files: nothing here
 * is retyped or computed by the code under test.
 *
 * restic's test parses every time as UTC (parseTimeUTC) and its golden files carry them
 * in UTC ("…Z"), so its periods are UTC periods — the calendar lakevault always uses.
 */
const FIXTURES = join(__dirname, '..', 'fixtures', 'restic-forget-policy');
const source = readFileSync(join(FIXTURES, 'snapshot_policy_test.go'), 'utf8');

interface Snapshot { time: Date; tags?: string[]; paths?: string[] }

/** The body of `var <name> = <type>{ … }`, up to its matching brace. */
function goBlock(name: string): string {
  const start = source.indexOf(`var ${name} =`);
  if (start < 0) throw new Error(`var ${name} not found in snapshot_policy_test.go`);
  const open = source.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    if (source[i] === '{') depth++;
    if (source[i] === '}' && --depth === 0) return source.slice(open + 1, i);
  }
  throw new Error(`var ${name}: unbalanced braces`);
}

/** The top-level `{…}` literals of a Go composite literal's body, comments removed. */
function goElements(body: string): string[] {
  const text = body.replace(/\/\/[^\n]*/g, '');
  const elements: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{' && depth++ === 0) start = i + 1;
    if (text[i] === '}' && --depth === 0) elements.push(text.slice(start, i).trim());
  }
  return elements;
}

const goStrings = (text: string) => [...text.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);

/** Go's time.Parse("2006-01-02 15:04:05", s) (a fraction after the seconds is accepted), in UTC. */
const parseTimeUTC = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

function parseSnapshot(element: string): Snapshot {
  const time = /^Time: parseTimeUTC\("([^"]+)"\)/.exec(element);
  if (!time) throw new Error(`unexpected snapshot literal: ${element}`);
  const rest = element.slice(time[0].length).trim();
  const fields = /^(?:, Tags: \[\]string\{([^}]*)\})?(?:, Paths: \[\]string\{([^}]*)\})?$/.exec(rest);
  if (!fields) throw new Error(`unexpected snapshot fields: ${rest}`);
  return { time: parseTimeUTC(time[1]!), ...(fields[1] !== undefined ? { tags: goStrings(fields[1]) } : {}), ...(fields[2] !== undefined ? { paths: goStrings(fields[2]) } : {}) };
}

/** restic's ExpirePolicy field → lakevault's rule. Any other field fails the test. */
const COUNT_FIELDS: Record<string, keyof RetentionPolicy> = { Last: 'last', Hourly: 'hourly', Daily: 'daily', Weekly: 'weekly', Monthly: 'monthly', Yearly: 'yearly' };
const DURATION_FIELDS: Record<string, keyof RetentionPolicy> = {
  Within: 'within', WithinHourly: 'withinHourly', WithinDaily: 'withinDaily', WithinWeekly: 'withinWeekly', WithinMonthly: 'withinMonthly', WithinYearly: 'withinYearly',
};

function parsePolicy(element: string): RetentionPolicy {
  const policy: Record<string, unknown> = {};
  let rest = element.replace(/\s+/g, ' ').trim();
  while (rest !== '') {
    const count = /^(\w+): (-?\d+),? ?/.exec(rest);
    const duration = /^(\w+): data\.ParseDurationOrPanic\("([^"]*)"\),? ?/.exec(rest);
    const tags = /^Tags: \[\]data\.TagList\{((?:\{[^}]*\},? ?)*)\},? ?/.exec(rest);
    if (count && COUNT_FIELDS[count[1]!]) policy[COUNT_FIELDS[count[1]!]!] = Number(count[2]);
    else if (duration && DURATION_FIELDS[duration[1]!]) policy[DURATION_FIELDS[duration[1]!]!] = duration[2];
    else if (tags) policy.tags = [...tags[1]!.matchAll(/\{([^}]*)\}/g)].map((list) => goStrings(list[1]!));
    else throw new Error(`unexpected policy field: ${rest}`);
    rest = rest.slice((count ?? duration ?? tags)![0].length);
  }
  return policy as RetentionPolicy;
}

interface Golden {
  keep: { time: string; tags?: string[]; paths?: string[] | null }[] | null;
  reasons?: { snapshot: { time: string }; matches: string[]; counters: Record<string, number> }[];
}

const golden = (n: number): Golden => JSON.parse(readFileSync(join(FIXTURES, 'testdata', `policy_keep_snapshots_${n}`), 'utf8')) as Golden;

/** A snapshot as restic's golden files identify it: time, tags, paths (several are identical). */
const identity = (s: { time: Date | string; tags?: string[] | null | undefined; paths?: string[] | null | undefined }) =>
  JSON.stringify([new Date(s.time).toISOString(), s.tags ?? [], s.paths ?? []]);

const snapshots = goElements(goBlock('testExpireSnapshots')).map(parseSnapshot);
const policies = goElements(goBlock('tests')).map(parsePolicy);

describe("restic's forget test cases", () => {
  it('reads all of restic\'s snapshots and its 40 policies', () => {
    expect(snapshots).toHaveLength((source.match(/\{Time: parseTimeUTC\(/g) ?? []).length);
    expect(snapshots.length).toBeGreaterThan(90);
    expect(policies).toHaveLength(40);
    expect(snapshots.filter((s) => s.tags).length).toBeGreaterThan(0);
  });

  it('case 0, the empty policy, is refused: restic\'s ApplyPolicy would keep nothing', () => {
    expect(policies[0]).toEqual({});
    expect(golden(0).keep).toBeNull();
    expect(() => applyRetention(snapshots, policies[0]!)).toThrow(UsageError);
    expect(() => applyRetention(snapshots, policies[0]!)).toThrow(/no retention rule given/);
  });

  it.each(policies.map((policy, n) => [n, JSON.stringify(policy), policy] as const).slice(1))('case %i %s: the same snapshots kept, for the same reasons', (n, _label, policy) => {
    const expected = golden(n);
    const decisions = applyRetention(snapshots, policy);
    expect(decisions).toHaveLength(snapshots.length);
    const kept = decisions.filter((d) => d.keep);
    expect(kept.map((d) => identity(d.item))).toEqual((expected.keep ?? []).map(identity));
    expect(kept.map((d) => ({ time: d.item.time.toISOString(), matches: d.reasons, counters: d.counters })))
      .toEqual((expected.reasons ?? []).map((r) => ({ time: new Date(r.snapshot.time).toISOString(), matches: r.matches, counters: r.counters })));
    expect(decisions.filter((d) => !d.keep).every((d) => d.reasons.length === 0)).toBe(true);
  });
});
