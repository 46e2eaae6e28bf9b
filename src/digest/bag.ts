import { physicalOf, type RawColumn } from './raw-column';

/**
 * The "bag" digest: lakevault's content digest of logical values.
 *
 * Every value is hashed with two independently seeded 32-bit MurmurHash3 lanes (64 bits
 * in all). A column's digest is the SUM of its values' hashes (each lane mod 2^32); a
 * row's hash chains its columns' value hashes in schema order (h = h * 0x01000193 + v,
 * mod 2^32), and the rows digest is the sum of the row hashes (finalised). Sums compose:
 * a file's digest is the sum of its row groups', a table's the sum of its files'. So the digest of the same rows is the same whatever
 * the batch, row-group or file layout, and can be computed in parallel pieces and added.
 * The price: row order is not part of the content (as in SQL, a table is a bag of rows).
 *
 * This is a corruption detector, not a cryptographic commitment: a random change (a bit
 * flip, a truncated page, a lost row) alters a digest except with probability ~2^-64.
 */
export const DIGEST_PREFIX = 'bag1:';

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;
const SEED_A = 0x2f6b2a5d;
const SEED_B = 0x7e3c95a1;

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function round(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, C2);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

const NULL_A = fmix(SEED_A ^ 0x6e756c6c);
const NULL_B = fmix(SEED_B ^ 0x6e756c6c);

/** A 64-bit digest as two 32-bit lanes. */
export interface Lanes { a: number; b: number }

export function formatDigest(lanes: Lanes): string {
  return DIGEST_PREFIX + (lanes.a >>> 0).toString(16).padStart(8, '0') + (lanes.b >>> 0).toString(16).padStart(8, '0');
}

export function parseDigest(digest: string): Lanes | undefined {
  if (!digest.startsWith(DIGEST_PREFIX) || digest.length !== DIGEST_PREFIX.length + 16) return undefined;
  const hex = digest.slice(DIGEST_PREFIX.length);
  return { a: parseInt(hex.slice(0, 8), 16) | 0, b: parseInt(hex.slice(8), 16) | 0 };
}

export function isBagDigest(digest: string | undefined): boolean {
  return digest !== undefined && parseDigest(digest) !== undefined;
}

/** The digest of nothing (no rows). */
export const EMPTY_DIGEST = formatDigest({ a: 0, b: 0 });

/** Adds digests: the digest of the union of the rows they stand for. */
export function addDigests(digests: Iterable<string>): string {
  let a = 0;
  let b = 0;
  for (const digest of digests) {
    const lanes = parseDigest(digest);
    if (!lanes) throw new Error(`not a ${DIGEST_PREFIX} digest: ${digest}`);
    a = (a + lanes.a) | 0;
    b = (b + lanes.b) | 0;
  }
  return formatDigest({ a, b });
}

/** Scratch space reused between batches (one per digester: not shared across threads). */
export class HashScratch {
  a = new Int32Array(0);
  b = new Int32Array(0);
  rowA = new Int32Array(0);
  rowB = new Int32Array(0);
  ensure(length: number): void {
    if (this.a.length >= length) return;
    const size = Math.max(length, this.a.length * 2, 1024);
    this.a = new Int32Array(size);
    this.b = new Int32Array(size);
    this.rowA = new Int32Array(size);
    this.rowB = new Int32Array(size);
  }
}

function aligned<T>(bytes: Uint8Array, width: number, make: (buffer: ArrayBufferLike, offset: number, length: number) => T): T {
  if (bytes.byteOffset % width === 0) return make(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / width));
  const copy = bytes.slice();
  return make(copy.buffer, 0, Math.floor(copy.byteLength / width));
}

const float64Scratch = new Float64Array(1);
const float64Words = new Int32Array(float64Scratch.buffer);

/**
 * Hashes each of a column's values into out.a/out.b (nulls hash to a constant).
 * Returns false when the column's type is not supported by the kernel.
 */
