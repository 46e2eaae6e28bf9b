import { bagDifference, KeyCounts, KeyPartitions } from '../../src/diff/keys';

/** A deterministic stream of 32-bit values. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) | 0;
  };
}

/** Keys of side A and B: most shared, some only on one side, duplicates on both. */
function sides(n: number): { a: [number, number][]; b: [number, number][] } {
  const next = random(n);
  const shared = Array.from({ length: n }, () => [next(), next()] as [number, number]);
  const a = [...shared, ...Array.from({ length: n / 50 }, () => [next(), next()] as [number, number]), shared[3]!, shared[3]!, shared[7]!];
  const b = [...shared.slice(n / 100), ...Array.from({ length: n / 40 }, () => [next(), next()] as [number, number]), shared[3]!, shared[9]!, shared[9]!];
  return { a, b };
}

/** EXCEPT ALL both ways, the obvious way: counts of each key as text. */
function reference(a: [number, number][], b: [number, number][]): { removed: string[]; added: string[] } {
  const counts = new Map<string, number>();
  for (const [x, y] of a) counts.set(`${x},${y}`, (counts.get(`${x},${y}`) ?? 0) + 1);
  for (const [x, y] of b) counts.set(`${x},${y}`, (counts.get(`${x},${y}`) ?? 0) - 1);
  const removed: string[] = [];
  const added: string[] = [];
  for (const [key, count] of counts) for (let i = 0; i < Math.abs(count); i++) (count > 0 ? removed : added).push(key);
  return { removed: removed.sort(), added: added.sort() };
}

function pairsToText(pairs: Int32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push(`${pairs[i]},${pairs[i + 1]}`);
  return out;
}

function throughPartitions(a: [number, number][], b: [number, number][], partitions: number, budgetBytes: number) {
  const keys = new KeyPartitions(partitions, budgetBytes);
  try {
    // Fed in batches, as the row readers hand them over.
    for (const [side, list] of [[0, a], [1, b]] as const) {
      for (let at = 0; at < list.length; at += 1000) {
        const batch = list.slice(at, at + 1000);
        keys.add(side, Int32Array.from(batch.map((k) => k[0])), Int32Array.from(batch.map((k) => k[1])));
      }
    }
    const removed: string[] = [];
    const added: string[] = [];
    for (let p = 0; p < keys.count; p++) {
      const [x, y] = keys.take(p);
      const difference = bagDifference(x, y);
      removed.push(...pairsToText(difference.removed));
      added.push(...pairsToText(difference.added));
    }
    return { removed: removed.sort(), added: added.sort(), spilledBytes: keys.spilledBytes, count: keys.count, keys: [...keys.keys] };
  } finally {
    keys.close();
  }
}

describe('row keys by hash partition', () => {
  const { a, b } = sides(50_000);
  const expected = reference(a, b);

  it('give EXCEPT ALL both ways, duplicates counted (a bag, as SQL)', () => {
    expect(expected.removed.length).toBeGreaterThan(1000);
    expect(expected.added.length).toBeGreaterThan(1000);
    const result = throughPartitions(a, b, 64, 1 << 30);
    expect({ removed: result.removed, added: result.added }).toEqual(expected);
    expect(result).toMatchObject({ spilledBytes: 0, count: 64, keys: [a.length, b.length] });
  });

  it('spilled to disk past the budget, give the same answer', () => {
    const result = throughPartitions(a, b, 16, 256 * 1024);
    expect(result.spilledBytes).toBeGreaterThan(0);
    expect({ removed: result.removed, added: result.added }).toEqual(expected);
  });

  it('in one partition (no split at all), give the same answer', () => {
    const result = throughPartitions(a, b, 1, 1 << 30);
    expect(result.count).toBe(1);
    expect({ removed: result.removed, added: result.added }).toEqual(expected);
  });
});

describe('KeyCounts', () => {
  it('gives each key as many times as it was counted, and lookups step over keys taken to zero', () => {
    // Same lane b: every key lands in the same slot and probes past the others.
    const pairs = Int32Array.from([1, 16, 2, 16, 2, 16, 3, 16]);
    const counts = new KeyCounts(pairs);
    expect(counts.take(1, 16)).toBe(true);
    expect(counts.take(1, 16)).toBe(false);
    expect(counts.take(2, 16)).toBe(true);
    expect(counts.take(3, 16)).toBe(true);
    expect(counts.take(2, 16)).toBe(true);
    expect(counts.take(2, 16)).toBe(false);
    expect(counts.take(4, 16)).toBe(false);
    expect(counts.size).toBe(0);
  });
});
