import { UsageError, ConfigError } from '../../src/errors';
import { parseS3Uri } from '../../src/store/location';
import { findOverlap, locationsOverlap, refuseOverlap } from '../../src/store/overlap';

const at = (uri: string) => parseS3Uri(uri);

describe('locationsOverlap: two locations share keys when one lies inside the other', () => {
  it.each([
    ['s3://lake/loop', 's3://lake/loop/z', true],
    ['s3://lake/loop/z', 's3://lake/loop', true],
    ['s3://lake/loop', 's3://lake/loop', true],
    ['s3://lake', 's3://lake/warehouse', true],
    ['s3://lake/warehouse', 's3://lake/', true],
    ['s3://lake', 's3://lake', true],
    ['s3://lake/warehouse', 's3://lake/warehouse/t6/backups', true],
    ['s3://lake/a/b/', 's3://lake/a/b/c', true],
    ['s3://lake/loop', 's3://lake/loop2', false],
    ['s3://lake/t', 's3://lake/t2/x', false],
    ['s3://lake/warehouse', 's3://lake-backups', false],
    ['s3://lake', 's3://lake-backups/lake', false],
    ['s3://lake/a/b', 's3://lake/b/a', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(locationsOverlap(at(a), at(b))).toBe(expected);
    expect(locationsOverlap(at(b), at(a))).toBe(expected);
  });

  it('findOverlap names the first overlapping pair, or nothing', () => {
    const places = [
      { name: 'warehouse', location: at('s3://lake/warehouse') },
      { name: 'backups', location: at('s3://lake-backups') },
      { name: 'checkpoints', location: at('s3://lake-backups/cp') },
    ];
    expect(findOverlap(places)?.map((p) => p.name)).toEqual(['backups', 'checkpoints']);
    expect(findOverlap(places.slice(0, 2))).toBeUndefined();
  });

  it('refuseOverlap throws one line naming both places (a UsageError unless told otherwise)', () => {
    const places = [{ name: 'the source', location: at('s3://lake/loop') }, { name: 'the destination', location: at('s3://lake/loop/z') }];
    expect(() => refuseOverlap(places)).toThrow(UsageError);
    expect(() => refuseOverlap(places)).toThrow('the source (s3://lake/loop/) and the destination (s3://lake/loop/z/) overlap');
    expect(() => refuseOverlap(places, (m) => new ConfigError(m))).toThrow(ConfigError);
    expect(() => refuseOverlap(places.slice(0, 1))).not.toThrow();
  });
});
