import {
  Binary, Bool, DataType, DateDay, DateUnit, Decimal, Field, FixedSizeBinary, Float16, Float32, Float64, Int, Int32, Int64, List, Map_, Null,
  Precision, Schema, Struct, Table, tableFromIPC, tableToIPC, Timestamp, TimeUnit, Type, Uint64, Utf8,
} from 'apache-arrow';
import type { RawColumn } from '../digest/raw-column';
import { formatOf } from '../digest/arrow-columns';
import type { FileMetaData, Hyparquet, SchemaElement } from './hyparquet';
import type { FileFooter } from './file-footer';

/**
 * hyparquet as the second reader: for the files parquet-wasm cannot decode (a decoder gap,
 * not corrupt data — the pages were checked first). It returns plain JavaScript values; they
 * are laid out here as the columns parquet-wasm would have produced for the file's Arrow
 * schema (the one parquet-wasm read from the footer), so the digests are the same whichever
 * reader read the file. Types whose values hyparquet does not return exactly (decimals as
 * floating point, maps as objects whose keys it reorders, float16 as numbers that lose NaN
 * payloads, intervals) are left undigested and named.
 */
export interface AsyncBytes {
  byteLength: number;
  slice(start: number, end?: number): Promise<ArrayBuffer>;
}

/** Raw values rather than JavaScript objects: bytes as stored, timestamps as integers in their unit. */
const RAW_PARSERS = {
  timestampFromMilliseconds: (value: bigint) => ({ unit: TimeUnit.MILLISECOND, value: BigInt(value) }),
  timestampFromMicroseconds: (value: bigint) => ({ unit: TimeUnit.MICROSECOND, value: BigInt(value) }),
  timestampFromNanoseconds: (value: bigint) => ({ unit: TimeUnit.NANOSECOND, value: BigInt(value) }),
  dateFromDays: (days: number) => days,
  stringFromBytes: (bytes: Uint8Array) => bytes,
  jsonFromBytes: (bytes: Uint8Array) => bytes,
  geometryFromBytes: (bytes: Uint8Array) => bytes,
  geographyFromBytes: (bytes: Uint8Array) => bytes,
  uuidFromBytes: (bytes: Uint8Array) => bytes,
};

/** Rows [rowStart, rowEnd) of the file, one column of values per top-level field. */
export async function readRowsWithHyparquet(hyparquet: Hyparquet, file: AsyncBytes, metadata: FileMetaData, names: string[], rowStart: number, rowEnd: number): Promise<unknown[][]> {
  const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
    hyparquet.core.parquetRead({
      file, metadata, rowStart, rowEnd, rowFormat: 'object', utf8: false, geoparquet: false,
      compressors: hyparquet.compressors.compressors, parsers: RAW_PARSERS, onComplete: resolve,
    }).catch(reject);
  });
  if (rows.length !== rowEnd - rowStart) throw new Error(`hyparquet read ${rows.length} of rows ${rowStart} to ${rowEnd}`);
  return names.map((name) => rows.map((row) => row[name]));
}

/** The values of one column as a RawColumn of `type`; undefined when they cannot be laid out exactly. */
export function rawFromValues(values: unknown[], type: DataType): RawColumn | undefined {
  try {
    return build(values, type);
  } catch (error) {
    if (error instanceof Inexact) return undefined;
    throw error;
  }
}

class Inexact extends Error {}

