import { createHash, randomBytes } from 'node:crypto';
import { LakevaultError, UnsupportedError } from '../errors';
import { httpStatus } from './errors';
import type { ChecksumAlgorithm, MultipartUpload, ObjectStore, WriteChecksums } from './types';

/*
 * Which checksums a destination really verifies on writes, found out by trying: a part with
 * a right checksum must be accepted and a part with a wrong one refused. Parts of multipart
 * uploads that are then aborted, so no object is ever written (a bucket under object lock
 * would keep a probe object for years).
 *
 * Measured: Ceph RGW 16 verifies Content-MD5 and neither stores nor verifies flexible
 * checksums (CRC32C, CRC64NVME); the embedded server verifies nothing but answers each part's
 * and object's MD5 as its ETag. AWS S3 verifies both.
 */

/** What the caller asks for: decide by probing, Content-MD5 only, or a flexible checksum too. */
export type IntegrityChoice = 'auto' | 'md5' | ChecksumAlgorithm;

export interface WriteIntegrity {
  /**
   * 'server': the destination refuses a body whose Content-MD5 does not match. 'etag': it does
   * not, but answers each write's MD5 as its ETag, which the writer compares with its own.
   */
  contentMd5: 'server' | 'etag';
  /** A flexible checksum the destination verifies, sent on every write besides Content-MD5. */
  flexible?: ChecksumAlgorithm;
}

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

/** Whether the server refused a write as a bad request (400), rather than failing otherwise. */
function refused(error: unknown): boolean {
  return error instanceof LakevaultError && httpStatus(error.cause) === 400;
}

/** Puts a part with right checksums, then one with a wrong one: true when only the wrong one is refused. */
async function verifies(upload: MultipartUpload, right: WriteChecksums, wrong: WriteChecksums): Promise<boolean> {
  const body = Buffer.from('lakevault integrity probe\n');
  try {
    await upload.putPart(1, body, right);
  } catch (error) {
    if (refused(error)) return false; // the server refuses the checksum itself: it does not take it
    throw error;
  }
  try {
    await upload.putPart(2, body, wrong);
    return false;
  } catch (error) {
    if (refused(error)) return true;
    throw error;
  }
}

async function probeContentMd5(store: ObjectStore, bucket: string, key: string): Promise<boolean> {
  const upload = await store.startMultipartUpload(bucket, key);
  try {
    const body = Buffer.from('lakevault integrity probe\n');
    return await verifies(upload, { md5: md5(body) }, { md5: md5(Buffer.from('something else')) });
  } finally {
    await upload.abort();
  }
}

async function probeFlexible(store: ObjectStore, bucket: string, key: string, algorithm: ChecksumAlgorithm): Promise<boolean> {
  const upload = await store.startMultipartUpload(bucket, key, { checksum: algorithm });
  try {
    const body = Buffer.from('lakevault integrity probe\n');
    // The right value is the SDK's to compute (algorithm only); the wrong one is any other value.
    const wrongValue = algorithm === 'CRC32C' ? 'AAAAAA==' : 'AAAAAAAAAAA=';
    return await verifies(upload, { md5: md5(body), flexible: { algorithm } }, { md5: md5(body), flexible: { algorithm, value: wrongValue } });
  } finally {
    await upload.abort();
  }
}

const probed = new WeakMap<ObjectStore, Map<string, Promise<WriteIntegrity>>>();

/**
 * The checks writes to `bucket` carry, probed once per store, bucket and choice. The probe's
 * uploads are started under `keyPrefix` (a place the caller may write) and aborted.
 * A flexible checksum asked for by name that the destination does not verify is an error:
 * protection asked for and not given fails, it does not warn.
 */
export function probeWriteIntegrity(store: ObjectStore, bucket: string, keyPrefix: string, choice: IntegrityChoice = 'auto'): Promise<WriteIntegrity> {
  let perBucket = probed.get(store);
  if (!perBucket) probed.set(store, (perBucket = new Map()));
  const cacheKey = `${bucket}\n${choice}`;
  let result = perBucket.get(cacheKey);
  if (!result) {
    result = probe(store, bucket, `${keyPrefix}_lakevault/integrity-probe-${randomBytes(6).toString('hex')}`, choice);
    result.catch(() => perBucket!.delete(cacheKey));
    perBucket.set(cacheKey, result);
  }
  return result;
}

async function probe(store: ObjectStore, bucket: string, key: string, choice: IntegrityChoice): Promise<WriteIntegrity> {
  const contentMd5 = (await probeContentMd5(store, bucket, key)) ? 'server' : 'etag';
  if (choice === 'md5') return { contentMd5 };
  const algorithm: ChecksumAlgorithm = choice === 'auto' ? 'CRC32C' : choice;
  if (await probeFlexible(store, bucket, key, algorithm)) return { contentMd5, flexible: algorithm };
  if (choice === 'auto') return { contentMd5 };
  throw new UnsupportedError(`${store.endpoint} does not verify ${algorithm} checksums on writes to s3://${bucket} (it accepted a part with a wrong one): use --checksum md5 or auto there`);
}
