import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Which S3 server answers, from the headers of one HeadBucket: the audit words some
 * findings by server (Ceph RGW leaves aws:SecureTransport out of plain-HTTP requests, and
 * its CopyObject shares data inside the cluster instead of copying it).
 *   AWS S3     Server: AmazonS3
 *   MinIO      Server: MinIO
 *   Ceph RGW   X-RGW-Object-Count / X-RGW-Bytes-Used on HeadBucket (seen on 16.2)
 */
export type ServerKind = 'aws' | 'minio' | 'ceph-rgw' | 'unknown';

export function serverKindOf(headers: Record<string, string | undefined>): ServerKind {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  if (lower['x-rgw-object-count'] !== undefined || lower['x-rgw-bytes-used'] !== undefined) return 'ceph-rgw';
  if (/minio/i.test(lower.server ?? '')) return 'minio';
  if (/amazons3/i.test(lower.server ?? '')) return 'aws';
  return 'unknown';
}

export async function identifyServer(client: S3Client, bucket: string): Promise<ServerKind> {
  let headers: Record<string, string> = {};
  const command = new HeadBucketCommand({ Bucket: bucket });
  // Innermost in the deserialize step: sees the raw answer, error or not.
  command.middlewareStack.add((next) => async (args) => {
    const out = await next(args);
    headers = (out.response as { headers?: Record<string, string> }).headers ?? {};
    return out;
  }, { step: 'deserialize', priority: 'low', name: 'lakevaultServerHeaders' });
  try {
    await client.send(command);
  } catch {
    // A refused or missing bucket still answers with the server's headers.
  }
  return serverKindOf(headers);
}