function build(values: unknown[], type: DataType): RawColumn {
  const length = values.length;
  const validity = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null || value === undefined) nullCount += 1;
    else validity[i >> 3]! |= 1 << (i & 7);
  });
  const base = { length, offset: 0, nullCount, validity: nullCount ? validity : null };
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null:
      return { ...base, format: 'n', buffers: [] };
    case Type.Bool: {
      const bits = new Uint8Array((length + 7) >> 3);
      values.forEach((value, i) => { if (value === true) bits[i >> 3]! |= 1 << (i & 7); else if (value !== false && value != null) throw new Inexact(); });
      return { ...base, format: 'b', buffers: [bits] };
    }
    case Type.Int: {
      const bits = t.bitWidth as number;
      const signed = t.isSigned as boolean;
      const array = bits === 64 ? (signed ? new BigInt64Array(length) : new BigUint64Array(length))
        : bits === 32 ? (signed ? new Int32Array(length) : new Uint32Array(length))
          : bits === 16 ? (signed ? new Int16Array(length) : new Uint16Array(length))
            : (signed ? new Int8Array(length) : new Uint8Array(length));
      values.forEach((value, i) => {
        if (value == null) return;
        if (typeof value !== 'number' && typeof value !== 'bigint') throw new Inexact();
        (array as unknown as (number | bigint)[])[i] = bits === 64 ? BigInt(value) : Number(value);
      });
      return { ...base, format: formatOf(type), buffers: [bytesOf(array)] };
    }
    case Type.Float: {
      if (t.precision === Precision.HALF) throw new Inexact();
      const array = t.precision === Precision.SINGLE ? new Float32Array(length) : new Float64Array(length);
      values.forEach((value, i) => { if (value == null) return; if (typeof value !== 'number') throw new Inexact(); array[i] = value; });
      return { ...base, format: formatOf(type), buffers: [bytesOf(array)] };
    }
    case Type.Utf8: case Type.LargeUtf8: case Type.Binary: case Type.LargeBinary: case Type.Utf8View: case Type.BinaryView: {
      const text = type.typeId === Type.Utf8 || type.typeId === Type.LargeUtf8 || type.typeId === Type.Utf8View;
      const chunks = values.map((value) => (value == null ? new Uint8Array(0) : asBytes(value)));
      const offsets = new Int32Array(length + 1);
      chunks.forEach((chunk, i) => { offsets[i + 1] = offsets[i]! + chunk.length; });
      const data = new Uint8Array(offsets[length]!);
      chunks.forEach((chunk, i) => data.set(chunk, offsets[i]!));
      return { ...base, format: text ? 'u' : 'z', buffers: [bytesOf(offsets), data] };
    }
    case Type.FixedSizeBinary: {
      const width = t.byteWidth as number;
      const data = new Uint8Array(length * width);
      values.forEach((value, i) => { if (value == null) return; const bytes = asBytes(value); if (bytes.length !== width) throw new Inexact(); data.set(bytes, i * width); });
      return { ...base, format: formatOf(type), buffers: [data] };
    }
    case Type.Date: {
      if (t.unit !== DateUnit.DAY) throw new Inexact();
      const days = new Int32Array(length);
      values.forEach((value, i) => { if (value == null) return; if (typeof value !== 'number') throw new Inexact(); days[i] = value; });
      return { ...base, format: formatOf(type), buffers: [bytesOf(days)] };
    }
    case Type.Timestamp: {
      const unit = t.unit as TimeUnit;
      const array = new BigInt64Array(length);
      values.forEach((value, i) => {
        if (value == null) return;
        const stamp = value as { unit?: TimeUnit; value?: bigint };
        if (stamp.unit === undefined || typeof stamp.value !== 'bigint') throw new Inexact();
        const scaled = rescale(stamp.value, stamp.unit, unit);
        // Past int64 (INT96 dates far from 1970 in nanoseconds) the first reader's wrapping is its own.
        if (BigInt.asIntN(64, scaled) !== scaled) throw new Inexact();
        array[i] = scaled;
      });
      return { ...base, format: formatOf(type), buffers: [bytesOf(array)] };
    }
    case Type.Dictionary:
      return build(values, t.dictionary as DataType);
    case Type.List: case Type.LargeList: case Type.FixedSizeList: {
      const child = (type.children[0] as Field).type as DataType;
      const size = type.typeId === Type.FixedSizeList ? (t.listSize as number) : undefined;
      const flat: unknown[] = [];
      const offsets = new Int32Array(length + 1);
      values.forEach((value, i) => {
        if (value != null && !Array.isArray(value)) throw new Inexact();
        const items = (value as unknown[] | null | undefined) ?? (size !== undefined ? new Array(size).fill(null) : []);
        if (size !== undefined && items.length !== size) throw new Inexact();
        flat.push(...items);
        offsets[i + 1] = flat.length;
      });
      const children = [build(flat, child)];
      return size !== undefined
        ? { ...base, format: formatOf(type), buffers: [], children }
        : { ...base, format: '+l', buffers: [bytesOf(offsets)], children };
    }
    case Type.Struct: {
      const children = (type.children as Field[]).map((field) => build(values.map((value) => {
        if (value == null) return null;
        if (typeof value !== 'object') throw new Inexact();
        return (value as Record<string, unknown>)[field.name];
      }), field.type as DataType));
      return { ...base, format: '+s', buffers: [], children };
    }
    default:
      throw new Inexact(); // decimals, maps, intervals, durations, times, float16: see the module comment
  }
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new Inexact();
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

