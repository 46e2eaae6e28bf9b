import { UsageError } from '../errors';
import { relativeKeyProblem } from './key-boundary';

/** A place in an object store: a bucket and a key prefix (no leading slash; '' = whole bucket). */
export interface Location {
  bucket: string;
  prefix: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Checks a bucket name against S3's rules; returns a reason when it breaks one. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (!BUCKET_NAME.test(bucket)) {
    return 'bucket names are 3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit';
  }
  if (bucket.includes('..')) return 'bucket names cannot contain ".."';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return 'bucket names cannot look like an IP address';
  return undefined;
}

/**
 * Parses `s3://bucket/prefix`. The prefix is normalised to end with '/' unless empty,
 * so that `s3://b/t` never matches the neighbour table `s3://b/t2`. A prefix that could
 * leave itself ("..", ".", an empty segment, a control character: see key-boundary.ts) is
 * a usage error: `a//b` and `a/b` are different objects in S3, and "tidying" one into the
 * other would act on objects the user did not name.
 */
export function parseS3Uri(uri: string): Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri.trim());
  if (!match) throw new UsageError(`not an s3:// location: "${uri}" (expected s3://bucket/prefix)`);
  const bucket = match[1]!;
  const problem = bucketNameProblem(bucket);
  if (problem) throw new UsageError(`invalid bucket "${bucket}" in ${uri}: ${problem}`);
  const prefix = match[2] ?? '';
  const prefixProblem = prefix === '' ? undefined : relativeKeyProblem(prefix);
  if (prefixProblem) throw new UsageError(`invalid prefix in ${uri}: ${prefixProblem}`);
  return { bucket, prefix: normalisePrefix(prefix) };
}

export function isS3Uri(text: string): boolean {
  return text.startsWith('s3://');
}

/** 'a//b/' and '/a/b' become 'a/b/'; '' stays ''. */
export function normalisePrefix(prefix: string): string {
  const parts = prefix.split('/').filter((p) => p.length > 0);
  return parts.length === 0 ? '' : parts.join('/') + '/';
}

export function formatS3Uri(location: Location): string {
  return `s3://${location.bucket}/${location.prefix}`;
}

/** A location under another one: child(`s3://b/a/`, 'x/y') = `s3://b/a/x/y/`. */
export function childLocation(parent: Location, ...segments: string[]): Location {
  return { bucket: parent.bucket, prefix: normalisePrefix(parent.prefix + segments.join('/')) };
}
