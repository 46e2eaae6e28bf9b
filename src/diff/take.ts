import { DataType, makeData, RecordBatch, Struct, Type, type Data, type Schema } from 'apache-arrow';
import { UnsupportedError } from '../errors';

/**
 * The rows at `indexes` (in the order given) of a batch, copied into a new batch of the
 * same schema. Arrow's JavaScript library has no take kernel, and reading values through
 * `get()` is lossy for some types (timestamps come back in milliseconds): this copies the
 * buffers' bytes, so every value stays exactly what was stored. Flat types only — the ones
 * the row digest reads; anything nested is refused.
 */
export function takeRows(batch: RecordBatch, indexes: ArrayLike<number>): RecordBatch {
  const schema = batch.schema;
  const children = batch.data.children.map((child, column) => takeData(child, indexes, schema, column));
  const data = makeData({ type: new Struct(schema.fields), length: indexes.length, nullCount: 0, children });
  return new RecordBatch(schema, data);
}

function takeData(data: Data, indexes: ArrayLike<number>, schema: Schema, column: number): Data {
  const type = data.type as DataType;
  const length = indexes.length;
  const validity = takeValidity(data, indexes);
  const common = { type, length, nullCount: validity.nullCount, nullBitmap: validity.bitmap } as const;
  switch (type.typeId) {
    case Type.Null:
      return makeData({ type, length, nullCount: length } as never);
    case Type.Bool:
      return makeData({ ...common, data: takeBits(data.values as Uint8Array, data.offset, indexes) } as never);
    case Type.Utf8: case Type.Binary: case Type.LargeUtf8: case Type.LargeBinary: {
      const { offsets, values } = takeVariable(data, indexes);
      return makeData({ ...common, valueOffsets: offsets, data: values } as never);
    }
    case Type.Dictionary:
      return makeData({ ...common, data: takeFixed(data, indexes), dictionary: data.dictionary } as never);
    case Type.Int: case Type.Float: case Type.Date: case Type.Time: case Type.Timestamp: case Type.Duration:
    case Type.Interval: case Type.Decimal: case Type.FixedSizeBinary:
      return makeData({ ...common, data: takeFixed(data, indexes) } as never);
    default:
      throw notTakeable(schema, column);
  }
}

const FLAT = new Set([Type.Null, Type.Bool, Type.Utf8, Type.Binary, Type.LargeUtf8, Type.LargeBinary, Type.Dictionary, Type.Int, Type.Float, Type.Date, Type.Time, Type.Timestamp, Type.Duration, Type.Interval, Type.Decimal, Type.FixedSizeBinary]);

/** Refuses, before any row is read, a schema with a column takeRows cannot copy. */
export function checkTakeable(schema: Schema): void {
  const column = schema.fields.findIndex((field) => !FLAT.has((field.type as DataType).typeId));
  if (column >= 0) throw notTakeable(schema, column);
}

function notTakeable(schema: Schema, column: number): UnsupportedError {
  return new UnsupportedError(`column "${schema.fields[column]!.name}" (${String(schema.fields[column]!.type)}): rows of this type cannot be copied out (flat types only)`);
}

function bit(bits: Uint8Array, at: number): number {
  return (bits[at >> 3]! >> (at & 7)) & 1;
}

/** Bitmaps are not sliced with their data (apache-arrow): bit `offset + i` is row i's. */
function takeBits(bits: Uint8Array, offset: number, indexes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array((indexes.length + 7) >> 3);
  for (let j = 0; j < indexes.length; j++) if (bit(bits, offset + indexes[j]!)) out[j >> 3]! |= 1 << (j & 7);
  return out;
}

function takeValidity(data: Data, indexes: ArrayLike<number>): { bitmap: Uint8Array | undefined; nullCount: number } {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0) return { bitmap: undefined, nullCount: 0 };
  const bitmap = takeBits(data.nullBitmap, data.offset, indexes);
  let valid = 0;
  for (let j = 0; j < indexes.length; j++) valid += bit(bitmap, j);
  return { bitmap, nullCount: indexes.length - valid };
}

/** Fixed-width values are sliced with their data: row i's bytes start at i × width. */
function takeFixed(data: Data, indexes: ArrayLike<number>): Uint8Array {
  const values = data.values as ArrayBufferView & { BYTES_PER_ELEMENT: number };
  const width = values.BYTES_PER_ELEMENT * data.stride;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const out = new Uint8Array(indexes.length * width);
  for (let j = 0; j < indexes.length; j++) {
    const from = indexes[j]! * width;
    for (let k = 0; k < width; k++) out[j * width + k] = bytes[from + k]!;
  }
  return out;
}

/** Variable-width values: offsets are sliced with the data and point into the whole values buffer. */
function takeVariable(data: Data, indexes: ArrayLike<number>): { offsets: Int32Array | BigInt64Array; values: Uint8Array } {
  const large = data.valueOffsets instanceof BigInt64Array;
  const offsets = data.valueOffsets as Int32Array | BigInt64Array;
  const values = (data.values as Uint8Array | undefined) ?? new Uint8Array(0);
  const start = (i: number) => Number(offsets[i]!);
  let size = 0;
  for (let j = 0; j < indexes.length; j++) size += start(indexes[j]! + 1) - start(indexes[j]!);
  const out = new Uint8Array(size);
  const outOffsets = large ? new BigInt64Array(indexes.length + 1) : new Int32Array(indexes.length + 1);
  let at = 0;
  for (let j = 0; j < indexes.length; j++) {
    const from = start(indexes[j]!);
    const to = start(indexes[j]! + 1);
    out.set(values.subarray(from, to), at);
    at += to - from;
    if (large) (outOffsets as BigInt64Array)[j + 1] = BigInt(at); else (outOffsets as Int32Array)[j + 1] = at;
  }
  return { offsets: outOffsets, values: out };
}
