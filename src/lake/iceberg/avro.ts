import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { deflateRaw, inflateRaw } from 'node:zlib';
import * as avro from 'avsc';
import { IntegrityError, UnsupportedError } from '../../errors';

/**
 * Avro object container files (Iceberg's manifest lists and manifests), read and written
 * with avsc. Avro `long`s are BigInt both ways: snapshot ids and sequence numbers are
 * 64-bit and a JavaScript number would round them.
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

const CODECS = { null: (buffer: Buffer, cb: (error: Error | null, out?: Buffer) => void) => cb(null, buffer), deflate: inflateRaw };
const ENCODERS = { null: (buffer: Buffer, cb: (error: Error | null, out?: Buffer) => void) => cb(null, buffer), deflate: deflateRaw };

export async function readAvroFile(bytes: Uint8Array, name: string): Promise<AvroFile> {
  let header: { meta: Record<string, Buffer> } | undefined;
  let schema: avro.Schema | undefined;
  const records: Record<string, unknown>[] = [];
  const decoder = new avro.streams.BlockDecoder({
    codecs: CODECS,
    parseHook: (parsed: avro.Schema) => {
      schema = parsed;
      return avroType(parsed) as unknown as avro.Schema;
    },
  } as unknown as avro.DecoderOptions);
  decoder.on('metadata', (_type: avro.Type, _codec: string, h: { meta: Record<string, Buffer> }) => { header = h; });
  try {
    await new Promise<void>((resolve, reject) => {
      decoder.on('data', (record: Record<string, unknown>) => records.push(record));
      decoder.on('error', reject);
      decoder.on('end', resolve);
      Readable.from([Buffer.from(bytes)]).on('error', reject).pipe(decoder);
    });
  } catch (error) {
    const message = (error as Error).message;
    if (/unknown codec/.test(message)) throw new UnsupportedError(`Avro file ${name}: ${message} (lakevault reads uncompressed and deflate Avro)`);
    throw new IntegrityError(`Avro file ${name} does not decode: ${message}`);
  }
  if (!header || !schema) throw new IntegrityError(`Avro file ${name} has no Avro header`);
  const { 'avro.schema': schemaText, 'avro.codec': codecBytes, ...metadata } = header.meta;
  const codec = (codecBytes?.toString() || 'null') as AvroFile['codec'];
  return { schema, schemaText: schemaText!, metadata, codec, records };
}

/** The container header, as the Avro specification defines it. */
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const MAGIC = Buffer.from('Obj\x01', 'latin1');

/** Encodes records with the file's writer schema (verbatim), header metadata and codec. */
export async function writeAvroFile(file: AvroFile): Promise<Uint8Array> {
  const sync = randomBytes(16);
  const header = HEADER.toBuffer({ magic: MAGIC, meta: { ...file.metadata, 'avro.schema': file.schemaText, 'avro.codec': Buffer.from(file.codec) }, sync });
  const encoder = new avro.streams.BlockEncoder(avroType(file.schema), {
    codec: file.codec,
    codecs: ENCODERS,
    syncMarker: sync,
    writeHeader: false,
  } as unknown as avro.EncoderOptions);
  const chunks: Buffer[] = [header];
  const done = new Promise<void>((resolve, reject) => {
    encoder.on('data', (chunk: Buffer) => chunks.push(chunk));
    encoder.on('error', reject);
    encoder.on('end', resolve);
  });
  for (const record of file.records) encoder.write(record);
  encoder.end();
  await done;
  return Buffer.concat(chunks);
}
