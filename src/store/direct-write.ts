import type { S3Client } from '@aws-sdk/client-s3';
import { DirectRequests, GiveUpGate, switchedOff, type SizedStream } from './direct-request';

/*
 * PutObject and UploadPart without the SDK's per-request machinery (direct-request.ts says
 * why and when), for the writes of a copy between endpoints: thousands of small objects, or
 * the parts and objects that carry most of the bytes. Besides the SDK's per-request CPU, the
 * SDK signs a body by hashing it with SHA-256, and the server hashes it again to check the
 * signature: every byte twice more. Here the body is sent unsigned (UNSIGNED-PAYLOAD, valid
 * SigV4 for S3) and its integrity is Content-MD5's job, which every write here carries.
 *
 * Only a 200 with an ETag counts; anything else returns `undefined` and the caller sends the
 * write again through the SDK (a stream, which cannot be sent twice, is read again by the
 * caller). LAKEVAULT_DIRECT_WRITE=off turns it off.
 */

export interface DirectWriteRequest {
  bucket: string;
  key: string;
  body: Uint8Array | SizedStream;
  /** MD5 of the body (16 bytes), sent as Content-MD5: the server refuses other bytes. */
  md5: Uint8Array;
  /** User metadata (x-amz-meta-…), PutObject only. */
  metadata?: Record<string, string>;
  contentType?: string;
  /** An UploadPart of this upload instead of a PutObject. */
  part?: { uploadId: string; partNumber: number };
}

const MAX_RESPONSE = 64 * 1024; // a write's answer is headers and, on error, a short document

export class DirectWriter {
  private readonly gate = new GiveUpGate();

  private constructor(private readonly requests: DirectRequests) {}

  /** A writer for this client, or undefined when the client does not qualify. */
  static forClient(client: S3Client): DirectWriter | undefined {
    if (switchedOff('LAKEVAULT_DIRECT_WRITE')) return undefined;
    const requests = DirectRequests.forClient(client);
    return requests ? new DirectWriter(requests) : undefined;
  }

  /** Sends one write; the ETag answered (unquoted), or undefined when the caller must send it otherwise. Never rejects. */
  put(req: DirectWriteRequest): Promise<string | undefined> {
    return this.gate.run(async () => {
      const headers: Record<string, string> = { 'content-md5': Buffer.from(req.md5).toString('base64') };
      if (req.contentType) headers['content-type'] = req.contentType;
      for (const [name, value] of Object.entries(req.metadata ?? {})) headers[`x-amz-meta-${name.toLowerCase()}`] = value;
      const response = await this.requests.send({
        method: 'PUT',
        bucket: req.bucket,
        key: req.key,
        ...(req.part ? { query: { partNumber: String(req.part.partNumber), uploadId: req.part.uploadId } } : {}),
        headers,
        body: req.body,
        maxBodyBytes: MAX_RESPONSE,
      });
      const etag = String(response.headers.etag ?? '').replace(/^"|"$/g, '');
      return response.status === 200 && etag ? etag : undefined;
    });
  }
}
