import { checkTarget, planCompaction, targetRowsFor, type CompactInput } from '../../src/compact/plan';

function file(relativeKey: string, rows: number, size = rows * 10): CompactInput {
  return { relativeKey, bucket: 'b', key: `t/${relativeKey}`, size, etag: `e-${relativeKey}`, rows };
}

describe('compaction plan', () => {
  it('merges the small files of each directory into as few files of the target as hold their rows, spread evenly, named by generation', () => {
    const files = Array.from({ length: 10 }, (_, i) => file(`data/part-0000${i}-old.parquet`, 1_000));
    const plan = planCompaction(files, { rows: 4_000 }, 'G');
    expect(plan.kept).toEqual([]);
    expect(plan.groups).toEqual([{
      directory: 'data/', inputs: files, rows: 10_000, bytes: 100_000, targetRows: 4_000,
      outputs: [['data/part-00000-G.parquet', 3_334], ['data/part-00001-G.parquet', 3_333], ['data/part-00002-G.parquet', 3_333]].map(([relativeKey, rows]) => ({ relativeKey, rows })),
    }]);
  });

  it('keeps partitions apart and their directory names byte for byte; leaves large files and lone files alone', () => {
    const files = [
      file('categoria=Caf%C3%A9 ☕/a.parquet', 100), file('categoria=Caf%C3%A9 ☕/b.parquet', 100), file('categoria=Caf%C3%A9 ☕/big.parquet', 900),
      file('categoria=a%3Db/only.parquet', 10),
      file('categoria=100%25 Algodão/x.parquet', 5), file('categoria=100%25 Algodão/y.parquet', 5),
    ];
    const plan = planCompaction(files, { rows: 1_000 }, 'G');
    expect(plan.groups.map((g) => [g.directory, g.inputs.map((i) => i.relativeKey), g.outputs.map((o) => o.relativeKey)])).toEqual([
      ['categoria=100%25 Algodão/', ['categoria=100%25 Algodão/x.parquet', 'categoria=100%25 Algodão/y.parquet'], ['categoria=100%25 Algodão/part-00000-G.parquet']],
      ['categoria=Caf%C3%A9 ☕/', ['categoria=Caf%C3%A9 ☕/a.parquet', 'categoria=Caf%C3%A9 ☕/b.parquet'], ['categoria=Caf%C3%A9 ☕/part-00000-G.parquet']],
    ]);
    // 900 rows is 90 % of the target: large enough. A lone file has nothing to merge with.
    expect(plan.kept.map((f) => f.relativeKey).sort()).toEqual(['categoria=Caf%C3%A9 ☕/big.parquet', 'categoria=a%3Db/only.parquet']);
  });

  it('changes nothing the second time: the files it made are large enough or would not become fewer', () => {
    const files = Array.from({ length: 15 }, (_, i) => file(`data/p${i}.parquet`, 1_000));
    const first = planCompaction(files, { rows: 10_000 }, 'G1');
    expect(first.groups[0]!.outputs.map((o) => o.rows)).toEqual([7_500, 7_500]);
    const again = planCompaction(first.groups[0]!.outputs.map((o) => file(o.relativeKey, o.rows)), { rows: 10_000 }, 'G2');
    expect(again.groups).toEqual([]);
  });

  it('turns a size in MB into rows at the bytes per row the files have, capped at 2,000,000', () => {
    expect(targetRowsFor({ fileMb: 1 }, 10_000, 1024 * 1024 / 10)).toBe(100_000);
    expect(targetRowsFor({ fileMb: 4096 }, 1_000, 1_000)).toBe(2_000_000);
    expect(targetRowsFor({ rows: 12 }, 1, 1)).toBe(12);
  });

  it('refuses keys that leave the table prefix, and targets out of range', () => {
    for (const key of ['../other/x.parquet', 'data/../../x.parquet', 'data//x.parquet', './x.parquet', '']) {
      expect(() => planCompaction([file(key, 1), file('data/y.parquet', 1)], { rows: 10 }, 'G')).toThrow(/^refusing to compact: key ".*" leaves the table prefix: it (has a|is empty)/);
    }
    expect(() => checkTarget({ rows: 0 })).toThrow(/--target-rows must be a whole number from 1 to 2,000,000, got 0/);
    expect(() => checkTarget({ rows: 5, fileMb: 5 })).toThrow(/give one/);
    expect(() => checkTarget({ fileMb: 0.5 })).toThrow(/--target-file-mb must be a whole number/);
    expect(checkTarget({})).toEqual({ rows: 1_000_000 });
  });
});
