#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * lakevault's copy between two endpoints (src/store/cross-copy.ts), for the off-site bench
 * section until `lakevault backup copy --to` can stand in for it. Configured the way a user
 * configures an off-site location: the source on the primary endpoint (S3_ENDPOINT,
 * AWS_ACCESS_KEY_ID…), the destination on the backups location's own endpoint
 * (LAKEVAULT_BACKUPS_ENDPOINT, _PROFILE, _ACCESS_KEY_ID…).
 *
 *   node scripts/bench/cross-copy.js s3://bucket/prefix/ s3://bucket/prefix/
 *
 * Prints one JSON line: objects, bytes read and written, skipped, integrity used.
 * LAKEVAULT_CROSS_PART_SIZE / LAKEVAULT_CROSS_BUFFER_BYTES / LAKEVAULT_CROSS_CONCURRENCY tune it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { loadConfig } = require('../../dist/config/config');
const { openStore } = require('../../dist/store/open');
const { EndpointStores } = require('../../dist/store/endpoint-stores');
const { parseS3Uri } = require('../../dist/store/location');
const { crossCopy } = require('../../dist/store/cross-copy');

async function main() {
  const from = parseS3Uri(String(process.argv[2]));
  const to = parseS3Uri(String(process.argv[3]));
  const config = loadConfig();
  const primary = await openStore(config);
  const stores = new EndpointStores(config, primary);
  try {
    const offsite = await stores.forLocation('backups');
    if (offsite === primary) throw new Error('the backups location has no endpoint of its own: set LAKEVAULT_BACKUPS_ENDPOINT (or _PROFILE)');
    await offsite.store.ensureBucket(to.bucket);
    const present = new Map();
    for await (const object of offsite.store.list(to.bucket, to.prefix)) present.set(object.key, object);
    async function* items() {
      for await (const object of primary.store.list(from.bucket, from.prefix)) {
        yield { source: { bucket: from.bucket, key: object.key, size: object.size, etag: object.etag }, destination: { bucket: to.bucket, key: to.prefix + object.key.slice(from.prefix.length) } };
      }
    }
    const number = (name) => (process.env[name] ? Number(process.env[name]) : undefined);
    const result = await crossCopy(primary.store, offsite.store, items(), {
      present,
      probePrefix: to.prefix,
      ...(number('LAKEVAULT_CROSS_PART_SIZE') ? { partSize: number('LAKEVAULT_CROSS_PART_SIZE') } : {}),
      ...(number('LAKEVAULT_CROSS_BUFFER_BYTES') ? { bufferBytes: number('LAKEVAULT_CROSS_BUFFER_BYTES') } : {}),
      ...(number('LAKEVAULT_CROSS_CONCURRENCY') ? { concurrency: number('LAKEVAULT_CROSS_CONCURRENCY') } : {}),
    });
    process.stdout.write(JSON.stringify({
      objects: result.copied.length, skipped: result.skipped.length, bytesRead: result.bytesRead, bytesWritten: result.bytesWritten,
      integrity: result.integrity, elapsedMs: result.elapsedMs,
    }) + '\n');
  } finally {
    await stores.close();
    await primary.close();
  }
}

main().catch((error) => {
  process.stderr.write(`cross-copy: ${error?.message ?? error}\n`);
  process.exitCode = 1;
});
