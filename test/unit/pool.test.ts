import { runPool } from '../../src/util/pool';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('runPool', () => {
  it('runs every item once, never more than `concurrency` at a time', async () => {
    let active = 0;
    let peak = 0;
    const seen: number[] = [];
    await runPool(Array.from({ length: 50 }, (_, i) => i), 4, async (item) => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      seen.push(item);
      active--;
    });
    expect(peak).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('passes the index of each item', async () => {
    const pairs: [string, number][] = [];
    await runPool(['a', 'b', 'c'], 2, async (item, index) => { pairs.push([item, index]); });
    expect(pairs.sort()).toEqual([['a', 0], ['b', 1], ['c', 2]]);
  });

  it('consumes an async iterable lazily: never more than `concurrency` items pulled ahead of the work', async () => {
    let pulled = 0;
    let finished = 0;
    let maxAhead = 0;
    async function* listing() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - finished);
        yield i;
      }
    }
    await runPool(listing(), 3, async () => { await tick(); finished++; });
    expect(pulled).toBe(100);
    expect(finished).toBe(100);
    expect(maxAhead).toBeLessThanOrEqual(3);
  });

  it('does not call an async iterator concurrently', async () => {
    let inside = 0;
    let overlapped = false;
    const iterator: AsyncIterableIterator<number> = {
      i: 0,
      async next() {
        inside++;
        if (inside > 1) overlapped = true;
        await tick();
        inside--;
        const value = (this as unknown as { i: number }).i++;
        return value < 20 ? { value, done: false } : { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return this; },
    } as unknown as AsyncIterableIterator<number>;
    let count = 0;
    await runPool(iterator, 8, async () => { count++; });
    expect(count).toBe(20);
    expect(overlapped).toBe(false);
  });

  it('stops starting work after the first failure, lets in-flight work settle, then rethrows it', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    let closed = false;
    async function* listing() {
      try {
        for (let i = 0; i < 1000; i++) yield i;
      } finally {
        closed = true;
      }
    }
    await expect(runPool(listing(), 4, async (item) => {
      started.push(item);
      await tick();
      if (item === 5) throw new Error('boom at 5');
      await tick();
      settled.push(item);
    })).rejects.toThrow('boom at 5');
    expect(started.length).toBeLessThan(20);
    // Every started item other than the failed one finished before runPool returned.
    expect(settled.sort((a, b) => a - b)).toEqual(started.filter((i) => i !== 5).sort((a, b) => a - b));
    expect(closed).toBe(true); // the listing was closed, not left hanging
  });

  it('a failing listing fails the pool', async () => {
    async function* broken() { yield 1; throw new Error('listing failed'); }
    await expect(runPool(broken(), 2, async () => undefined)).rejects.toThrow('listing failed');
  });

  it('an empty input does nothing; concurrency below 1 still makes progress', async () => {
    const seen: number[] = [];
    await runPool([], 4, async (item: number) => { seen.push(item); });
    await runPool([1, 2], 0, async (item) => { seen.push(item); });
    await runPool([3], Number.NaN, async (item) => { seen.push(item); });
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('runPool never starts more lanes than it has items', () => {
  it('a concurrency of 100,000 over three items pulls at most six times', async () => {
    let pulls = 0;
    const iterator = {
      i: 0,
      async next() {
        pulls++;
        return this.i < 3 ? { value: this.i++, done: false as const } : { value: undefined, done: true as const };
      },
      [Symbol.asyncIterator]() { return this; },
    };
    const seen: number[] = [];
    await runPool(iterator as AsyncIterable<number>, 100_000, async (item) => { seen.push(item); });
    expect(seen.sort()).toEqual([0, 1, 2]);
    // Each lane pulls once more after its last item at most: lanes ≤ items.
    expect(pulls).toBeLessThanOrEqual(3 + 3);
  });

  it('an array of five with concurrency 1,000: at most five in flight, each item once', async () => {
    let active = 0;
    let peak = 0;
    await runPool([1, 2, 3, 4, 5], 1_000, async () => { active++; peak = Math.max(peak, active); await tick(); active--; });
    expect(peak).toBe(5);
  });
});
