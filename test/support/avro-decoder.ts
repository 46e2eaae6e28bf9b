import { inflateRawSync } from 'node:zlib';

/**
 * A minimal Avro object-container decoder written from the Avro specification, sharing no
 * code with lakevault's reader (which uses avsc): tests decode every file lakevault
 * rewrites with it. Longs decode as BigInt, ints as numbers; codecs null and deflate.
 */
export interface DecodedAvro {
  schema: AvroSchema;
  schemaText: string;
  meta: Record<string, Buffer>;
  records: Record<string, unknown>[];
}

type AvroSchema = string | AvroSchema[] | { type: string; name?: string; namespace?: string; fields?: { name: string; type: AvroSchema }[]; items?: AvroSchema; values?: AvroSchema; symbols?: string[]; size?: number };

class Cursor {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  long(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('Avro: varint runs past the end');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
    }
    return (result >> 1n) ^ -(result & 1n); // zigzag
  }
  bytes(): Buffer {
    const length = Number(this.long());
    if (length < 0 || this.pos + length > this.buf.length) throw new Error('Avro: bytes run past the end');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  fixed(size: number): Buffer {
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }
}

export function decodeAvroContainer(bytes: Uint8Array): DecodedAvro {
  const buf = Buffer.from(bytes);
  if (buf.subarray(0, 4).toString('latin1') !== 'Obj\x01') throw new Error('Avro: bad magic');
  const cursor = new Cursor(buf);
  cursor.pos = 4;
  const meta: Record<string, Buffer> = {};
  for (let count = cursor.long(); count !== 0n; count = cursor.long()) {
    if (count < 0n) { count = -count; cursor.long(); }
    for (let i = 0n; i < count; i++) meta[cursor.bytes().toString('utf8')] = Buffer.from(cursor.bytes());
  }
  const sync = Buffer.from(cursor.fixed(16));
  const schemaText = meta['avro.schema']!.toString('utf8');
  const schema = JSON.parse(schemaText) as AvroSchema;
  const codec = meta['avro.codec']?.toString() ?? 'null';
  const named = new Map<string, AvroSchema>();
  const records: Record<string, unknown>[] = [];
  while (cursor.pos < buf.length) {
    const count = Number(cursor.long());
    const block = cursor.bytes();
    if (!cursor.fixed(16).equals(sync)) throw new Error('Avro: sync marker mismatch');
    const data = codec === 'deflate' ? inflateRawSync(block) : codec === 'null' ? block : (() => { throw new Error(`Avro: codec ${codec}`); })();
    const inner = new Cursor(Buffer.from(data));
    for (let i = 0; i < count; i++) records.push(decodeValue(inner, schema, named, undefined) as Record<string, unknown>);
    if (inner.pos !== data.length) throw new Error('Avro: block has trailing bytes');
  }
  return { schema, schemaText, meta, records };
}

function decodeValue(c: Cursor, schema: AvroSchema, named: Map<string, AvroSchema>, namespace: string | undefined): unknown {
  if (Array.isArray(schema)) return decodeValue(c, schema[Number(c.long())]!, named, namespace);
  if (typeof schema === 'string') {
    switch (schema) {
      case 'null': return null;
      case 'boolean': return c.fixed(1)[0] === 1;
      case 'int': return Number(c.long());
      case 'long': return c.long();
      case 'float': return c.fixed(4).readFloatLE(0);
      case 'double': return c.fixed(8).readDoubleLE(0);
      case 'bytes': return Buffer.from(c.bytes());
      case 'string': return c.bytes().toString('utf8');
      default: {
        const ref = named.get(schema) ?? named.get(`${namespace}.${schema}`);
        if (!ref) throw new Error(`Avro: unknown type ${schema}`);
        return decodeValue(c, ref, named, namespace);
      }
    }
  }
  const ns = schema.namespace ?? (schema.name?.includes('.') ? schema.name.slice(0, schema.name.lastIndexOf('.')) : namespace);
  if (schema.name) {
    named.set(schema.name.includes('.') || !ns ? schema.name : `${ns}.${schema.name}`, schema);
    named.set(schema.name, schema);
  }
  switch (schema.type) {
    case 'record': {
      const out: Record<string, unknown> = {};
      for (const field of schema.fields!) out[field.name] = decodeValue(c, field.type, named, ns);
      return out;
    }
    case 'array': {
      const out: unknown[] = [];
      for (let n = c.long(); n !== 0n; n = c.long()) {
        if (n < 0n) { n = -n; c.long(); }
        for (let i = 0n; i < n; i++) out.push(decodeValue(c, schema.items!, named, ns));
      }
      return out;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let n = c.long(); n !== 0n; n = c.long()) {
        if (n < 0n) { n = -n; c.long(); }
        for (let i = 0n; i < n; i++) { const key = c.bytes().toString('utf8'); out[key] = decodeValue(c, schema.values!, named, ns); }
      }
      return out;
    }
    case 'enum': return schema.symbols![Number(c.long())];
    case 'fixed': return Buffer.from(c.fixed(schema.size!));
    default: return decodeValue(c, schema.type, named, ns);
  }
}
