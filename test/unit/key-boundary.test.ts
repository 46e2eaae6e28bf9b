import { IntegrityError } from '../../src/errors';
import { checkDistinctKeys, keyInside, keyUnder, relativeKeyProblem } from '../../src/store/key-boundary';
import { relativeKeyOfPath } from '../../src/lake/delta/paths';

describe('the key boundary: a stored key never leaves its prefix', () => {
  it.each([
    ['', /empty/],
    ['/etc/passwd', /starts with "\/"/],
    ['../t2/data/part-0.parquet', /"\.\." segment/],
    ['data/../../t2/x', /"\.\." segment/],
    ['data/./x', /"\." segment/],
    ['.', /"\." segment/],
    ['data//x', /empty segment/],
    ['data/x\u0000', /control character/],
    ['data/\nx', /control character/],
    ['data/x\u007f', /control character/],
  ])('refuses %j', (key, reason) => {
    expect(relativeKeyProblem(key)).toMatch(reason);
    expect(() => keyUnder('lake/t1/', key, 'manifest')).toThrow(IntegrityError);
  });

  it.each([
    'data/part-00000-20261129T031500Z-a1b2c3.parquet',
    'data/ünïcødé part+1.parquet',
    'data/what?=&x #2.parquet',
    'data/a b/c+d=e %41.parquet',
    'dt=2026-01-01/',
    '_delta_log/00000000000000000000.json',
    '..hidden/x',
    'x..y',
    '...',
  ])('keeps %j byte for byte', (key) => {
    expect(relativeKeyProblem(key)).toBeUndefined();
    expect(keyUnder('lake/t1/', key, 'manifest')).toBe(`lake/t1/${key}`);
  });

  it('a key listed twice is an integrity error naming it', () => {
    expect(() => checkDistinctKeys(['data/a', 'data/b', 'data/a'], 'manifest m')).toThrow(new IntegrityError('manifest m: key "data/a" is listed twice'));
    expect(() => checkDistinctKeys(['data/a', 'data/A', 'data/a/'], 'manifest m')).not.toThrow();
  });

  it('a full key must lie strictly inside its prefix', () => {
    expect(keyInside('bk/t1/id/', 'bk/t1/id/data/x', 'marker')).toBe('data/x');
    expect(() => keyInside('bk/t1/id/', 'bk/t2/id/data/x', 'marker')).toThrow(/outside bk\/t1\/id\//);
    expect(() => keyInside('bk/t1/id/', 'bk/t1/id/../../t2/id/data/x', 'marker')).toThrow(/leaves bk\/t1\/id\/: it has a "\.\." segment/);
    expect(() => keyInside('bk/t1/id/', 'bk/t1/id/', 'marker')).toThrow(/empty/);
  });

  it('a Delta log path that climbs out of the table is an integrity error', () => {
    const table = { bucket: 'lake', prefix: 'delta/t/' };
    expect(relativeKeyOfPath('part-0.parquet', table, 'log')).toBe('part-0.parquet');
    expect(relativeKeyOfPath('a%3Db/part%20one.parquet', table, 'log')).toBe('a=b/part one.parquet');
    expect(() => relativeKeyOfPath('../other/part-0.parquet', table, 'log')).toThrow(IntegrityError);
    expect(() => relativeKeyOfPath('%2E%2E/other/part-0.parquet', table, 'log')).toThrow(/"\.\." segment/);
    expect(() => relativeKeyOfPath('s3://lake/delta/t/../u/part-0.parquet', table, 'log')).toThrow(/"\.\." segment/);
    expect(() => relativeKeyOfPath('a/./part-0.parquet', table, 'log')).toThrow(/"\." segment/);
  });
});
