import { gunzipSync, gzipSync } from 'node:zlib';
import { isLosslessNumber, parse, stringify, type LosslessNumber } from 'lossless-json';
import { IntegrityError } from '../../errors';

/**
 * Table metadata JSON, parsed losslessly: every number stays the text it was written as
 * (a LosslessNumber), so snapshot ids above 2^53 survive a read and a rewrite exactly.
 * `*.metadata.json.gz` and `*.gz.metadata.json` files are gzip: read and written as such.
 */
export type JsonValue = string | boolean | null | LosslessNumber | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface MetadataDocument {
  json: JsonObject;
  gzip: boolean;
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function parseMetadataBytes(bytes: Uint8Array, name: string): MetadataDocument {
  const gzip = bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
  let text: string;
  try {
    text = Buffer.from(gzip ? gunzipSync(bytes) : bytes).toString('utf8');
  } catch (error) {
    throw new IntegrityError(`Iceberg metadata ${name}: not gzip nor JSON (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = parse(text);
  } catch (error) {
    throw new IntegrityError(`Iceberg metadata ${name} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(json)) throw new IntegrityError(`Iceberg metadata ${name} is not a JSON object`);
  return { json, gzip };
}

/** Bytes of a metadata document, numbers exactly as read; gzip when the source was. */
export function metadataBytes(document: MetadataDocument): Uint8Array {
  const text = stringify(document.json, undefined, 2) ?? '';
  const bytes = Buffer.from(text, 'utf8');
  return document.gzip ? gzipSync(bytes) : bytes;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}

/** An integer field as a BigInt (ids, sequence numbers, timestamps), or undefined when absent/null. */
export function bigintField(object: JsonObject, key: string, where: string): bigint | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (isLosslessNumber(value) && /^-?\d+$/.test(value.value)) return BigInt(value.value);
  throw new IntegrityError(`Iceberg metadata ${where}: "${key}" is not an integer`);
}

export function numberField(object: JsonObject, key: string, where: string): number | undefined {
  const value = bigintField(object, key, where);
  if (value === undefined) return undefined;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new IntegrityError(`Iceberg metadata ${where}: "${key}" is out of range`);
  return Number(value);
}

export function stringField(object: JsonObject, key: string, where: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw new IntegrityError(`Iceberg metadata ${where}: "${key}" is not a string`);
}

export function arrayField(object: JsonObject, key: string, where: string): JsonValue[] {
  const value = object[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw new IntegrityError(`Iceberg metadata ${where}: "${key}" is not an array`);
}

export function objectsIn(object: JsonObject, key: string, where: string): JsonObject[] {
  return arrayField(object, key, where).map((item, index) => {
    if (!isObject(item)) throw new IntegrityError(`Iceberg metadata ${where}: ${key}[${index}] is not an object`);
    return item;
  });
}
