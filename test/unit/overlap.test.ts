import { UsageError, ConfigError } from '../../src/errors';
import { parseS3Uri } from '../../src/store/location';
import { findOverlap, locationsOverlap, refuseOverlap, refuseTableLocation } from '../../src/store/overlap';

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

describe('refuseTableLocation: a table is never a repository, nor around the warehouse', () => {
  const repositories = [{ name: 'LAKEVAULT_BACKUPS', location: at('s3://lake-backups') }, { name: 'LAKEVAULT_CHECKPOINTS', location: at('s3://lake/checkpoints') }];
  const warehouse = { name: 'LAKEVAULT_WAREHOUSE', location: at('s3://lake/warehouse') };
  const check = (uri: string) => () => refuseTableLocation({ name: 'table t', location: at(uri) }, repositories, warehouse);
  it.each([
    ['s3://lake-backups', /LAKEVAULT_BACKUPS.*overlap/],
    ['s3://lake-backups/t-0123456789ab', /LAKEVAULT_BACKUPS.*overlap/],
    ['s3://lake/checkpoints/x', /LAKEVAULT_CHECKPOINTS.*overlap/],
    ['s3://lake', /LAKEVAULT_CHECKPOINTS.*overlap/],
    ['s3://lake/warehouse', /holds LAKEVAULT_WAREHOUSE/],
  ])('refuses %s', (uri, message) => {
    expect(check(uri)).toThrow(UsageError);
    expect(check(uri)).toThrow(message);
  });
  it.each(['s3://lake/warehouse/vendas', 's3://lake/warehouse2', 's3://lake/other/t', 's3://otherlake/warehouse'])('accepts %s', (uri) => {
    expect(check(uri)).not.toThrow();
  });
});
