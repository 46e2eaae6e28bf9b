#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * lakevault's delete path, for the "delete of A" comparison until `lakevault backup delete`
 * can stand in for it: the store layer's streamed listing feeding DeleteObjects batches of
 * 1,000 keys (S3Store.deleteKeys), a few batches in flight. Configured like the CLI
 * (S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
 *
 *   node scripts/bench/lakevault-delete.js s3://bucket/prefix/
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { loadConfig } = require('../../dist/config/config');
const { openStore } = require('../../dist/store/open');
const { parseS3Uri } = require('../../dist/store/location');

const BATCH = 1000;
const BATCHES_IN_FLIGHT = 4;

async function main() {
  const location = parseS3Uri(String(process.argv[2]));
  const open = await openStore(loadConfig());
  try {
    /** @type {Set<Promise<void>>} */
    const inFlight = new Set();
    let deleted = 0;
    const failures = [];
    const send = (keys) => {
      const done = open.store.deleteKeys(location.bucket, keys).then((result) => {
        deleted += result.deleted.length;
        failures.push(...result.errors);
      }).finally(() => inFlight.delete(done));
      inFlight.add(done);
    };
    let batch = [];
    for await (const object of open.store.list(location.bucket, location.prefix)) {
      batch.push(object.key);
      if (batch.length === BATCH) {
        send(batch);
        batch = [];
        if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      }
    }
    if (batch.length > 0) send(batch);
    await Promise.all(inFlight);
    if (failures.length > 0) throw new Error(`${failures.length} keys not deleted, first: ${failures[0].key} ${failures[0].code}`);
    process.stdout.write(JSON.stringify({ deleted }) + '\n');
  } finally {
    await open.close();
  }
}

main().catch((error) => {
  process.stderr.write(`lakevault-delete: ${error?.message ?? error}\n`);
  process.exitCode = 1;
});