export function hashValues(column: RawColumn, out: HashScratch): boolean {
  const { length, offset } = column;
  const outA = out.a;
  const outB = out.b;
  if (column.format.startsWith('+')) {
    if (!hashNested(column, out)) return false;
  } else if (column.dictionary) {
    const dictionary = new HashScratch();
    dictionary.ensure(column.dictionary.length);
    if (!hashValues(column.dictionary, dictionary)) return false;
    const indices = physicalOf(column.format);
    if (indices.kind !== 'int') return false;
    const index = integerView(column, indices.bytes, indices.signed);
    const step = indices.bytes === 8 ? 2 : 1; // int64 indices: the low word
    for (let i = 0, at = offset * step; i < length; i++, at += step) {
      const slot = index[at]!;
      outA[i] = dictionary.a[slot]!;
      outB[i] = dictionary.b[slot]!;
    }
  } else {
    const physical = physicalOf(column.format);
    switch (physical.kind) {
      case 'int':
        hashIntegers(column, physical.bytes, physical.signed, outA, outB);
        break;
      case 'float':
        hashFloats(column, physical.bytes, outA, outB);
        break;
      case 'bool': {
        const bits = column.buffers[0]!;
        for (let i = 0; i < length; i++) {
          const bit = (bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1;
          outA[i] = fmix(round(round(SEED_A, bit), 0) ^ 8);
          outB[i] = fmix(round(round(SEED_B, bit), 0) ^ 8);
        }
        break;
      }
      case 'words': {
        const words = aligned(column.buffers[0]!, 4, (b, o, n) => new Int32Array(b, o, n));
        const n = physical.words;
        for (let i = 0; i < length; i++) {
          let ha = SEED_A;
          let hb = SEED_B;
          for (let w = 0, at = (offset + i) * n; w < n; w++, at++) { ha = round(ha, words[at]!); hb = round(hb, words[at]!); }
          outA[i] = fmix(ha ^ (n * 4));
          outB[i] = fmix(hb ^ (n * 4));
        }
        break;
      }
      case 'bytes': {
        const offsets = physical.offsetBytes === 4
          ? aligned(column.buffers[0]!, 4, (b, o, n) => new Int32Array(b, o, n))
          : aligned(column.buffers[0]!, 8, (b, o, n) => new BigInt64Array(b, o, n));
        const data = column.buffers[1] ?? new Uint8Array(0);
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        if (offsets instanceof Int32Array) {
          for (let i = 0; i < length; i++) hashBytes(data, view, offsets[offset + i]!, offsets[offset + i + 1]!, i, outA, outB);
        } else {
          for (let i = 0; i < length; i++) hashBytes(data, view, Number(offsets[offset + i]!), Number(offsets[offset + i + 1]!), i, outA, outB);
        }
        break;
      }
      case 'view': {
        const views = column.buffers[0]!;
        const view = new DataView(views.buffer, views.byteOffset, views.byteLength);
        for (let i = 0; i < length; i++) {
          const at = (offset + i) * 16;
          const size = view.getInt32(at, true);
          if (size <= 12) hashBytes(views, view, at + 4, at + 4 + size, i, outA, outB);
          else {
            const data = column.buffers[1 + view.getInt32(at + 8, true)]!;
            const start = view.getInt32(at + 12, true);
            hashBytes(data, new DataView(data.buffer, data.byteOffset, data.byteLength), start, start + size, i, outA, outB);
          }
        }
        break;
      }
      case 'fixed-bytes': {
        const data = column.buffers[0]!;
        const width = physical.width;
        const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
        for (let i = 0; i < length; i++) hashBytes(data, view, (offset + i) * width, (offset + i + 1) * width, i, outA, outB);
        break;
      }
      case 'null':
        break; // every value is null: filled in below
      default:
        return false;
    }
  }
  if (column.nullCount > 0 || physicalOf(column.format).kind === 'null') {
    const validity = column.validity;
    for (let i = 0; i < length; i++) {
      const valid = validity ? (validity[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1 : 0;
      if (!valid) { outA[i] = NULL_A; outB[i] = NULL_B; }
    }
  }
  return true;
}

type IntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The values buffer as a typed array of the column's width (int64: as pairs of int32 words). */
function integerView(column: RawColumn, bytes: 1 | 2 | 4 | 8, signed: boolean): IntegerArray {
  const buffer = column.buffers[0]!;
  if (bytes === 8) return aligned(buffer, 4, (b, o, n) => new Int32Array(b, o, n));
  if (bytes === 4) return signed ? aligned(buffer, 4, (b, o, n) => new Int32Array(b, o, n)) : aligned(buffer, 4, (b, o, n) => new Uint32Array(b, o, n));
  if (bytes === 2) return signed ? aligned(buffer, 2, (b, o, n) => new Int16Array(b, o, n)) : aligned(buffer, 2, (b, o, n) => new Uint16Array(b, o, n));
  return signed ? new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : buffer;
}

/** Integers hash as their 64-bit two's-complement value, whatever their stored width. */
function hashIntegers(column: RawColumn, bytes: 1 | 2 | 4 | 8, signed: boolean, outA: Int32Array, outB: Int32Array): void {
  const { length, offset } = column;
  const values = integerView(column, bytes, signed);
  if (bytes === 8) {
    for (let i = 0, at = offset * 2; i < length; i++, at += 2) {
      const lo = values[at]!;
      const hi = values[at + 1]!;
      outA[i] = fmix(round(round(SEED_A, lo), hi) ^ 8);
      outB[i] = fmix(round(round(SEED_B, lo), hi) ^ 8);
    }
    return;
  }
  for (let i = 0; i < length; i++) {
    const value = values[offset + i]!;
    const lo = value | 0;
    const hi = value < 0 ? -1 : 0;
    outA[i] = fmix(round(round(SEED_A, lo), hi) ^ 8);
    outB[i] = fmix(round(round(SEED_B, lo), hi) ^ 8);
  }
}

function hashFloats(column: RawColumn, bytes: 4 | 8, outA: Int32Array, outB: Int32Array): void {
  const { length, offset } = column;
  const buffer = column.buffers[0]!;
  const words = bytes === 8 ? aligned(buffer, 4, (b, o, n) => new Int32Array(b, o, n)) : undefined;
  const singles = bytes === 4 ? aligned(buffer, 4, (b, o, n) => new Float32Array(b, o, n)) : undefined;
  for (let i = 0; i < length; i++) {
    let lo: number;
    let hi: number;
    if (words) {
      lo = words[(offset + i) * 2]!;
      hi = words[(offset + i) * 2 + 1]!;
    } else {
      float64Scratch[0] = singles![offset + i]!;
      lo = float64Words[0]!;
      hi = float64Words[1]!;
    }
    if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) | lo) !== 0) { lo = 0; hi = 0x7ff80000; } // one NaN
    outA[i] = fmix(round(round(SEED_A, lo), hi) ^ 8);
    outB[i] = fmix(round(round(SEED_B, lo), hi) ^ 8);
  }
}

