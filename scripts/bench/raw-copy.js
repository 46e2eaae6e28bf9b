#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The ceiling contender: the AWS SDK's CopyObject in a plain promise pool, nothing else —
 * no ETag pinning, no progress, no result kept. Lists the source page by page (streamed)
 * like every other contender.
 *
 *   node scripts/bench/raw-copy.js s3://src/prefix/ s3://dst/prefix/ CONCURRENCY
 *
 * Endpoint and keys come from S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { CopyObjectCommand, paginateListObjectsV2 } = require('@aws-sdk/client-s3');
const { harnessClient } = require('./lib/s3');

/** @param {string} uri */
function parse(uri) {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket: m[1], prefix: m[2] };
}

async function main() {
  const [srcUri, dstUri, rawConcurrency] = process.argv.slice(2);
  const src = parse(srcUri);
  const dst = parse(dstUri);
  const concurrency = Number(rawConcurrency ?? 64);
  const client = harnessClient({
    endpoint: String(process.env.S3_ENDPOINT),
    accessKeyId: String(process.env.AWS_ACCESS_KEY_ID),
    secretAccessKey: String(process.env.AWS_SECRET_ACCESS_KEY),
    concurrency,
  });
  async function* keys() {
    for await (const page of paginateListObjectsV2({ client, pageSize: 1000 }, { Bucket: src.bucket, Prefix: src.prefix })) {
      for (const item of page.Contents ?? []) yield String(item.Key);
    }
  }
  const iterator = keys();
  let pulling = Promise.resolve();
  /** @returns {Promise<IteratorResult<string>>} one pull at a time: async generators queue anyway */
  const next = () => {
    const step = pulling.then(() => iterator.next());
    pulling = step.then(() => undefined, () => undefined);
    return step;
  };
  let copied = 0;
  const lane = async () => {
    for (let step = await next(); !step.done; step = await next()) {
      const key = step.value;
      const target = dst.prefix + key.slice(src.prefix.length);
      const source = `${src.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
      await client.send(new CopyObjectCommand({ Bucket: dst.bucket, Key: target, CopySource: source }));
      copied += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  client.destroy();
  process.stdout.write(JSON.stringify({ copied }) + '\n');
}

main().catch((error) => {
  process.stderr.write(`raw-copy: ${error?.message ?? error}\n`);
  process.exitCode = 1;
});
