import type { S3Client } from '@aws-sdk/client-s3';
import { DirectRequests, GiveUpGate, switchedOff } from './direct-request';
import type { ObjectReadStream } from './types';

/*
 * Ranged GetObject without the SDK's per-request machinery (direct-request.ts says why and
 * when). A validation reads every Parquet footer of a table — a thousand small GETs for a
 * thousand files — and streams row groups in ranged reads; through the SDK each costs
 * about a millisecond of CPU more, and its body collection copies every byte once more.
 *
 * Only a 206 whose Content-Range is exactly the range asked for, with every byte of it (and,
 * when pinned, the ETag asked for), counts; anything else (an error, a 412 from a changed ETag, a short body, a reset)
 * returns `undefined` and the caller reads through the SDK, which retries and reports.
 * LAKEVAULT_DIRECT_READ=off turns it off.
 */

export interface DirectRangeRequest {
  bucket: string;
  key: string;
  start: number;
  /** Exclusive. */
  end: number;
  /** Pin: read only if the object still has this ETag (unquoted). */
  etag?: string;
}

/** A whole object to stream. */
export interface DirectOpenRequest {
  bucket: string;
  key: string;
  etag?: string;
}

export class DirectReader {
  private readonly gate = new GiveUpGate();

  private constructor(private readonly requests: DirectRequests) {}

  /** A reader for this client, or undefined when the client does not qualify. */
  static forClient(client: S3Client): DirectReader | undefined {
    if (switchedOff('LAKEVAULT_DIRECT_READ')) return undefined;
    const requests = DirectRequests.forClient(client);
    return requests ? new DirectReader(requests) : undefined;
  }

  /** The bytes [start, end), or undefined when the caller must read through the SDK. Never rejects. */
  read(req: DirectRangeRequest): Promise<Uint8Array | undefined> {
    return this.gate.run(async () => {
      const length = req.end - req.start;
      const headers: Record<string, string> = { range: `bytes=${req.start}-${req.end - 1}` };
      if (req.etag) headers['if-match'] = `"${req.etag}"`;
      const response = await this.requests.send({ method: 'GET', bucket: req.bucket, key: req.key, headers, maxBodyBytes: length, expectBytes: length });
      const range = /^bytes (\d+)-(\d+)\//.exec(String(response.headers['content-range'] ?? ''));
      const exact = range !== null && Number(range[1]) === req.start && Number(range[2]) === req.end - 1;
      if (response.status !== 206 || !exact || response.body.length !== length) return undefined;
      // A server that ignores If-Match (the embedded one) still names the version it read.
      if (req.etag && String(response.headers.etag ?? '').replace(/^"|"$/g, '') !== req.etag) return undefined;
      // A plain Uint8Array view, as the SDK path returns (a Buffer's slice() would not copy).
      return new Uint8Array(response.body.buffer, response.body.byteOffset, response.body.length);
    });
  }

  /**
   * The whole object as a stream: only a 200 with its length (and, when pinned, the ETag asked
   * for) counts; anything else is drained and the caller reads through the SDK. Never rejects.
   */
  open(req: DirectOpenRequest): Promise<ObjectReadStream | undefined> {
    return this.gate.run(async () => {
      const headers: Record<string, string> = req.etag ? { 'if-match': `"${req.etag}"` } : {};
      const response = await this.requests.open({ method: 'GET', bucket: req.bucket, key: req.key, headers, maxBodyBytes: 0 });
      const etag = String(response.headers.etag ?? '').replace(/^"|"$/g, '');
      const length = Number(response.headers['content-length']);
      if (response.status !== 200 || !Number.isSafeInteger(length) || !etag || (req.etag && etag !== req.etag)) {
        response.body.resume(); // drained, so its connection goes back to the pool
        return undefined;
      }
      const encryption = response.headers['x-amz-server-side-encryption-customer-algorithm'] ? 'SSE-C' : response.headers['x-amz-server-side-encryption'];
      return { body: response.body, size: length, etag, ...(typeof encryption === 'string' ? { encryption } : {}) };
    });
  }
}
