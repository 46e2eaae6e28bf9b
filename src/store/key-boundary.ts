import { IntegrityError } from '../errors';

/**
 * The one rule for keys that lakevault reads from anywhere it does not control — a table
 * or snapshot manifest, a pending or retained marker, a Delta log, an s3:// URI — before it
 * joins them to a prefix: the result must name an object strictly inside that prefix.
 *
 * S3 itself treats a key as an opaque string, but the embedded server (a filesystem) and
 * any tool that maps keys to paths resolve "..", "." and "//"; a key that climbs out of its
 * prefix would make a restore overwrite, or a delete remove, another table's objects. So a
 * key is refused when it is empty, starts with "/", holds a "..", "." or empty segment
 * (a trailing "/" — a directory marker — is allowed), or a control character. Everything
 * else — spaces, unicode, "%", "+", "=", "#", "&" — is kept byte for byte.
 */
export function relativeKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'it holds a control character';
  if (key.startsWith('/')) return 'it starts with "/"';
  const segments = key.split('/');
  for (const [index, segment] of segments.entries()) {
    if (segment === '..') return 'it has a ".." segment';
    if (segment === '.') return 'it has a "." segment';
    if (segment === '' && index < segments.length - 1) return 'it has an empty segment ("//")';
  }
  return undefined;
}

/** Checks a relative key read from stored data (`where`); one that would leave `scope` is an integrity error. */
export function checkRelativeKey(key: string, where: string, scope: string): string {
  const problem = relativeKeyProblem(key);
  if (problem) throw new IntegrityError(`${where}: key "${printable(key)}" leaves ${scope}: ${problem}`);
  return key;
}

/**
 * Checks that a manifest names no key twice: a file listed twice is restored, counted and
 * read twice (a table of twice its rows), and two records of one stored object give a
 * table one file under two names — both validate, as each record matches its object.
 */
export function checkDistinctKeys(keys: readonly string[], where: string): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new IntegrityError(`${where}: key "${printable(key)}" is listed twice`);
    seen.add(key);
  }
}

/** `prefix + key` for a key read from stored data; one that would leave the prefix is an integrity error. */
export function keyUnder(prefix: string, key: string, where: string): string {
  return prefix + checkRelativeKey(key, where, prefix || 'the bucket root');
}

/**
 * Checks that a full key read from stored data lies strictly inside `prefix` (starts with it,
 * and the rest passes relativeKeyProblem); returns the rest.
 */
export function keyInside(prefix: string, key: string, where: string): string {
  if (!key.startsWith(prefix)) throw new IntegrityError(`${where}: key "${printable(key)}" is outside ${prefix || 'the bucket root'}`);
  const rest = key.slice(prefix.length);
  const problem = relativeKeyProblem(rest);
  if (problem) throw new IntegrityError(`${where}: key "${printable(key)}" leaves ${prefix}: ${problem}`);
  return rest;
}

/** A key as it may be printed on one line: control characters escaped. */
export function printable(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
