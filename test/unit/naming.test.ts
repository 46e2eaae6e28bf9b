import { checkTableName, newId } from '../../src/table/naming';
import { resolveTable } from '../../src/table/table-ref';
import { UsageError } from '../../src/errors';

describe('table names', () => {
  it.each(['vendas', 'Sales_2024', 'a', 'v1.2-final', 'x'.repeat(128)])('accepts %j', (name) => {
    expect(checkTableName(name)).toBe(name);
  });
  it.each(['', '../etc', 'a/b', '.hidden', '-flag', 'a..b', 'with space', 'x'.repeat(129), 'ção'])('rejects %j', (name) => {
    expect(() => checkTableName(name)).toThrow(UsageError);
  });
});

describe('resolveTable', () => {
  const config = { warehouse: { bucket: 'lake', prefix: 'warehouse/' } };
  it('a name lives under the warehouse', () => {
    expect(resolveTable(config, 'vendas')).toEqual({ name: 'vendas', location: { bucket: 'lake', prefix: 'warehouse/vendas/' }, uri: 's3://lake/warehouse/vendas/' });
  });
  it('an s3:// URI is used as it is and named after its last segment', () => {
    expect(resolveTable(config, 's3://other/x/y')).toEqual({ name: 'y', location: { bucket: 'other', prefix: 'x/y/' }, uri: 's3://other/x/y/' });
    expect(resolveTable(config, 's3://other').name).toBe('other');
  });
  it('a bad name is a usage error', () => {
    expect(() => resolveTable(config, '../x')).toThrow(UsageError);
  });
});

describe('newId', () => {
  it('is a UTC timestamp plus a random suffix', () => {
    expect(newId(new Date(Date.UTC(2026, 10, 29, 3, 15, 0, 123)))).toMatch(/^20261129T031500\.123Z-[0-9a-f]{6}$/);
  });
  it('sorts by time as text', () => {
    const earlier = newId(new Date(Date.UTC(2026, 0, 9, 23, 59, 59)));
    const later = newId(new Date(Date.UTC(2026, 0, 10, 0, 0, 0)));
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });
  it('two ids made in the same second differ', () => {
    const now = new Date();
    const ids = new Set(Array.from({ length: 200 }, () => newId(now)));
    expect(ids.size).toBe(200);
  });
});
