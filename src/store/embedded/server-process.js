// Child process that runs the embedded S3 server (@20minutes/s3rver).
// Run with `node --openssl-legacy-provider`: s3rver's listing continuation tokens use DES,
// which OpenSSL 3 refuses without it (listings past 1,000 keys would fail with 500).
// Usage: node --openssl-legacy-provider server-process.js <directory> <port>
'use strict';
const S3rver = require('@20minutes/s3rver');
const { fixDelimiterListing, fixDoubleXmlEscaping } = require('./s3rver-fixes');

const [directory, port] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port || 0),
  directory,
  silent: true,
  // The SDK signs with the configured region and path-style URLs; s3rver's own check
  // rejects some valid signatures (CreateBucket 403), so it is told not to enforce them.
  allowMismatchedSignatures: true,
});
// s3rver decodes x-amz-copy-source with decodeURI, which leaves %2B, %3F, %23 ... encoded,
// so keys holding '+', '?', '#', '&', '=' would not be found. Re-encode the header so that
// decodeURI yields the exact key the (correctly URL-encoded) request named.
server.middleware.unshift(async (ctx, next) => {
  const header = ctx.headers['x-amz-copy-source'];
  if (typeof header === 'string') {
    const [path, query] = header.split('?');
    const exact = path.split('/').map((segment) => decodeURIComponent(segment)).join('/');
    ctx.headers['x-amz-copy-source'] = encodeURI(exact) + (query !== undefined ? `?${query}` : '');
  }
  await next();
});
fixDoubleXmlEscaping(server);
fixDelimiterListing(server);
server.run().then(
  (address) => { process.stdout.write(`READY ${address.port}\n`); },
  (error) => { process.stderr.write(`embedded S3 server failed to start: ${error.message}\n`); process.exit(1); },
);
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Exit with the parent: it holds our stdin open.
process.stdin.on('end', stop);
process.stdin.resume();
