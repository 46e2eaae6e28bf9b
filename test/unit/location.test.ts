import { parseS3Uri, formatS3Uri, normalisePrefix, childLocation, bucketNameProblem, isS3Uri } from '../../src/store/location';
import { UsageError } from '../../src/errors';

describe('s3:// locations', () => {
  it.each([
    ['s3://lake', { bucket: 'lake', prefix: '' }],
    ['s3://lake/', { bucket: 'lake', prefix: '' }],
    ['s3://lake/warehouse', { bucket: 'lake', prefix: 'warehouse/' }],
    ['s3://lake/warehouse/', { bucket: 'lake', prefix: 'warehouse/' }],
    ['  s3://my.bucket-1/x y/z  ', { bucket: 'my.bucket-1', prefix: 'x y/z/' }],
  ])('parses %j', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
  });

  it('a prefix always ends with "/", so s3://b/t never matches the neighbour t2', () => {
    const t = parseS3Uri('s3://bkt/t');
    expect('t2/part.parquet'.startsWith(t.prefix)).toBe(false);
    expect('t/part.parquet'.startsWith(t.prefix)).toBe(true);
  });

  it.each([
    ['lake/warehouse', /not an s3:\/\/ location/],
    ['http://lake/warehouse', /not an s3:\/\/ location/],
    ['s3://', /not an s3:\/\/ location/],
    ['s3:///prefix', /not an s3:\/\/ location/],
    ['s3://Lake/x', /invalid bucket "Lake"/],
    ['s3://ab/x', /invalid bucket "ab"/],
    ['s3://a..b/x', /cannot contain "\.\."/],
    ['s3://192.168.1.1/x', /IP address/],
    ['s3://under_score', /invalid bucket/],
    // a//b and a/b are different objects: neither is "tidied" into the other
    ['s3://lake//a///b/', /starts with "\/"/],
    ['s3://lake/a//b', /empty segment/],
    ['s3://lake/a/../b', /"\.\." segment/],
    ['s3://lake/../lake-backups/x', /"\.\." segment/],
    ['s3://lake/a/./b', /"\." segment/],
    ['s3://lake/a\u0001b', /control character/],
  ])('rejects %j with a UsageError', (uri, message) => {
    expect(() => parseS3Uri(uri)).toThrow(UsageError);
    expect(() => parseS3Uri(uri)).toThrow(message);
  });

  it('bucket rules', () => {
    expect(bucketNameProblem('lake-backups')).toBeUndefined();
    expect(bucketNameProblem('a'.repeat(63))).toBeUndefined();
    expect(bucketNameProblem('a'.repeat(64))).toBeDefined();
    expect(bucketNameProblem('-lake')).toBeDefined();
  });

  it('formats, normalises and nests', () => {
    expect(formatS3Uri({ bucket: 'lake', prefix: 'warehouse/' })).toBe('s3://lake/warehouse/');
    expect(parseS3Uri(formatS3Uri({ bucket: 'bkt', prefix: 'p/q/' }))).toEqual({ bucket: 'bkt', prefix: 'p/q/' });
    expect(normalisePrefix('')).toBe('');
    expect(normalisePrefix('/')).toBe('');
    expect(normalisePrefix('/a/b')).toBe('a/b/');
    expect(childLocation({ bucket: 'b', prefix: 'a/' }, 'x/y')).toEqual({ bucket: 'b', prefix: 'a/x/y/' });
    expect(childLocation({ bucket: 'b', prefix: '' }, 't')).toEqual({ bucket: 'b', prefix: 't/' });
    expect(isS3Uri('s3://x')).toBe(true);
    expect(isS3Uri('vendas')).toBe(false);
  });
});
