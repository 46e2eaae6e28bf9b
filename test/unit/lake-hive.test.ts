import { escapePathName, parsePartitionPath, summarizePartitions, unescapePathName } from '../../src/lake/hive';

const VALUES = ['Eletrônicos & Cia', 'Casa+Jardim', '100% Algodão', 'Café ☕', 'a=b', 'dois  espaços', 'x/y', 'q?#:*'];

describe('Hive partition values', () => {
  it('decodes the paths DuckDB writes (UTF-8 percent-encoding of every special byte)', () => {
    // As written by DuckDB 1.5 COPY ... PARTITION_BY (categoria)
    const written: Record<string, string> = {
      'categoria=Eletr%C3%B4nicos%20%26%20Cia': 'Eletrônicos & Cia',
      'categoria=Casa%2BJardim': 'Casa+Jardim',
      'categoria=100%25%20Algod%C3%A3o': '100% Algodão',
      'categoria=Caf%C3%A9%20%E2%98%95': 'Café ☕',
      'categoria=a%3Db': 'a=b',
      'categoria=dois%20%20espa%C3%A7os': 'dois  espaços',
    };
    for (const [dir, value] of Object.entries(written)) {
      expect(parsePartitionPath(`${dir}/data_0.parquet`)).toEqual([{ column: 'categoria', value, segment: dir }]);
    }
  });

  it('decodes the paths Hive and Spark write (ASCII specials escaped, unicode and "+" raw)', () => {
    for (const value of VALUES) {
      const segment = `categoria=${escapePathName(value)}`;
      expect(parsePartitionPath(`${segment}/part-0.parquet`)[0]!.value).toBe(value);
    }
    expect(escapePathName('Casa+Jardim')).toBe('Casa+Jardim');
    expect(escapePathName('100% Algodão')).toBe('100%25 Algodão');
    expect(escapePathName('a=b')).toBe('a%3Db');
    expect(escapePathName('Café ☕ & #1')).toBe('Café ☕ & %231');
  });

  it('never turns "+" into a space and keeps a lone "%" as it is', () => {
    expect(unescapePathName('Casa+Jardim')).toBe('Casa+Jardim');
    expect(unescapePathName('100% off')).toBe('100% off');
    expect(unescapePathName('50%')).toBe('50%');
    expect(unescapePathName('%E9t%E9')).toBe('été'); // Latin-1 bytes that are not UTF-8
  });

  it('reads several levels, skips non-partition directories, and maps the default partition to null', () => {
    expect(parsePartitionPath('data/ano=2024/mes=__HIVE_DEFAULT_PARTITION__/part-0.parquet')).toEqual([
      { column: 'ano', value: '2024', segment: 'ano=2024' },
      { column: 'mes', value: null, segment: 'mes=__HIVE_DEFAULT_PARTITION__' },
    ]);
    expect(parsePartitionPath('part-0.parquet')).toEqual([]);
    expect(parsePartitionPath('x=1.parquet')).toEqual([]); // a file name is not a directory
  });

  it('summarises columns, distinct values and files that break the layout', () => {
    const summary = summarizePartitions([
      'ano=2024/mes=1/a.parquet', 'ano=2024/mes=2/b.parquet', 'ano=2023/mes=12/c.parquet', 'ano=2023/mes=12/d.parquet', 'stray.parquet',
    ]);
    expect(summary.columns).toEqual(['ano', 'mes']);
    expect(summary.values).toEqual({ ano: ['2023', '2024'], mes: ['1', '12', '2'] });
    expect(summary.partitions).toBe(3);
    expect(summary.inconsistent).toEqual([{ key: 'stray.parquet', columns: [] }]);
  });
});