const PER_SECOND: Record<TimeUnit, bigint> = {
  [TimeUnit.SECOND]: 1n, [TimeUnit.MILLISECOND]: 1_000n, [TimeUnit.MICROSECOND]: 1_000_000n, [TimeUnit.NANOSECOND]: 1_000_000_000n,
};

function rescale(value: bigint, from: TimeUnit, to: TimeUnit): bigint {
  if (from === to) return value;
  return PER_SECOND[to] > PER_SECOND[from] ? value * (PER_SECOND[to] / PER_SECOND[from]) : value / (PER_SECOND[from] / PER_SECOND[to]);
}

/** The fields of an Arrow schema sent as IPC bytes (the footer's, as parquet-wasm read it). */
export function arrowFields(schemaIpc: Uint8Array): Field[] {
  return tableFromIPC(schemaIpc).schema.fields;
}

/**
 * The Arrow schema of a file parquet-wasm could not open: the one its writer embedded
 * (ARROW:schema, which parquet-wasm would have followed), else the Parquet schema mapped
 * the way Arrow readers map it. Only what the second reader digests needs to be exact.
 */
export function arrowSchemaFromParquet(metadata: FileMetaData): Schema {
  const embedded = metadata.key_value_metadata?.find((entry) => entry.key === 'ARROW:schema')?.value;
  if (embedded) {
    try {
      const bytes = Buffer.from(embedded, 'base64');
      const schema = tableFromIPC(Buffer.concat([bytes, END_OF_STREAM])).schema;
      if (schema.fields.length) return schema;
    } catch {
      // not readable: map the Parquet schema instead
    }
  }
  const elements = metadata.schema;
  let at = 1;
  const field = (): Field => {
    const element = elements[at++]!;
    const children = Array.from({ length: element.num_children ?? 0 }, () => field());
    const nullable = element.repetition_type !== 'REQUIRED';
    let type = children.length ? groupType(element, children) : leafType(element);
    // A repeated field without a LIST annotation is a list of it (its items never null).
    if (element.repetition_type === 'REPEATED' && !(children.length && isListGroup(element))) type = new List(new Field(element.name, type, false));
    return new Field(element.name, type, nullable && element.repetition_type !== 'REPEATED');
  };
  const fields = Array.from({ length: elements[0]?.num_children ?? 0 }, () => field());
  return new Schema(fields);
}

const END_OF_STREAM = Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

function isListGroup(element: SchemaElement): boolean {
  return element.logical_type?.type === 'LIST' || element.converted_type === 'LIST';
}

function groupType(element: SchemaElement, children: Field[]): DataType {
  if (isListGroup(element) && children.length === 1) {
    // LIST -> repeated group (or repeated leaf) of the element: the child is already a list of it.
    const child = children[0]!;
    return child.type instanceof List ? child.type : new List(child);
  }
  if ((element.logical_type?.type === 'MAP' || element.converted_type === 'MAP' || element.converted_type === 'MAP_KEY_VALUE') && children.length === 1) {
    const entries = children[0]!.type instanceof List ? (children[0]!.type as List).children[0]! : children[0]!;
    return new Map_(new Field('entries', entries.type, false));
  }
  return new Struct(children);
}

