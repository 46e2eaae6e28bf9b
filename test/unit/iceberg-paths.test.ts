import { LocationRewrite, parsePath, TablePaths } from '../../src/lake/iceberg';

describe('Iceberg paths resolve against the table location the way engines do', () => {
  it('s3, s3a and s3n name the same object store: a path under the location keeps its tail', () => {
    const paths = new TablePaths('s3a://hyperparam-iceberg/spark/bunnies');
    expect(paths.resolve('s3a://hyperparam-iceberg/spark/bunnies/data/00000-1.parquet')).toEqual({ inside: true, relativeKey: 'data/00000-1.parquet' });
    expect(paths.resolve('s3://hyperparam-iceberg/spark/bunnies/metadata/snap-1.avro')).toEqual({ inside: true, relativeKey: 'metadata/snap-1.avro' });
    expect(paths.resolve('s3n://hyperparam-iceberg/spark/bunnies/data/a b+c%20.parquet')).toEqual({ inside: true, relativeKey: 'data/a b+c%20.parquet' });
    // A location with a trailing slash is the same location.
    expect(new TablePaths('s3://b/t/').resolve('s3://b/t/data/x.parquet')).toEqual({ inside: true, relativeKey: 'data/x.parquet' });
  });

  it('pyiceberg\'s file://data/... is a relative path, not a host named "data"', () => {
    expect(parsePath('file://data/persistent/t/data/x.parquet')).toEqual({ kind: 'file', path: 'data/persistent/t/data/x.parquet', absolute: false });
    const paths = new TablePaths('file://data/persistent/map_stats/default.db/map_stats');
    expect(paths.resolve('file://data/persistent/map_stats/default.db/map_stats/data/_day=2026-01-01/00000-0.parquet'))
      .toEqual({ inside: true, relativeKey: 'data/_day=2026-01-01/00000-0.parquet' });
  });

  it('bare relative paths: under a relative location, or relative to the table root', () => {
    const paths = new TablePaths('data/persistent/equality_deletes/warehouse/mydb/t');
    expect(paths.resolve('data/persistent/equality_deletes/warehouse/mydb/t/data/name=a/1.parquet')).toEqual({ inside: true, relativeKey: 'data/name=a/1.parquet' });
    expect(paths.resolve('metadata/snap-1.avro')).toEqual({ inside: true, relativeKey: 'metadata/snap-1.avro' });
    expect(new TablePaths('s3://b/t').resolve('data/x.parquet')).toEqual({ inside: true, relativeKey: 'data/x.parquet' });
  });

  it('file:/abs (Hadoop) and file:///abs are the same absolute path', () => {
    const paths = new TablePaths('file:/warehouse/db/t');
    expect(paths.resolve('file:///warehouse/db/t/data/x.parquet')).toEqual({ inside: true, relativeKey: 'data/x.parquet' });
    expect(paths.resolve('/warehouse/db/t/metadata/v1.metadata.json')).toEqual({ inside: true, relativeKey: 'metadata/v1.metadata.json' });
  });

  it('paths outside the table are refused with one clear line', () => {
    const paths = new TablePaths('s3://lake/tables/t');
    expect(paths.resolve('s3://other/tables/t/data/x.parquet')).toMatchObject({ inside: false, reason: 'bucket other, the table is in lake' });
    expect(paths.resolve('s3://lake/tables/t2/data/x.parquet')).toMatchObject({ inside: false }); // the neighbour table
    expect(paths.resolve('s3://lake/tables/t/../u/data/x.parquet')).toMatchObject({ inside: false, reason: 'it has a ".." segment' });
    expect(paths.resolve('data/./x.parquet')).toMatchObject({ inside: false });
    expect(paths.resolve('file:///tables/t/data/x.parquet')).toMatchObject({ inside: false });
    expect(paths.resolve('s3://lake/tables/t')).toMatchObject({ inside: false });
    expect(() => paths.relativeKey('s3://other/x.parquet', 'data file')).toThrow('Iceberg data file s3://other/x.parquet is outside the table (bucket other, the table is in lake)');
    expect(() => parsePath('hdfs://namenode/warehouse/t/x.parquet')).toThrow('scheme hdfs is not one lakevault reads');
  });

  it('a rewrite keeps the tail and replaces the location; outside paths are refused unless allowed', () => {
    const rewrite = new LocationRewrite(new TablePaths('file://data/persistent/t'), 's3://restore/moved/t/');
    expect(rewrite.location()).toBe('s3://restore/moved/t');
    expect(rewrite.path('file://data/persistent/t/data/x.parquet', 'data file')).toBe('s3://restore/moved/t/data/x.parquet');
    expect(rewrite.path('metadata/snap-1.avro', 'manifest list')).toBe('s3://restore/moved/t/metadata/snap-1.avro');
    expect(() => rewrite.path('s3://elsewhere/x.parquet', 'data file')).toThrow(/outside the table/);
    const lenient = new LocationRewrite(new TablePaths('s3://a/t'), 's3://b/t', { allowOutside: true });
    expect(lenient.path('s3://elsewhere/x.parquet', 'data file')).toBe('s3://elsewhere/x.parquet');
    expect(() => new LocationRewrite(new TablePaths('s3://a/t'), 'moved/t')).toThrow('is not a URI with a scheme and a bucket');
    expect(() => new LocationRewrite(new TablePaths('s3://a/t'), 's3://b/x/../t')).toThrow('has a "." or ".." segment');
  });
});
