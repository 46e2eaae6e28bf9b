import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand,
  type CompletedPart, type S3Client, type UploadPartCommandInput,
} from '@aws-sdk/client-s3';
import { currentEtag } from './copy-pinning';
import type { DirectWriter } from './direct-write';
import { multipartEtag } from './multipart-copy';
import type { ChecksumAlgorithm, MultipartOptions, MultipartUpload, UploadedPart, WriteChecksums } from './types';

/** The request fields that carry a write's checksums: Content-MD5, and a flexible one by value or by algorithm. */
export function checksumParams(checksums: WriteChecksums | undefined): Partial<UploadPartCommandInput> {
  if (!checksums) return {};
  const params: Partial<UploadPartCommandInput> = { ContentMD5: Buffer.from(checksums.md5).toString('base64') };
  const flexible = checksums.flexible;
  if (flexible?.value !== undefined) {
    if (flexible.algorithm === 'CRC32C') params.ChecksumCRC32C = flexible.value;
    else params.ChecksumCRC64NVME = flexible.value;
  } else if (flexible) {
    params.ChecksumAlgorithm = flexible.algorithm;
  }
  return params;
}

function answeredChecksum(out: { ChecksumCRC32C?: string; ChecksumCRC64NVME?: string }, algorithm: ChecksumAlgorithm | undefined): string | undefined {
  if (algorithm === 'CRC32C') return out.ChecksumCRC32C;
  if (algorithm === 'CRC64NVME') return out.ChecksumCRC64NVME;
  return undefined;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^"|"$/g, '');

/** Handles of the S3Store that an upload reports through (request counting, error translation). */
export interface UploadHost {
  client: S3Client;
  fail(error: unknown, what: string): never;
  /** Parts without a flexible checksum go direct where the client qualifies (direct-write.ts). */
  direct?: DirectWriter;
}

/**
 * CreateMultipartUpload → UploadPart (the caller's bodies, with their checksums) →
 * CompleteMultipartUpload, or AbortMultipartUpload. The parts' bytes are the caller's:
 * this class holds none of them.
 */
export class S3MultipartUpload implements MultipartUpload {
  private constructor(
    private readonly host: UploadHost,
    private readonly bucket: string,
    private readonly key: string,
    readonly uploadId: string,
    private readonly checksum: ChecksumAlgorithm | undefined,
  ) {}

  static async start(host: UploadHost, bucket: string, key: string, options: MultipartOptions, writeParams: object): Promise<S3MultipartUpload> {
    try {
      const created = await host.client.send(new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ...(options.contentType ? { ContentType: options.contentType } : {}),
        ...(options.metadata ? { Metadata: options.metadata } : {}),
        ...(options.checksum ? { ChecksumAlgorithm: options.checksum, ChecksumType: options.checksum === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE' } : {}),
        ...writeParams,
      }));
      return new S3MultipartUpload(host, bucket, key, created.UploadId!, options.checksum);
    } catch (error) {
      host.fail(error, `start a multipart upload to s3://${bucket}/${key}`);
    }
  }

  private get where(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  async putPart(partNumber: number, body: Uint8Array, checksums: WriteChecksums): Promise<UploadedPart> {
    if (this.host.direct && !checksums.flexible) {
      const etag = await this.host.direct.put({ bucket: this.bucket, key: this.key, body, md5: checksums.md5, part: { uploadId: this.uploadId, partNumber } });
      if (etag !== undefined) return { partNumber, etag };
    }
    try {
      const out = await this.host.client.send(new UploadPartCommand({
        Bucket: this.bucket,
        Key: this.key,
        UploadId: this.uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
        ...checksumParams(checksums),
      }));
      const checksum = answeredChecksum(out, this.checksum);
      return { partNumber, etag: unquote(out.ETag), ...(checksum ? { checksum } : {}) };
    } catch (error) {
      this.host.fail(error, `upload part ${partNumber} of ${this.where}`);
    }
  }

  /**
   * CompleteMultipartUpload is not idempotent: when its answer is lost after the server
   * assembled the object, the SDK's retry gets NoSuchUpload (RGW) or a 500 (s3rver). So a
   * failure is checked against the destination: the ETag these parts make (S3, RGW) means
   * the object is there. Ceph RGW answers a success with an empty ETag: HEAD has it.
   */
  async complete(parts: UploadedPart[]): Promise<{ etag: string }> {
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const completed: CompletedPart[] = ordered.map((part) => ({
      ETag: `"${part.etag}"`,
      PartNumber: part.partNumber,
      ...(part.checksum && this.checksum === 'CRC32C' ? { ChecksumCRC32C: part.checksum } : {}),
      ...(part.checksum && this.checksum === 'CRC64NVME' ? { ChecksumCRC64NVME: part.checksum } : {}),
    }));
    let etag: string;
    try {
      const done = await this.host.client.send(new CompleteMultipartUploadCommand({
        Bucket: this.bucket, Key: this.key, UploadId: this.uploadId, MultipartUpload: { Parts: completed },
      }));
      etag = unquote(done.ETag) || (await currentEtag(this.host.client, this.bucket, this.key)) || '';
    } catch (error) {
      const found = await currentEtag(this.host.client, this.bucket, this.key).catch(() => undefined);
      if (found === undefined || found !== multipartEtag(ordered.map((p) => p.etag))) this.host.fail(error, `complete the multipart upload of ${this.where}`);
      etag = found;
    }
    return { etag };
  }

  async abort(): Promise<void> {
    await this.host.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId })).catch(() => undefined);
  }
}
