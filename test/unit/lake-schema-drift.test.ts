import { analyzeSchemas, widens } from '../../src/lake/schema-drift';

const f = (name: string, type: string, nullable = true) => ({ name, type, nullable });

describe('schema drift across the files of a table', () => {
  it('reports nothing when all files agree', () => {
    const schema = [f('id', 'Int64'), f('total', 'Float64')];
    const result = analyzeSchemas([{ key: 'a', schema }, { key: 'b', schema }]);
    expect(result).toEqual({ schema, drift: [], differing: new Map() });
  });

  it('reports a column added later and names the files without it', () => {
    const old = [f('id', 'Int64'), f('total', 'Float64')];
    const added = [f('id', 'Int64'), f('total', 'Float64'), f('desconto', 'Float64')];
    const result = analyzeSchemas([{ key: 'p1', schema: old }, { key: 'p2', schema: old }, { key: 'p3', schema: added }]);
    expect(result.schema).toEqual([...old, f('desconto', 'Float64')]);
    expect(result.drift).toEqual([expect.objectContaining({ change: 'added', field: 'desconto', files: ['p1', 'p2'] })]);
    expect(result.drift[0]!.message).toBe('column "desconto" (Float64) is in 1 of 3 files; missing from p1, p2');
    expect([...result.differing.keys()]).toEqual(['p1', 'p2']);
  });

  it('reports a widened type with the widest as the table type', () => {
    const result = analyzeSchemas([
      { key: 'old', schema: [f('id', 'Int64'), f('quantidade', 'Int32')] },
      { key: 'new', schema: [f('id', 'Int64'), f('quantidade', 'Int64')] },
      { key: 'newer', schema: [f('id', 'Int64'), f('quantidade', 'Int64')] },
    ]);
    expect(result.schema).toEqual([f('id', 'Int64'), f('quantidade', 'Int64')]);
    expect(result.drift).toEqual([expect.objectContaining({ change: 'widened', field: 'quantidade', types: ['Int32', 'Int64'], files: ['old'] })]);
    expect([...result.differing.keys()]).toEqual(['old']);
  });

  it('says when types cannot be reconciled', () => {
    const result = analyzeSchemas([{ key: 'a', schema: [f('x', 'Utf8')] }, { key: 'b', schema: [f('x', 'Int32')] }]);
    expect(result.drift).toEqual([expect.objectContaining({ change: 'incompatible', field: 'x' })]);
  });

  it('knows which types widen', () => {
    expect(widens('Int32', 'Int64')).toBe(true);
    expect(widens('Int64', 'Int32')).toBe(false);
    expect(widens('Uint32', 'Int64')).toBe(true);
    expect(widens('Int32', 'Uint64')).toBe(false);
    expect(widens('Float32', 'Float64')).toBe(true);
    expect(widens('Int32', 'Float64')).toBe(true);
    expect(widens('Int64', 'Float64')).toBe(false);
    expect(widens('Decimal[10e+2]', 'Decimal[12e+2]')).toBe(true);
    expect(widens('Decimal[10e+2]', 'Decimal[10e+3]')).toBe(false);
    expect(widens('Int32', 'Decimal[10e+0]')).toBe(true); // 2,147,483,647 has 10 digits
    expect(widens('Int32', 'Decimal[9e+0]')).toBe(false);
    expect(widens('Int64', 'Decimal[20e+1]')).toBe(false);
    expect(widens('Date32<DAY>', 'Timestamp<MICROSECOND>')).toBe(true);
    expect(widens('Utf8', 'Int64')).toBe(false);
  });
});
