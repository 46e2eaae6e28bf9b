import { createHash, type Hash } from 'node:crypto';
import { DataType, Type, type Data, type Schema, type Table, type Vector, type RecordBatch } from 'apache-arrow';

/**
 * Content digests of logical column values.
 *
 * A column's digest depends only on its logical type family and its values in row order:
 * not on how rows are split into batches, row groups or files, nor on the Parquet
 * encoding (dictionary or plain). That is what lets a backup be compared with a table
 * rewritten with another layout, and what catches a bit flip that decodes "fine".
 *
 * Per column, three streams are hashed: the values (fixed-width bytes, or string bytes),
 * the value lengths (variable-width types), and the row numbers of nulls.
 */
export class ColumnDigester {
  private readonly values: Hash = createHash('sha256');
  private readonly lengths: Hash = createHash('sha256');
  private readonly nulls: Hash = createHash('sha256');
  private rows = 0;
  private nullCount = 0;

  constructor(readonly family: string) {}

  update(vector: Vector | Data): void {
    const chunks = 'data' in vector && Array.isArray((vector as Vector).data) ? (vector as Vector).data : [vector as Data];
    for (const data of chunks) this.updateData(data);
  }

  private updateData(data: Data): void {
    const { offset, length } = data;
    if (length === 0) return;
    const nullRows = data.nullCount > 0 ? this.nullMask(data) : undefined;
    switch (data.typeId) {
      case Type.Utf8:
      case Type.Binary:
      case Type.LargeUtf8:
      case Type.LargeBinary:
        this.variableWidth(data, nullRows);
        break;
      case Type.Bool:
        this.booleans(data, nullRows);
        break;
      case Type.Dictionary:
        this.dictionary(data, nullRows);
        break;
      default:
        if (data.values && ArrayBuffer.isView(data.values) && !(data.children?.length)) {
          this.fixedWidth(data, nullRows);
        } else {
          this.generic(data, nullRows);
        }
    }
    this.rows += length;
    void offset;
  }

  /** Returns a per-row null flag and hashes the global row numbers of the nulls. */
  private nullMask(data: Data): Uint8Array {
    const mask = new Uint8Array(data.length);
    const rowNumbers: number[] = [];
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) { mask[i] = 1; rowNumbers.push(this.rows + i); }
    }
    this.nullCount += rowNumbers.length;
    this.nulls.update(new Uint8Array(new Float64Array(rowNumbers).buffer));
    return mask;
  }

  private fixedWidth(data: Data, nullRows?: Uint8Array): void {
    const values = data.values as unknown as { BYTES_PER_ELEMENT: number; buffer: ArrayBufferLike; byteOffset: number; subarray(a: number, b: number): ArrayBufferView & { fill(v: never, a: number, b: number): void } };
    const stride = data.stride || 1;
    const slice = values.subarray(data.offset * stride, (data.offset + data.length) * stride);
    let bytes = new Uint8Array(slice.buffer, slice.byteOffset, slice.byteLength);
    if (nullRows) {
      // Slots under nulls hold arbitrary bytes: zero them in a copy before hashing.
      bytes = Uint8Array.from(bytes);
      const width = (slice.byteLength / data.length) | 0;
      for (let i = 0; i < nullRows.length; i++) if (nullRows[i]) bytes.fill(0, i * width, (i + 1) * width);
    }
    this.values.update(bytes);
  }

  private variableWidth(data: Data, nullRows?: Uint8Array): void {
    const offsets = data.valueOffsets as Int32Array | BigInt64Array;
    const bytes = data.values as Uint8Array;
    const lengths = new Uint32Array(data.length);
    const first = Number(offsets[data.offset]);
    if (!nullRows) {
      for (let i = 0; i < data.length; i++) lengths[i] = Number(offsets[data.offset + i + 1]) - Number(offsets[data.offset + i]);
      this.values.update(bytes.subarray(first, Number(offsets[data.offset + data.length])));
    } else {
      for (let i = 0; i < data.length; i++) {
        if (nullRows[i]) continue;
        const start = Number(offsets[data.offset + i]);
        const end = Number(offsets[data.offset + i + 1]);
        lengths[i] = end - start;
        this.values.update(bytes.subarray(start, end));
      }
    }
    this.lengths.update(lengths);
  }

  private booleans(data: Data, nullRows?: Uint8Array): void {
    const flags = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) if (!nullRows?.[i]) flags[i] = data.values[(data.offset + i) >> 3]! & (1 << ((data.offset + i) & 7)) ? 1 : 0;
    this.values.update(flags);
  }

  /** Dictionary-encoded arrays hash as the values they stand for, so encodings compare equal. */
  private dictionary(data: Data, nullRows?: Uint8Array): void {
    const dictionary = data.dictionary!;
    const indices = data.values as unknown as ArrayLike<number | bigint>;
    const lengths = new Uint32Array(data.length);
    for (let i = 0; i < data.length; i++) {
      if (nullRows?.[i]) continue;
      const value = dictionary.get(Number(indices[data.offset + i]));
      const bytes = canonicalBytes(value);
      lengths[i] = bytes.length;
      this.values.update(bytes);
    }
    this.lengths.update(lengths);
  }

  /** Nested and unusual types: one canonical encoding per value (slow, but exact). */
  private generic(data: Data, nullRows?: Uint8Array): void {
    const lengths = new Uint32Array(data.length);
    const vector = { get: (i: number) => (data.type as DataType) && dataGet(data, i) };
    for (let i = 0; i < data.length; i++) {
      if (nullRows?.[i]) continue;
      const bytes = canonicalBytes(vector.get(i));
      lengths[i] = bytes.length;
      this.values.update(bytes);
    }
    this.lengths.update(lengths);
  }

  /** hex SHA-256 over the family, the row and null counts and the three streams. */
  digest(): string {
    return createHash('sha256')
      .update(`${this.family}|${this.rows}|${this.nullCount}|`)
      .update(this.values.copy().digest())
      .update(this.lengths.copy().digest())
      .update(this.nulls.copy().digest())
      .digest('hex');
  }

  get rowCount(): number {
    return this.rows;
  }
}