/** MurmurHash3 (x86, 32-bit) of data[start, end), once per lane. */
function hashBytes(data: Uint8Array, view: DataView, start: number, end: number, i: number, outA: Int32Array, outB: Int32Array): void {
  let ha = SEED_A;
  let hb = SEED_B;
  let at = start;
  for (; at + 4 <= end; at += 4) {
    const k = view.getInt32(at, true);
    ha = round(ha, k);
    hb = round(hb, k);
  }
  if (at < end) {
    let k = 0;
    for (let shift = 0; at < end; at++, shift += 8) k |= data[at]! << shift;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    ha ^= k;
    hb ^= k;
  }
  const byteLength = end - start;
  outA[i] = fmix(ha ^ byteLength);
  outB[i] = fmix(hb ^ byteLength);
}

/*
 * Nested values (lists, large lists, fixed-size lists, maps, structs) hash from their
 * children's value hashes, lane by lane, like a string hashes from its bytes: a list is
 * its elements in order, a struct its fields in schema order, a map its entries (key,
 * value) in stored order — so a map equals a list of (key, value) structs, and list, large
 * list and fixed-size list of the same elements hash alike (as utf8 and large utf8 do). A
 * null at any level hashes as the null constant, whatever its children hold; an empty list
 * is not null. Tags keep a list of one struct apart from the struct itself.
 */
const TAG_LIST = 0x4c495354;
const TAG_STRUCT = 0x53545243;

/** The child's values [start, start + length) (logical indices) hashed into a scratch of its own. */
function hashChild(child: RawColumn, start: number, length: number): HashScratch | undefined {
  const scratch = new HashScratch();
  scratch.ensure(length);
  const ok = hashValues({ ...child, offset: child.offset + start, length }, scratch);
  return ok ? scratch : undefined;
}

function hashNested(column: RawColumn, out: HashScratch): boolean {
  const { format, length, offset } = column;
  const children = column.children ?? [];
  const outA = out.a;
  const outB = out.b;
  if (format === '+s') {
    const fields = children.map((child) => hashChild(child, offset, length));
    if (fields.some((field) => !field)) return false;
    for (let i = 0; i < length; i++) {
      let ha = SEED_A ^ TAG_STRUCT;
      let hb = SEED_B ^ TAG_STRUCT;
      for (const field of fields) { ha = round(ha, field!.a[i]!); hb = round(hb, field!.b[i]!); }
      outA[i] = fmix(ha ^ fields.length);
      outB[i] = fmix(hb ^ fields.length);
    }
    return true;
  }
  const child = children[0];
  if (!child || children.length !== 1) return false;
  let starts: (i: number) => number;
  const fixed = /^\+w:(\d+)$/.exec(format);
  if (fixed) {
    const size = Number(fixed[1]);
    starts = (i) => (offset + i) * size;
  } else if (format === '+l' || format === '+m' || format === '+L') {
    const bytes = column.buffers[0];
    if (!bytes) return false;
    if (format === '+L') {
      const wide = aligned(bytes, 8, (b, o, n) => new BigInt64Array(b, o, n));
      starts = (i) => Number(wide[offset + i]!);
    } else {
      const narrow = aligned(bytes, 4, (b, o, n) => new Int32Array(b, o, n));
      starts = (i) => narrow[offset + i]!;
    }
  } else {
    return false; // list views, unions, run-end encoding: not produced by Parquet readers
  }
  if (length === 0) return true;
  const first = starts(0);
  const elements = hashChild(child, first, starts(length) - first);
  if (!elements) return false;
  for (let i = 0; i < length; i++) {
    const from = starts(i) - first;
    const to = starts(i + 1) - first;
    let ha = SEED_A ^ TAG_LIST;
    let hb = SEED_B ^ TAG_LIST;
    for (let k = from; k < to; k++) { ha = round(ha, elements.a[k]!); hb = round(hb, elements.b[k]!); }
    outA[i] = fmix(ha ^ (to - from));
    outB[i] = fmix(hb ^ (to - from));
  }
  return true;
}

