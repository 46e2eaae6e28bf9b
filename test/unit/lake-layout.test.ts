import { classifyKey, needsProbe } from '../../src/lake/layout';
import { detectIceberg } from '../../src/lake/iceberg';

describe('classifyKey: layout noise is metadata, Parquet files are data', () => {
  it.each([
    ['part-00000-1b2c.snappy.parquet', 'data', 'data'],
    ['categoria=Caf%C3%A9/data_0.parquet', 'data', 'data'],
    ['year=2024/month=1/part-00001.PARQUET', 'data', 'data'],
    ['part-00000-5f1e-c000', 'data', 'data'],
    ['_SUCCESS', 'metadata', 'success-marker'],
    ['year=2024/_SUCCESS', 'metadata', 'success-marker'],
    ['categoria=a%3Db/.data_0.parquet.crc', 'metadata', 'checksum'],
    ['part-0.parquet.crc', 'metadata', 'checksum'],
    ['_temporary/0/_temporary/attempt_1/part-0.parquet', 'metadata', 'temporary'],
    ['year=2024/_committed_8234', 'metadata', 'commit-marker'],
    ['year=2024/_started_8234', 'metadata', 'commit-marker'],
    ['.hive-staging_hive_2024-01-01_00-00-00_1/-ext-10000/000000_0', 'metadata', 'hive-staging'],
    ['year=2024/', 'metadata', 'directory-marker'],
    ['year=2024_$folder$', 'metadata', 'directory-marker'],
    ['_delta_log/00000000000000000000.json', 'metadata', 'delta-log'],
    ['_delta_log/00000000000000000010.checkpoint.parquet', 'metadata', 'delta-log'],
    ['metadata/00001-6f2c.metadata.json', 'metadata', 'iceberg-metadata'],
    ['metadata/snap-123-1-abc.avro', 'metadata', 'iceberg-metadata'],
    ['_common_metadata', 'metadata', 'parquet-summary'],
    ['_lakevault/table.json', 'metadata', 'lakevault'],
    ['.DS_Store', 'metadata', 'hidden'],
    ['_tmp/part-0.parquet', 'metadata', 'hidden'],
    ['README.md', 'metadata', 'not-parquet'],
    ['data.csv', 'metadata', 'not-parquet'],
  ])('%s → %s (%s)', (key, kind, role) => {
    expect(classifyKey(key)).toEqual({ kind, role });
  });

  it('probes only extension-less part files', () => {
    expect(needsProbe('year=1/part-00000-abc-c000')).toBe(true);
    expect(needsProbe('year=1/part-00000.parquet')).toBe(false);
    expect(needsProbe('README')).toBe(false);
  });
});

describe('detectIceberg', () => {
  it('finds metadata/*.metadata.json and says what a backup and a restore do with it', () => {
    const info = detectIceberg(['data/00000-0-a.parquet', 'metadata/v1.metadata.json', 'metadata/00002-b.metadata.json', 'metadata/snap-1.avro']);
    expect(info?.metadataFiles).toEqual(['metadata/00002-b.metadata.json', 'metadata/v1.metadata.json']);
    expect(info?.message).toMatch(/a backup holds the files of one snapshot.*a restore to a new prefix rewrites the paths/);
    expect(detectIceberg(['data/x.parquet', 'meta/v1.metadata.json'])).toBeUndefined();
  });
});
