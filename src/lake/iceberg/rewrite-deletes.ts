import { Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { parse, stringify } from 'lossless-json';
import { IntegrityError, UnsupportedError } from '../../errors';
import { parquet } from '../../parquet/wasm';
import { isObject, type JsonObject } from './json';
import type { LocationRewrite } from './location-rewrite';

/**
 * Position delete files name the data files they delete from, by path, inside the file:
 * the Parquet column `file_path` of a format 2 delete file, the `referenced-data-file`
 * blob property of a format 3 deletion vector (Puffin). A table moved to a new location
 * needs those rewritten too, or its deletes stop matching its data files and deleted rows
 * come back.
 */

/**
 * A Parquet position delete file with `file_path` at the new location. The other columns
 * (`pos`, an optional `row`), their Iceberg field ids and the file's key-value metadata
 * (`iceberg.schema`, `delete-type`) are kept; the file is written anew (zstd).
 */
export function rewritePositionDeleteFile(bytes: Uint8Array, rewrite: LocationRewrite, name: string): Uint8Array {
  let table: Table;
  try {
    table = tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  } catch (error) {
    throw new IntegrityError(`Iceberg position delete file ${name} does not read as Parquet: ${(error as Error).message}`);
  }
  const column = table.getChild('file_path');
  if (!column) throw new IntegrityError(`Iceberg position delete file ${name} has no file_path column`);
  const paths = column.toArray() as unknown as (string | null)[];
  const rewritten = vectorFromArray(paths.map((path) => (path === null ? null : rewrite.path(path, 'position delete target'))), new Utf8());
  const columns = Object.fromEntries(table.schema.fields.map((field) => [field.name, field.name === 'file_path' ? rewritten : table.getChild(field.name)!]));
  const out = new Table(table.schema, columns);
  const properties = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setKeyValueMetadata(new Map(table.schema.metadata))
    .build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(out, 'stream')), properties);
}

const PUFFIN_MAGIC = Buffer.from([0x50, 0x46, 0x41, 0x31]); // "PFA1"
const FOOTER_TAIL = 12; // payload size (int32 LE), flags (4 bytes), magic
const FLAG_COMPRESSED = 0x01;

/**
 * A Puffin file (spec: puffin-spec.md) whose blobs' `referenced-data-file` property is at
 * the new location. Blobs are kept byte for byte at their offsets (the manifests'
 * `content_offset` and `content_size_in_bytes` stay true); only the footer is rewritten.
 */
export function rewritePuffinReferences(bytes: Uint8Array, rewrite: LocationRewrite, name: string): Uint8Array {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string) => new IntegrityError(`Puffin file ${name}: ${why}`);
  if (buffer.length < 4 + 4 + FOOTER_TAIL || !buffer.subarray(0, 4).equals(PUFFIN_MAGIC) || !buffer.subarray(buffer.length - 4).equals(PUFFIN_MAGIC)) {
    throw fail('no Puffin magic at its start and end');
  }
  const payloadSize = buffer.readInt32LE(buffer.length - FOOTER_TAIL);
  const flags = buffer[buffer.length - 8]!;
  if (flags & FLAG_COMPRESSED) throw new UnsupportedError(`Puffin file ${name}: its footer is LZ4-compressed, which lakevault does not rewrite`);
  const footerStart = buffer.length - FOOTER_TAIL - payloadSize - 4;
  if (payloadSize < 0 || footerStart < 4 || !buffer.subarray(footerStart, footerStart + 4).equals(PUFFIN_MAGIC)) throw fail('footer size points outside the file');
  let footer: unknown;
  try {
    footer = parse(buffer.subarray(footerStart + 4, footerStart + 4 + payloadSize).toString('utf8'));
  } catch (error) {
    throw fail(`footer is not JSON (${(error as Error).message})`);
  }
  if (!isObject(footer) || !Array.isArray(footer['blobs'])) throw fail('footer has no blobs');
  for (const blob of footer['blobs']) {
    if (!isObject(blob) || !isObject(blob['properties'] ?? null)) continue;
    const properties = blob['properties'] as JsonObject;
    const referenced = properties['referenced-data-file'];
    if (typeof referenced === 'string') properties['referenced-data-file'] = rewrite.path(referenced, 'deletion vector target');
  }
  const payload = Buffer.from(stringify(footer) ?? '', 'utf8');
  const tail = Buffer.alloc(FOOTER_TAIL);
  tail.writeInt32LE(payload.length, 0);
  buffer.copy(tail, 4, buffer.length - 8, buffer.length - 4); // flags as they were
  PUFFIN_MAGIC.copy(tail, 8);
  return Buffer.concat([buffer.subarray(0, footerStart), PUFFIN_MAGIC, payload, tail]);
}