/** Odd, so multiplying by it is a bijection mod 2^32: chaining keeps the column order. */
const ROW_CHAIN = 0x01000193;

/** Adds a column's value hashes to its sum and chains them into each row's hash. */
export function accumulate(out: HashScratch, length: number, sum: Lanes, firstColumn: boolean): void {
  const { a, b, rowA, rowB } = out;
  let sa = sum.a;
  let sb = sum.b;
  if (firstColumn) {
    for (let i = 0; i < length; i++) {
      const ha = a[i]!;
      const hb = b[i]!;
      sa = (sa + ha) | 0;
      sb = (sb + hb) | 0;
      rowA[i] = ha;
      rowB[i] = hb;
    }
  } else {
    for (let i = 0; i < length; i++) {
      const ha = a[i]!;
      const hb = b[i]!;
      sa = (sa + ha) | 0;
      sb = (sb + hb) | 0;
      rowA[i] = (Math.imul(rowA[i]!, ROW_CHAIN) + ha) | 0;
      rowB[i] = (Math.imul(rowB[i]!, ROW_CHAIN) + hb) | 0;
    }
  }
  sum.a = sa;
  sum.b = sb;
}

/** Adds the finished row hashes of a batch (after its last column) to the rows digest. */
export function accumulateRows(out: HashScratch, length: number, columns: number, sum: Lanes): void {
  const { rowA, rowB } = out;
  let sa = sum.a;
  let sb = sum.b;
  for (let i = 0; i < length; i++) {
    sa = (sa + fmix(rowA[i]! ^ columns)) | 0;
    sb = (sb + fmix(rowB[i]! ^ columns)) | 0;
  }
  sum.a = sa;
  sum.b = sb;
}

/** Row hashes held apart from a batch's scratch: a row group's, when it is digested column by column. */
export interface RowHashes { a: Int32Array; b: Int32Array }

/**
 * accumulate() for rows [offset, offset + length) of `rows` instead of the scratch's own:
 * the same sums and the same chaining, so a row group digested one column at a time gets
 * the digests it gets batch by batch.
 */
export function accumulateAt(out: HashScratch, length: number, sum: Lanes, rows: RowHashes, offset: number, firstColumn: boolean): void {
  const { a, b } = out;
  const rowA = rows.a;
  const rowB = rows.b;
  let sa = sum.a;
  let sb = sum.b;
  for (let i = 0; i < length; i++) {
    const ha = a[i]!;
    const hb = b[i]!;
    sa = (sa + ha) | 0;
    sb = (sb + hb) | 0;
    const at = offset + i;
    rowA[at] = firstColumn ? ha : (Math.imul(rowA[at]!, ROW_CHAIN) + ha) | 0;
    rowB[at] = firstColumn ? hb : (Math.imul(rowB[at]!, ROW_CHAIN) + hb) | 0;
  }
  sum.a = sa;
  sum.b = sb;
}

/** Chains a column's value hashes into `rows` without adding them to any sum (a second chain over fewer columns). */
export function chainAt(out: HashScratch, length: number, rows: RowHashes, offset: number, firstColumn: boolean): void {
  const { a, b } = out;
  for (let i = 0; i < length; i++) {
    const at = offset + i;
    rows.a[at] = firstColumn ? a[i]! : (Math.imul(rows.a[at]!, ROW_CHAIN) + a[i]!) | 0;
    rows.b[at] = firstColumn ? b[i]! : (Math.imul(rows.b[at]!, ROW_CHAIN) + b[i]!) | 0;
  }
}

/** accumulateRows() over `length` rows of `rows`. */
export function accumulateRowsAt(rows: RowHashes, length: number, columns: number, sum: Lanes): void {
  let sa = sum.a;
  let sb = sum.b;
  for (let i = 0; i < length; i++) {
    sa = (sa + fmix(rows.a[i]! ^ columns)) | 0;
    sb = (sb + fmix(rows.b[i]! ^ columns)) | 0;
  }
  sum.a = sa;
  sum.b = sb;
}
