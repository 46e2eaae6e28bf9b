// Fixes for @20minutes/s3rver's listing, applied to the server instance in the embedded
// server's child process (see server-process.js).
'use strict';
const { walk } = require('@20minutes/s3rver/lib/utils');

const OBJECT_SUFFIX = '._S3rver_object';

/**
 * With a delimiter, s3rver does not descend below a would-be common prefix, so a prefix
 * whose objects all sit deeper (warehouse/t/_lakevault/table.json, warehouse/t/data/...)
 * is never reported: `table list` saw no tables. This finds those prefixes by walking the
 * store's directories, stopping under each prefix as soon as one object proves it.
 */
function fixDelimiterListing(server) {
  const store = server.store;
  const original = store.listObjects.bind(store);
  store.listObjects = async (bucket, options) => {
    const result = await original(bucket, options);
    const { delimiter = '', prefix = '', startAfter = '' } = options;
    if (!delimiter) return result;
    const bucketPath = store.getBucketPath(bucket);
    const found = new Set(result.commonPrefixes);
    const under = (key) => [...found].some((common) => key.startsWith(common));
    const files = walk(bucketPath, (dirPath) => {
      const key = dirPath.slice(bucketPath.length + 1) + '/';
      if (!key.startsWith(prefix)) return prefix.startsWith(key); // on the way down to the prefix
      return !under(key);
    });
    for (const file of files) {
      if (!file.endsWith(OBJECT_SUFFIX)) continue;
      const key = file.slice(bucketPath.length + 1, -OBJECT_SUFFIX.length);
      if (key <= startAfter || !key.startsWith(prefix)) continue;
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) found.add(key.slice(0, at + delimiter.length));
    }
    result.commonPrefixes = [...found].sort();
    return result;
  };
}

/**
 * s3rver escapes XML text twice (its own he.escape, then the XML builder's), so a listing
 * reports the key "a&b" as "a&amp;b", and "it's" as "it&#x27;s". Every '&' of the doubly
 * escaped document starts an "&amp;" that the second pass added: undo that pass.
 */
function fixDoubleXmlEscaping(server) {
  server.middleware.unshift(async (ctx, next) => {
    await next();
    if (typeof ctx.body === 'string' && ctx.body.startsWith('<?xml')) {
      ctx.body = ctx.body.replaceAll('&amp;', '&');
    }
  });
}

module.exports = { fixDelimiterListing, fixDoubleXmlEscaping };
