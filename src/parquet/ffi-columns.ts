import type { RawColumn } from '../digest/raw-column';

/**
 * Reads a record batch exported through the Arrow C data interface (parquet-wasm's
 * RecordBatch.intoFFI) straight out of WebAssembly memory: the columns come back as
 * views of the decoded buffers, so hashing them copies nothing.
 *
 * Layouts for wasm32 (pointers 4 bytes, int64 8-byte aligned):
 *   ArrowSchema: format@0 name@4 metadata@8 flags@16 n_children@24 children@32 dictionary@36
 *   ArrowArray:  length@0 null_count@8 offset@16 n_buffers@24 n_children@32 buffers@40 children@44 dictionary@48
 * The views are valid only until the next call into parquet-wasm (memory may grow and the
 * batch is freed): hash them at once.
 */
export interface FfiBatch {
  names: string[];
  formats: string[];
  length: number;
  columns: RawColumn[];
}

export function readFfiBatch(memory: ArrayBuffer, arrayAddr: number, schemaAddr: number): FfiBatch {
  const view = new DataView(memory);
  const schemaChildren = pointers(view, schemaAddr + 32, i64(view, schemaAddr + 24));
  const arrayChildren = pointers(view, arrayAddr + 44, i64(view, arrayAddr + 32));
  if (schemaChildren.length !== arrayChildren.length) throw new Error('FFI batch: schema and array disagree on the number of columns');
  const names: string[] = [];
  const formats: string[] = [];
  const columns: RawColumn[] = [];
  schemaChildren.forEach((schema, index) => {
    names.push(cString(memory, view.getUint32(schema + 4, true)));
    const column = readColumn(memory, view, arrayChildren[index]!, schema);
    formats.push(column.format);
    columns.push(column);
  });
  return { names, formats, length: i64(view, arrayAddr), columns };
}

function readColumn(memory: ArrayBuffer, view: DataView, array: number, schema: number): RawColumn {
  const format = cString(memory, view.getUint32(schema, true));
  const length = i64(view, array);
  const offset = i64(view, array + 16);
  const nullCount = i64(view, array + 8);
  const buffers = pointers(view, array + 40, i64(view, array + 24));
  const end = offset + length;
  const bytes = (address: number | undefined, size: number): Uint8Array | null =>
    address ? new Uint8Array(memory, address, size) : null;
  const validity = bytes(buffers[0], (end + 7) >> 3);
  const column: RawColumn = { format, length, offset, nullCount: nullCount < 0 ? (validity ? 1 : 0) : nullCount, validity: nullCount === 0 ? null : validity, buffers: [] };
  const dictionarySchema = view.getUint32(schema + 36, true);
  const dictionaryArray = view.getUint32(array + 48, true);
  const width = fixedWidth(format);
  if (format === 'b') {
    column.buffers = [bytes(buffers[1], (end + 7) >> 3)];
  } else if (format === 'u' || format === 'z' || format === 'U' || format === 'Z') {
    const wide = format === 'U' || format === 'Z';
    const offsets = bytes(buffers[1], (end + 1) * (wide ? 8 : 4))!;
    const last = wide
      ? Number(new DataView(memory, offsets.byteOffset + end * 8, 8).getBigInt64(0, true))
      : new DataView(memory, offsets.byteOffset + end * 4, 4).getInt32(0, true);
    column.buffers = [offsets, bytes(buffers[2], last) ?? new Uint8Array(0)];
  } else if (width !== undefined) {
    column.buffers = [bytes(buffers[1], end * width)];
  } else if (format === '+l' || format === '+m' || format === '+L') {
    column.buffers = [bytes(buffers[1], (end + 1) * (format === '+L' ? 8 : 4))];
  } else if (format === 'vu' || format === 'vz') {
    // views, the data buffers, and last the data buffers' sizes (int64 each)
    const dataBuffers = buffers.length - 3;
    const sizes = bytes(buffers[buffers.length - 1], dataBuffers * 8);
    column.buffers = [bytes(buffers[1], end * 16)];
    for (let i = 0; i < dataBuffers; i++) column.buffers.push(bytes(buffers[2 + i], Number(new DataView(memory, sizes!.byteOffset + i * 8, 8).getBigInt64(0, true))));
  } else {
    column.buffers = []; // structs and fixed-size lists have children only; unknown formats: the kernel reports them unsupported
  }
  const childCount = i64(view, schema + 24);
  if (format.startsWith('+') && childCount > 0) {
    const schemaChildren = pointers(view, schema + 32, childCount);
    const arrayChildren = pointers(view, array + 44, i64(view, array + 32));
    column.children = schemaChildren.map((child, i) => readColumn(memory, view, arrayChildren[i]!, child));
  }
  if (dictionarySchema && dictionaryArray) column.dictionary = readColumn(memory, view, dictionaryArray, dictionarySchema);
  return column;
}

/** Bytes per value of fixed-width formats. */
function fixedWidth(format: string): number | undefined {
  const simple: Record<string, number> = { c: 1, C: 1, s: 2, S: 2, e: 2, i: 4, I: 4, f: 4, l: 8, L: 8, g: 8, tdD: 4, tdm: 8, tts: 4, ttm: 4, ttu: 8, ttn: 8, tiM: 4, tiD: 8, tin: 16 };
  if (format in simple) return simple[format];
  if (/^ts[smun]:/.test(format) || /^tD[smun]$/.test(format)) return 8;
  if (format.startsWith('w:')) return Number(format.slice(2));
  const decimal = /^d:\d+,\d+(?:,(\d+))?$/.exec(format);
  if (decimal) return Number(decimal[1] ?? 128) / 8;
  return undefined;
}

function i64(view: DataView, at: number): number {
  return Number(view.getBigInt64(at, true));
}

function pointers(view: DataView, at: number, count: number): number[] {
  const base = view.getUint32(at, true);
  return Array.from({ length: count }, (_, i) => view.getUint32(base + i * 4, true));
}

function cString(memory: ArrayBuffer, address: number): string {
  const bytes = new Uint8Array(memory, address);
  const end = bytes.indexOf(0);
  return Buffer.from(bytes.buffer, address, end).toString('utf8');
}
