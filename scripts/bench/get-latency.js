#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * One request at a time: ranged GETs of the first objects under a prefix through lakevault's
 * store (its direct read path, keep-alive sockets), and what each took. Shows a fixed stall
 * per request that many requests in flight hide (Ceph RGW with beast's tcp_nodelay off holds a
 * small answer's body until the client's delayed ACK).
 *
 *   node scripts/bench/get-latency.js s3://BUCKET/PREFIX/ [COUNT]   → JSON { count, p50Ms, p90Ms, meanMs }
 *
 * S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY say where.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { join } = require('node:path');
const DIST = join(__dirname, '..', '..', 'dist');
const { createS3Client } = require(join(DIST, 'store', 'client'));
const { S3Store } = require(join(DIST, 'store', 's3-store'));
const { parseS3Uri } = require(join(DIST, 'store', 'location'));

async function main() {
  const [uri, countArg] = process.argv.slice(2);
  const { bucket, prefix } = parseS3Uri(uri);
  const count = Number(countArg ?? 50);
  const client = createS3Client({
    endpoint: process.env.S3_ENDPOINT, forcePathStyle: true, region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '' },
    concurrency: 8, maxAttempts: 3, requestTimeoutMs: 30_000,
  });
  const store = new S3Store(client, { endpoint: process.env.S3_ENDPOINT ?? '', multipartThreshold: 2 ** 40, multipartPartSize: 2 ** 30 });
  try {
    const objects = [];
    for await (const object of store.list(bucket, prefix)) {
      objects.push(object);
      if (objects.length >= count + 1) break;
    }
    if (objects.length < 2) throw new Error(`fewer than two objects under ${uri}`);
    const times = [];
    // The first request opens the connection: not counted.
    for (const [index, object] of objects.entries()) {
      const started = process.hrtime.bigint();
      await store.getRange(bucket, object.key, Math.max(0, object.size - 64 * 1024), object.size);
      if (index > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    process.stdout.write(`${JSON.stringify({ count: times.length, p50Ms: at(0.5), p90Ms: at(0.9), meanMs: times.reduce((a, b) => a + b, 0) / times.length })}\n`);
  } finally {
    client.destroy();
  }
}

main().catch((error) => {
  process.stderr.write(`get-latency: ${error?.message ?? error}\n`);
  process.exitCode = 1;
});
