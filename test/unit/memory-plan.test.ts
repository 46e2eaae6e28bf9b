import type { ColumnChunkLayout, RowGroupLayout } from '../../src/parquet/file-layout';
import { batchRowsFor, decodeBudget, planFetches, refusal } from '../../src/validate/worker/memory-plan';

const MB = 1024 * 1024;

function chunk(name: string, start: number, compressed: number, uncompressed: number, values = 1_000): ColumnChunkLayout {
  return {
    leaf: { name, topLevel: name.split('.')[0]!, physicalType: 'BYTE_ARRAY', maxRepetition: 0, maxDefinition: 1 },
    start, end: start + compressed, uncompressed, values, codec: 'ZSTD', hasDictionary: false,
  };
}

function group(chunks: ColumnChunkLayout[], rows = 1_000): RowGroupLayout {
  return { index: 3, rows, chunks, compressed: 0, uncompressed: 0 };
}

describe('the decode memory plan', () => {
  it('shares the budget between the workers, after what the main thread and each worker need', () => {
    const budget = decodeBudget(600, 2);
    expect(budget.perWorkerBytes / MB).toBeCloseTo(160, 0);
    expect(budget.wasmCeilingBytes / MB).toBeCloseTo(120, 0);
    expect(budget.prefetchBytes / MB).toBeCloseTo(40, 0);
    expect(decodeBudget(600, 1).perWorkerBytes / MB).toBeCloseTo(352, 0);
    expect(() => decodeBudget(250, 2)).toThrow('a memory budget of 250 MB is too small for 2 decode worker(s): at least 320 MB (or fewer workers)');
  });

  it('fetches a row group whole when it fits, else column by column, and refuses a column that cannot fit', () => {
    const budget = decodeBudget(600, 2);
    const small = planFetches(group([chunk('a', 4, 10 * MB, 20 * MB), chunk('b', 4 + 10 * MB, 10 * MB, 20 * MB)]), budget);
    expect(small).toEqual({ kind: 'steps', steps: [expect.objectContaining({ start: 4, end: 4 + 20 * MB })] });
    expect(small.kind === 'steps' && small.steps[0]!.columns).toBeUndefined();
    // Two 30 MB columns: 60 MB together, more than the 40 MB fetched ahead; one at a time fits.
    const wide = planFetches(group([chunk('a', 4, 30 * MB, 60 * MB), chunk('s.x', 4 + 30 * MB, 15 * MB, 20 * MB), chunk('s.y', 4 + 45 * MB, 15 * MB, 20 * MB)]), budget);
    expect(wide.kind === 'steps' && wide.steps.map((step) => step.columns)).toEqual([['a'], ['s']]);
    const huge = planFetches(group([chunk('a', 4, 10 * MB, 20 * MB), chunk('blob', 4 + 10 * MB, 50 * MB, 90 * MB)]), budget);
    expect(huge).toEqual({ kind: 'refused', message: 'row group 3 column "blob": 50.0 MB compressed (90.0 MB uncompressed) cannot be held within the decode budget (40.0 MB of fetched bytes per worker, of 600 MB in all)' });
  });

  it('sizes batches by the bytes of a row, and refuses a page larger than the decoder may hold', () => {
    const budget = decodeBudget(600, 2);
    const narrow = [chunk('a', 4, MB, 8 * MB, 1_000_000)];
    expect(batchRowsFor(narrow, [MB], 1_000_000, 65_536, budget)).toBe(65_536);
    // 1 MB a row: a few dozen rows a batch.
    const wide = [chunk('a', 4, 10 * MB, 1_000 * MB, 1_000)];
    const rows = batchRowsFor(wide, [4 * MB], 1_000, 65_536, budget)!;
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(60);
    const pages = [1_024 * MB];
    const giant = [chunk('m.key', 4, 4_000, 2_048 * MB, 2)];
    expect(batchRowsFor(giant, pages, 2, 65_536, budget)).toBeUndefined();
    expect(refusal(0, giant, pages, 2, budget)).toBe('row group 0 column "m.key": 2,048 MB uncompressed (3.9 KB compressed, largest page 1,024 MB, 2 rows) cannot be decoded within the decode budget (120 MB of decoder memory per worker, of 600 MB in all)');
  });
});