function dataGet(data: Data, index: number): unknown {
  // apache-arrow's visitor-backed getter, reached through a one-chunk vector.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { makeVector } = require('apache-arrow') as typeof import('apache-arrow');
  return makeVector(data).get(index);
}

const encoder = new TextEncoder();

function canonicalBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  return encoder.encode(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

/**
 * Type family for digests: types whose values are stored the same way digest the same
 * (Utf8 = LargeUtf8), so a rewrite with wider offsets is not a content change.
 */
export function typeFamily(type: DataType): string {
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'string';
    case Type.Binary:
    case Type.LargeBinary:
      return 'binary';
    case Type.Dictionary:
      return typeFamily((type as unknown as { dictionary: DataType }).dictionary);
    default:
      return String(type);
  }
}

export interface TableDigest {
  /** hex digest over all columns, in schema order. */
  digest: string;
  columns: Record<string, string>;
  rows: number;
}

/** Digests a stream of batches (or tables) column by column. */
export class TableDigester {
  private readonly columns: { name: string; digester: ColumnDigester }[];

  constructor(schema: Schema) {
    this.columns = schema.fields.map((field) => ({ name: field.name, digester: new ColumnDigester(typeFamily(field.type)) }));
  }

  update(batch: RecordBatch | Table): void {
    this.columns.forEach(({ digester }, index) => {
      const column = batch.getChildAt(index);
      if (column) digester.update(column);
    });
  }

  result(): TableDigest {
    const columns: Record<string, string> = {};
    const whole = createHash('sha256');
    for (const { name, digester } of this.columns) {
      const digest = digester.digest();
      columns[name] = digest;
      whole.update(`${name}=${digest};`);
    }
    return { digest: whole.digest('hex'), columns, rows: this.columns[0]?.digester.rowCount ?? 0 };
  }
}

/** Combines per-file digests (in file order) into one digest of a whole table's content. */
export function combineDigests(digests: string[]): string {
  const hash = createHash('sha256');
  for (const digest of digests) hash.update(digest);
  return hash.digest('hex');
}