function leafType(element: SchemaElement): DataType {
  const logical = element.logical_type;
  const converted = element.converted_type;
  switch (element.type) {
    case 'BOOLEAN': return new Bool();
    case 'INT32':
      if (logical?.type === 'DATE' || converted === 'DATE') return new DateDay();
      if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') return new Decimal(element.scale ?? 0, element.precision ?? 9, 128);
      if (logical?.type === 'INTEGER') return new Int(logical.isSigned, logical.bitWidth as 8 | 16 | 32);
      if (converted === 'INT_8' || converted === 'UINT_8') return new Int(converted === 'INT_8', 8);
      if (converted === 'INT_16' || converted === 'UINT_16') return new Int(converted === 'INT_16', 16);
      if (converted === 'UINT_32') return new Int(false, 32);
      return new Int32();
    case 'INT64':
      if (logical?.type === 'TIMESTAMP') return new Timestamp(UNITS[logical.unit], logical.isAdjustedToUTC ? '+00:00' : null);
      if (converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return new Timestamp(converted === 'TIMESTAMP_MILLIS' ? TimeUnit.MILLISECOND : TimeUnit.MICROSECOND, '+00:00');
      if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') return new Decimal(element.scale ?? 0, element.precision ?? 18, 128);
      if ((logical?.type === 'INTEGER' && !logical.isSigned) || converted === 'UINT_64') return new Uint64();
      return new Int64();
    case 'INT96': return new Timestamp(TimeUnit.NANOSECOND, null);
    case 'FLOAT': return new Float32();
    case 'DOUBLE': return new Float64();
    case 'BYTE_ARRAY':
      if (['STRING', 'ENUM', 'JSON'].includes(logical?.type ?? '') || ['UTF8', 'ENUM', 'JSON'].includes(converted ?? '')) return new Utf8();
      if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') return new Decimal(element.scale ?? 0, element.precision ?? 38, 128);
      return new Binary();
    case 'FIXED_LEN_BYTE_ARRAY':
      if (logical?.type === 'FLOAT16') return new Float16();
      if (logical?.type === 'DECIMAL' || converted === 'DECIMAL') return new Decimal(element.scale ?? 0, element.precision ?? 38, 128);
      return new FixedSizeBinary(element.type_length ?? 0);
    default:
      return new Null();
  }
}

const UNITS: Record<string, TimeUnit> = { MILLIS: TimeUnit.MILLISECOND, MICROS: TimeUnit.MICROSECOND, NANOS: TimeUnit.NANOSECOND };

/** An Arrow schema as the IPC bytes a FileFooter carries. */
export function schemaIpc(schema: Schema): Uint8Array {
  return tableToIPC(new Table(schema), 'stream');
}

/** A footer as parquet-wasm would have described it, from hyparquet's reading (for a file parquet-wasm cannot open). */
export function footerFromMetadata(metadata: FileMetaData): FileFooter {
  const rowGroupRows = metadata.row_groups.map((group) => Number(group.num_rows));
  const rows = rowGroupRows.reduce((sum, count) => sum + count, 0);
  const keyValueMetadata: Record<string, string> = {};
  for (const entry of metadata.key_value_metadata ?? []) keyValueMetadata[entry.key] = entry.value ?? '';
  return {
    rows, rowGroupRows, keyValueMetadata,
    ...(Number(metadata.num_rows) !== rows ? { declaredRows: Number(metadata.num_rows) } : {}),
    schemaIpc: schemaIpc(arrowSchemaFromParquet(metadata)),
    ...(metadata.created_by ? { createdBy: metadata.created_by } : {}),
  };
}
