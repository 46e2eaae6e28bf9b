// @ts-check
'use strict';
/**
 * The harness's own S3 access (seeding, verification, cleanup). It deliberately does not
 * go through lakevault's store layer: checking lakevault's results with lakevault's own
 * listing would prove nothing.
 */
const http = require('node:http');
const {
  S3Client, CreateBucketCommand, PutObjectCommand, DeleteObjectsCommand, DeleteBucketCommand,
  paginateListObjectsV2,
} = require('@aws-sdk/client-s3');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const { pool } = require('./pool');

/** @param {{ endpoint: string, accessKeyId: string, secretAccessKey: string, concurrency?: number }} target */
function harnessClient(target) {
  const concurrency = target.concurrency ?? 32;
  return new S3Client({
    endpoint: target.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: concurrency + 4 }) }),
  });
}

/** @param {S3Client} client @param {string} bucket */
async function createBucket(client, bucket) {
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = /** @type {Error} */ (error).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
  }
}

/**
 * Every object under a prefix as key (relative to the prefix) → { size, etag }.
 * @param {S3Client} client @param {string} bucket @param {string} prefix
 * @returns {Promise<Map<string, { size: number, etag: string }>>}
 */
async function listAll(client, bucket, prefix) {
  const out = new Map();
  for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix })) {
    for (const item of page.Contents ?? []) {
      out.set(String(item.Key).slice(prefix.length), { size: Number(item.Size), etag: String(item.ETag).replace(/"/g, '') });
    }
  }
  return out;
}

/**
 * PUTs `count` objects of `size` bytes named `${prefix}${index}` (zero-padded). Each body
 * differs (its index is written into it), so ETags differ and a mixed-up copy is caught.
 * @param {S3Client} client @param {string} bucket @param {string} prefix @param {number} count @param {number} size
 */
async function seedObjects(client, bucket, prefix, count, size, concurrency = 32) {
  const width = String(count - 1).length;
  const template = Buffer.alloc(size, 0x61);
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const body = Buffer.from(template);
    body.write(`object ${i} of ${count}\n`, 0, 'utf8');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${String(i).padStart(width, '0')}`, Body: body, ContentLength: size }));
  });
}

/** Deletes everything under a prefix (and the bucket when asked), 1,000 keys a request. */
async function purge(client, bucket, prefix = '', { bucketToo = false } = {}) {
  for (;;) {
    const keys = [...(await listPage(client, bucket, prefix))];
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  }
  if (bucketToo) await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

/** @param {S3Client} client @param {string} bucket @param {string} prefix */
async function listPage(client, bucket, prefix) {
  for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: bucket, Prefix: prefix })) {
    return (page.Contents ?? []).map((item) => String(item.Key));
  }
  return [];
}

module.exports = { harnessClient, createBucket, listAll, seedObjects, purge };
