import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import * as avro from 'avsc';
import { IntegrityError, UnsupportedError } from '../../errors';

/**
 * Avro object container files (Iceberg's manifest lists and manifests), read and written
 * with avsc's types. Avro `long`s are BigInt both ways: snapshot ids and sequence numbers
 * are 64-bit and a JavaScript number would round them. Reading is strict: a file that
 * ends inside a block, or a block with bytes left over, is an error, never fewer records.
 */
export interface AvroFile {
  /** The writer schema, as JSON. */
  schema: avro.Schema;
  /**
   * The writer schema exactly as the header held it. A rewrite writes it back verbatim:
   * avsc's own schema export drops field attributes, and Iceberg readers project manifest
   * columns by their `field-id` attributes.
   */
  schemaText: Buffer;
  /** Header metadata besides the schema and codec (Iceberg's `schema`, `partition-spec`, `format-version`, `content` …). */
  metadata: Record<string, Buffer>;
  codec: 'null' | 'deflate';
  records: Record<string, unknown>[];
}

const BIGINT_LONG = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (value: bigint) => {
    const buffer = Buffer.alloc(8);
    buffer.writeBigInt64LE(value);
    return buffer;
  },
  fromJSON: (value: unknown) => BigInt(value as string),
  toJSON: (value: bigint) => value.toString(),
  isValid: (value: unknown) => typeof value === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/** A Type for an Iceberg schema: BigInt longs; Iceberg's logical types read as their underlying type. */
export function avroType(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { registry: { long: BIGINT_LONG } } as Partial<avro.ForSchemaOptions>);
}

/** The container header and data block, as the Avro specification defines them. */
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const BLOCK = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Block',
  fields: [
    { name: 'count', type: 'long' },
    { name: 'data', type: 'bytes' },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const MAGIC = Buffer.from('Obj\x01', 'latin1');

export async function readAvroFile(bytes: Uint8Array, name: string): Promise<AvroFile> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string) => new IntegrityError(`Avro file ${name} does not decode: ${why}`);
  if (!buffer.subarray(0, 4).equals(MAGIC)) throw fail('no Avro magic at its start');
  const header = decodeAt<{ meta: Record<string, Buffer>; sync: Buffer }>(HEADER, buffer, 0, fail, 'header');
  const { 'avro.schema': schemaText, 'avro.codec': codecBytes, ...metadata } = header.value.meta;
  const codec = codecBytes?.toString() || 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new UnsupportedError(`Avro file ${name}: codec ${codec} (lakevault reads uncompressed and deflate Avro)`);
  if (!schemaText) throw fail('no schema in its header');
  let schema: avro.Schema;
  let type: avro.Type;
  try {
    schema = JSON.parse(schemaText.toString('utf8')) as avro.Schema;
    type = avroType(schema);
  } catch (error) {
    throw fail(`its schema does not parse (${(error as Error).message})`);
  }

  const records: Record<string, unknown>[] = [];
  let offset = header.offset;
  while (offset < buffer.length) {
    const block = decodeAt<{ count: number; data: Buffer; sync: Buffer }>(BLOCK, buffer, offset, fail, `block at byte ${offset}`);
    if (!block.value.sync.equals(header.value.sync)) throw fail(`block at byte ${offset} does not end with the file's sync marker`);
    let data: Buffer;
    try {
      data = codec === 'deflate' ? inflateRawSync(block.value.data) : block.value.data;
    } catch (error) {
      throw fail(`block at byte ${offset} does not inflate (${(error as Error).message})`);
    }
    let position = 0;
    for (let i = 0; i < block.value.count; i++) {
      const record = decodeAt<Record<string, unknown>>(type, data, position, fail, `record ${records.length}`);
      records.push(record.value);
      position = record.offset;
    }
    if (position !== data.length) throw fail(`block at byte ${offset} has ${data.length - position} bytes after its ${block.value.count} records`);
    offset = block.offset;
  }
  return { schema, schemaText, metadata, codec, records };
}

function decodeAt<T>(type: avro.Type, buffer: Buffer, offset: number, fail: (why: string) => Error, what: string): { value: T; offset: number } {
  let decoded: { value: unknown; offset: number };
  try {
    decoded = type.decode(buffer, offset);
  } catch (error) {
    throw fail(`${what}: ${(error as Error).message}`);
  }
  if (decoded.offset < 0) throw fail(`${what} is cut short (the file ends inside it)`);
  return decoded as { value: T; offset: number };
}

/** Encodes records with the file's writer schema (verbatim), header metadata and codec, in one block. */
export async function writeAvroFile(file: AvroFile): Promise<Uint8Array> {
  const sync = randomBytes(16);
  const header = HEADER.toBuffer({ magic: MAGIC, meta: { ...file.metadata, 'avro.schema': file.schemaText, 'avro.codec': Buffer.from(file.codec) }, sync });
  if (file.records.length === 0) return header;
  const type = avroType(file.schema);
  const raw = Buffer.concat(file.records.map((record) => type.toBuffer(record)));
  const data = file.codec === 'deflate' ? deflateRawSync(raw) : raw;
  return Buffer.concat([header, BLOCK.toBuffer({ count: file.records.length, data, sync })]);
}
