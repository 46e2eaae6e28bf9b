import { generationKey } from '../../src/sources/lakevault/keys';
import { idTime, isSnapshotId } from '../../src/snapshot/repository';
import { newId } from '../../src/table/naming';

describe('snapshot ids and restored keys', () => {
  it('ids are sortable UTC timestamps with a suffix, and parse back', () => {
    const id = newId(new Date('2026-11-29T03:15:00.250Z'));
    expect(isSnapshotId(id)).toBe(true);
    expect(idTime(id).toISOString()).toBe('2026-11-29T03:15:00.250Z');
    // ids written before they carried milliseconds still parse
    expect(idTime('20261129T031500Z-a1b2c3').toISOString()).toBe('2026-11-29T03:15:00.000Z');
    expect(isSnapshotId('20261129T031500Z')).toBe(false);
    expect(isSnapshotId('../20261129T031500Z-a1b2c3')).toBe(false);
  });

  it('a replacing restore swaps the generation in file names, or adds the new one', () => {
    expect(generationKey('data/part-00001-20260101T000000Z-aaaaaa.parquet', '20260101T000000Z-aaaaaa', '20260202T000000Z-bbbbbb'))
      .toBe('data/part-00001-20260202T000000Z-bbbbbb.parquet');
    expect(generationKey('data/odd name+%.parquet', 'gen1', 'gen2')).toBe('data/odd name+%-gen2.parquet');
    // A name holding an older generation (kept by an earlier restore) gets the new one, not both.
    expect(generationKey('data/part-00002-20250101T000000Z-cccccc.parquet', '20260101T000000Z-aaaaaa', '20260202T000000Z-bbbbbb'))
      .toBe('data/part-00002-20260202T000000Z-bbbbbb.parquet');
    expect(generationKey('data/no-extension', 'gen1', 'gen2')).toBe('data/no-extension-gen2');
    expect(generationKey('data.v1/file', 'gen1', 'gen2')).toBe('data.v1/file-gen2');
  });
});
