// @ts-check
'use strict';
/**
 * The datasets (A: many small objects, B: few big ones, C: the scaling set), how they are
 * seeded, and how every copy is verified against them: same keys, same sizes, same ETags —
 * or, for a copy a peer made by multipart, the multipart ETag recomputed from the bytes
 * the harness knows it seeded.
 */
const { createHash } = require('node:crypto');
const { createBucket, listAll, seedObjects } = require('./s3');

const KiB = 1024;
const MiB = 1024 * KiB;
const SOURCE_BUCKET = 'bench-source';

/** @typedef {{ id: string, title: string, count: number, size: number, bucket: string, prefix: string, seedConcurrency: number }} Dataset */

/** @returns {Dataset} */
function dataset(id, title, count, size, seedConcurrency = 32) {
  return { id, title, count, size, bucket: SOURCE_BUCKET, prefix: `${id}-${count}x${size}/`, seedConcurrency };
}

const DATASETS = {
  A: dataset('a', 'A: 2,000 × 16 KiB', 2000, 16 * KiB),
  B: dataset('b', 'B: 16 × 32 MiB', 16, 32 * MiB, 4),
  C: dataset('c', 'C: 50,000 × 1 KiB', 50_000, 1 * KiB, 64),
};

/** The body seedObjects wrote for object `index` (rebuilt here to recompute multipart ETags). */
function seededBody(ds, index) {
  const body = Buffer.alloc(ds.size, 0x61);
  body.write(`object ${index} of ${ds.count}\n`, 0, 'utf8');
  return body;
}

/**
 * Seeds the dataset unless the source already holds exactly it (a reused cluster).
 * @returns {Promise<{ seconds: number, reused: boolean, listing: Map<string, { size: number, etag: string }> }>}
 */
async function ensureSeeded(client, ds) {
  await createBucket(client, ds.bucket);
  let listing = await listAll(client, ds.bucket, ds.prefix);
  const complete = listing.size === ds.count && [...listing.values()].every((o) => o.size === ds.size);
  if (complete) return { seconds: 0, reused: true, listing };
  const started = Date.now();
  await seedObjects(client, ds.bucket, ds.prefix, ds.count, ds.size, ds.seedConcurrency);
  listing = await listAll(client, ds.bucket, ds.prefix);
  if (listing.size !== ds.count) throw new Error(`seeding ${ds.title}: ${listing.size} objects listed, ${ds.count} expected`);
  return { seconds: (Date.now() - started) / 1000, reused: false, listing };
}

/** Multipart ETag = md5(concatenated part md5s) + "-" + part count, for a given part size. */
function multipartEtag(body, partSize) {
  const parts = [];
  for (let at = 0; at < body.length; at += partSize) parts.push(createHash('md5').update(body.subarray(at, at + partSize)).digest());
  return `${createHash('md5').update(Buffer.concat(parts)).digest('hex')}-${parts.length}`;
}

function multipartMatches(ds, key, etag) {
  const parts = Number(etag.split('-')[1]);
  const index = Number(key.replace(/\D/g, ''));
  const body = seededBody(ds, index);
  const candidates = new Set([5, 8, 16, 32, 64, 128].map((m) => m * MiB).filter((p) => Math.ceil(ds.size / p) === parts));
  candidates.add(Math.ceil(ds.size / parts / MiB) * MiB);
  return [...candidates].some((p) => multipartEtag(body, p) === etag);
}

/**
 * Compares a destination with the source listing. Returns the problems (empty = verified).
 * @param {Map<string, { size: number, etag: string }>} source
 */
async function verifyCopy(client, ds, source, dst) {
  const copied = await listAll(client, dst.bucket, dst.prefix);
  const problems = [];
  if (copied.size !== source.size) problems.push(`${copied.size} objects at the destination, ${source.size} at the source`);
  for (const [key, want] of source) {
    const got = copied.get(key);
    if (!got) { problems.push(`missing ${key}`); continue; }
    if (got.size !== want.size) problems.push(`${key}: size ${got.size}, source ${want.size}`);
    else if (got.etag !== want.etag && !(got.etag.includes('-') && multipartMatches(ds, key, got.etag))) {
      problems.push(`${key}: ETag ${got.etag}, source ${want.etag}`);
    }
    if (problems.length > 5) break;
  }
  return problems;
}

/** A delete is verified when nothing is left under the prefix. */
async function verifyDeleted(client, place) {
  const left = await listAll(client, place.bucket, place.prefix);
  return left.size === 0 ? [] : [`${left.size} objects left under s3://${place.bucket}/${place.prefix}`];
}

module.exports = { DATASETS, ensureSeeded, verifyCopy, verifyDeleted, multipartEtag, seededBody };
