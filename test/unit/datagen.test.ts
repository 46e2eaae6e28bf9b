import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { generateSalesBatch, salesBatches, SALES_SCHEMA, _test } from '../../src/datagen/sales';

/** Rows as plain objects (bigint ids as numbers, dates as day numbers). */
function rows(table: Table): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const columns = SALES_SCHEMA.fields.map((f) => table.getChild(f.name)!);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    SALES_SCHEMA.fields.forEach((field, c) => {
      const value = columns[c]!.get(i);
      row[field.name] = typeof value === 'bigint' ? Number(value) : value;
    });
    out.push(row);
  }
  return out;
}

function concatenated(batches: Iterable<Table>): Record<string, unknown>[] {
  return [...batches].flatMap(rows);
}

describe('sales generator', () => {
  it('has the seed\'s columns', () => {
    expect(SALES_SCHEMA.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:Int64', 'data_venda:Date32<DAY>', 'categoria:Utf8', 'produto:Utf8', 'quantidade:Int32', 'preco_unitario:Float64', 'total:Float64',
    ]);
  });

  it('is deterministic across batch sizes: rows are a function of (seed, id)', () => {
    const whole = rows(generateSalesBatch(42, 1, 5000));
    expect(concatenated(salesBatches(42, 5000, 333))).toEqual(whole);
    expect(concatenated(salesBatches(42, 5000, 1))).toEqual(whole);
    expect(rows(generateSalesBatch(42, 1001, 10))).toEqual(whole.slice(1000, 1010));
  });

  it('the same seed gives the same rows, another seed other rows', () => {
    expect(rows(generateSalesBatch(7, 1, 200))).toEqual(rows(generateSalesBatch(7, 1, 200)));
    const a = rows(generateSalesBatch(7, 1, 200));
    const b = rows(generateSalesBatch(8, 1, 200));
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    expect(a.filter((r, i) => r.produto !== b[i]!.produto).length).toBeGreaterThan(150);
  });

  it('ids run 1..N in order; batches cover the rows exactly once', () => {
    const batches = [...salesBatches(1, 1000, 300)];
    expect(batches.map((b) => b.numRows)).toEqual([300, 300, 300, 100]);
    expect(concatenated(batches).map((r) => r.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('total = quantidade × preco_unitario exactly to the cent, prices in whole cents', () => {
    for (const row of rows(generateSalesBatch(3, 1, 20_000))) {
      const priceCents = Math.round((row.preco_unitario as number) * 100);
      expect(Math.abs(priceCents - (row.preco_unitario as number) * 100)).toBeLessThan(1e-6);
      expect(Math.round((row.total as number) * 100)).toBe((row.quantidade as number) * priceCents);
      expect(row.total).toBe(((row.quantidade as number) * priceCents) / 100);
      expect(row.quantidade).toBeGreaterThanOrEqual(1);
      expect(row.quantidade).toBeLessThanOrEqual(10);
    }
  });

  it('spreads dates over 2023-01-01..2024-12-31, ~8 categories and a few hundred products', () => {
    const sample = rows(generateSalesBatch(42, 1, 50_000));
    const days = sample.map((r) => r.data_venda as number);
    const first = Date.UTC(2023, 0, 1);
    const last = Date.UTC(2024, 11, 31);
    // apache-arrow returns DateDay values as epoch milliseconds.
    expect(Math.min(...days)).toBe(first);
    expect(Math.max(...days)).toBe(last);
    expect(new Set(sample.map((r) => r.categoria)).size).toBe(8);
    const products = new Set(sample.map((r) => `${r.categoria}/${r.produto}`));
    expect(products.size).toBe(_test.PRODUCTS.length);
    expect(products.size).toBeGreaterThanOrEqual(200);
    expect(products.size).toBeLessThanOrEqual(500);
    // Every product keeps one price.
    const prices = new Map<string, Set<number>>();
    for (const r of sample) {
      const key = `${r.categoria}/${r.produto}`;
      prices.set(key, (prices.get(key) ?? new Set()).add(r.preco_unitario as number));
    }
    expect([...prices.values()].every((set) => set.size === 1)).toBe(true);
  });

  it('produces valid Arrow data that survives IPC', () => {
    const table = generateSalesBatch(5, 1, 1234);
    const copy = tableFromIPC(tableToIPC(table, 'stream'));
    expect(rows(copy)).toEqual(rows(table));
  });
});
