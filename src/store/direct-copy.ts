import type { S3Client } from '@aws-sdk/client-s3';
import { DirectRequests, GiveUpGate, switchedOff } from './direct-request';
import { copySource } from './multipart-copy';

/*
 * CopyObject without the SDK's per-request machinery (direct-request.ts says why and when),
 * for the one request a prefix copy sends thousands of times: measured, the SDK spends about
 * 3.5 ms of CPU per CopyObject where this path spends about 1 ms.
 *
 * Anything but a clean success — an error, throttling, a 200 carrying an error document,
 * a reset, a timeout — returns `undefined` and the caller sends the same copy through the
 * SDK. LAKEVAULT_DIRECT_COPY=off turns it off.
 */

/** One CopyObject to send. */
export interface DirectCopyRequest {
  srcBucket: string;
  srcKey: string;
  dstBucket: string;
  dstKey: string;
  /** Pin: the copy happens only if the source still has this ETag (unquoted). */
  sourceEtag?: string;
}

const MAX_RESPONSE = 64 * 1024; // a CopyObjectResult is a few hundred bytes

/** The new ETag from a CopyObjectResult document, or undefined if the body is anything else. */
export function copyResultEtag(body: string): string | undefined {
  if (!/<CopyObjectResult[\s>]/.test(body)) return undefined;
  const match = /<ETag>([^<]*)<\/ETag>/.exec(body);
  if (!match) return undefined;
  return match[1]!.replace(/&quot;|&#34;|"/g, '');
}

export class DirectCopier {
  private readonly gate = new GiveUpGate();

  private constructor(private readonly requests: DirectRequests) {}

  /** A copier for this client, or undefined when the client does not qualify (see above). */
  static forClient(client: S3Client): DirectCopier | undefined {
    if (switchedOff('LAKEVAULT_DIRECT_COPY')) return undefined;
    const requests = DirectRequests.forClient(client);
    return requests ? new DirectCopier(requests) : undefined;
  }

  /**
   * Sends one CopyObject. Resolves to the new object's ETag (unquoted), or to undefined
   * when the caller must send it through the SDK instead. Never rejects.
   */
  copy(req: DirectCopyRequest): Promise<string | undefined> {
    return this.gate.run(async () => {
      const headers: Record<string, string> = { 'x-amz-copy-source': copySource(req.srcBucket, req.srcKey) };
      if (req.sourceEtag) {
        // RGW reads x-amz-copy-if-match (see copy-pinning.ts); S3 and MinIO the standard one.
        headers['x-amz-copy-source-if-match'] = `"${req.sourceEtag}"`;
        headers['x-amz-copy-if-match'] = `"${req.sourceEtag}"`;
      }
      const response = await this.requests.send({ method: 'PUT', bucket: req.dstBucket, key: req.dstKey, headers, maxBodyBytes: MAX_RESPONSE });
      return response.status === 200 ? copyResultEtag(response.body.toString('utf8')) : undefined;
    });
  }
}
