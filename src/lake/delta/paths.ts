import { IntegrityError, UnsupportedError } from '../../errors';
import { keyUnder } from '../../store/key-boundary';
import type { Location } from '../../store/location';
import type { DeletionVector } from './actions';

/**
 * Delta's `add.path` is a URI: relative to the table root and percent-encoded (a Spark
 * partition directory `a%3Db` is written `a%253Db`), or absolute (a shallow clone's files
 * elsewhere). This turns it into the object key relative to the table prefix — one that
 * stays inside it (a log naming `../other/part.parquet` is an integrity error).
 */
export function relativeKeyOfPath(path: string, table: Location, where: string): string {
  const absolute = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(path);
  if (absolute) {
    const scheme = absolute[1]!.toLowerCase();
    const m = /^[a-zA-Z0-9+.-]+:\/\/([^/]+)\/(.*)$/.exec(path);
    if ((scheme === 's3' || scheme === 's3a' || scheme === 's3n') && m && m[1] === table.bucket) {
      const key = decodePath(m[2]!, where);
      if (key.startsWith(table.prefix)) return inside(key.slice(table.prefix.length), table, where);
    }
    throw new UnsupportedError(`${where}: file ${path} lies outside the table s3://${table.bucket}/${table.prefix} (shallow clones and external files are not backed up)`);
  }
  return inside(decodePath(path.replace(/^\/+/, ''), where), table, where);
}

function inside(relativeKey: string, table: Location, where: string): string {
  keyUnder(table.prefix, relativeKey, where);
  return relativeKey;
}

function decodePath(path: string, where: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new IntegrityError(`${where}: path "${path}" is not a valid percent-encoded URI`);
  }
}

/** Z85 (ZeroMQ base-85), which Delta uses to write deletion-vector UUIDs in 20 characters. */
const Z85 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

export function decodeZ85(text: string): Buffer {
  if (text.length % 5 !== 0) throw new IntegrityError(`"${text}" is not Z85 (length ${text.length} is not a multiple of 5)`);
  const out = Buffer.alloc((text.length / 5) * 4);
  for (let i = 0; i < text.length; i += 5) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const digit = Z85.indexOf(text[i + j]!);
      if (digit < 0) throw new IntegrityError(`"${text}" is not Z85 (character "${text[i + j]}")`);
      value = value * 85 + digit;
    }
    out.writeUInt32BE(value >>> 0, (i / 5) * 4);
  }
  return out;
}

/**
 * The file a deletion vector is stored in, relative to the table prefix, or undefined
 * for an inline one. 'u': <random prefix><20-char Z85 UUID> → <prefix>/deletion_vector_<uuid>.bin;
 * 'p': an absolute path; 'i': inline (no file).
 */
export function deletionVectorKey(dv: DeletionVector, table: Location, where: string): string | undefined {
  if (dv.storageType === 'i') return undefined;
  if (dv.storageType === 'p') return relativeKeyOfPath(dv.pathOrInlineDv, table, where);
  if (dv.storageType === 'u') {
    const encoded = dv.pathOrInlineDv;
    if (encoded.length < 20) throw new IntegrityError(`${where}: deletion vector id "${encoded}" is too short`);
    const prefix = encoded.slice(0, encoded.length - 20);
    const hex = decodeZ85(encoded.slice(-20)).toString('hex');
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    return inside(`${prefix ? prefix + '/' : ''}deletion_vector_${uuid}.bin`, table, where);
  }
  throw new UnsupportedError(`${where}: deletion vector storage type "${dv.storageType}" is not known`);
}
