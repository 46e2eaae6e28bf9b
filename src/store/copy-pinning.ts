import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Pinning a copy to its source's ETag, on servers that do not all honour the standard header.
 *
 * Measured on Ceph RGW 16.2 (Pacific): CopyObject ignores `x-amz-copy-source-if-match` and
 * reads the precondition from `x-amz-copy-if-match` instead; UploadPartCopy ignores both.
 * So CopyObject carries both spellings (S3 and MinIO ignore the unknown one), and a
 * multipart copy checks the source's ETag itself, before starting and after completing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyHandler = (args: any) => Promise<any>;

export function withRgwCopyIfMatch<C extends { middlewareStack: { add(middleware: (next: AnyHandler) => AnyHandler, options: object): void } }>(command: C, etag: string | undefined): C {
  if (!etag) return command;
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request.headers) request.headers['x-amz-copy-if-match'] = `"${etag}"`;
      return next(args);
    },
    { step: 'build', name: 'lakevaultRgwCopyIfMatch' },
  );
  return command;
}

/** An error the store translates like the server's own 412 for a failed copy precondition. */
export function sourceChanged(bucket: string, key: string, expected: string, found: string | undefined): Error {
  const detail = found === undefined ? 'it no longer exists' : `its ETag is now ${found}`;
  return Object.assign(new Error(`source s3://${bucket}/${key} changed: expected ETag ${expected}, ${detail}`), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });
}

/** The source's current ETag (unquoted), or undefined when it is gone. */
export async function currentEtag(client: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return (head.ETag ?? '').replace(/^"|"$/g, '');
  } catch (error) {
    const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  }
}

/** Checks the source still has the pinned ETag; throws PreconditionFailed otherwise. */
export async function checkSourceEtag(client: S3Client, bucket: string, key: string, expected: string): Promise<void> {
  const found = await currentEtag(client, bucket, key);
  if (found !== expected) throw sourceChanged(bucket, key, expected, found);
}

/** Removes a copy whose source changed under it: a mixed object must not stay behind. */
export async function discardCopy(client: S3Client, bucket: string, key: string): Promise<void> {
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
}
