import { ConfigError } from '../errors';

/**
 * An endpoint as it may be printed: scheme, host, port and path, without user info (a
 * password) and without query or fragment (a presigned URL's signature). Text that is no
 * URL loses whatever sits between "//" and "@" and everything from "?" or "#".
 */
export function redactEndpoint(raw: string): string {
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.href;
  } catch {
    return raw.replace(/\/\/[^/?#]*@/, '//').replace(/[?#].*$/, '');
  }
}

/**
 * Checks S3_ENDPOINT (or --endpoint): `aws`, or an http(s) origin without user info, path
 * or query. Errors show the value redacted (redactEndpoint), never a password or a signature.
 */
export function checkEndpoint(raw: string, name: string): string {
  if (raw === 'aws') return raw;
  const shown = redactEndpoint(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${shown}" (expected e.g. http://127.0.0.1:9000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name} must start with http:// or https://, got "${shown}"`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${name} must not hold a user name or password (keys go in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), got "${shown}"`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`${name} must be a bare origin without path or query, got "${shown}"`);
  }
  return url.origin;
}
