import { DataType, Type, TimeUnit, DateUnit, IntervalUnit, Precision, type Data } from 'apache-arrow';
import type { RawColumn } from './raw-column';

/** The Arrow C data interface format string of an apache-arrow type ('+?' when unsupported). */
export function formatOf(type: DataType): string {
  const t = type as DataType & Record<string, unknown>;
  switch (type.typeId) {
    case Type.Null: return 'n';
    case Type.Bool: return 'b';
    case Type.Int: {
      const bits = t.bitWidth as number;
      const signed = t.isSigned as boolean;
      const letter = { 8: 'c', 16: 's', 32: 'i', 64: 'l' }[bits] ?? '?';
      return signed ? letter : letter.toUpperCase();
    }
    case Type.Float:
      return t.precision === Precision.HALF ? 'e' : t.precision === Precision.SINGLE ? 'f' : 'g';
    case Type.Utf8: return 'u';
    case Type.LargeUtf8: return 'U';
    case Type.Binary: return 'z';
    case Type.LargeBinary: return 'Z';
    case Type.FixedSizeBinary: return `w:${t.byteWidth as number}`;
    case Type.Date: return t.unit === DateUnit.DAY ? 'tdD' : 'tdm';
    case Type.Time: return `tt${unitLetter(t.unit as TimeUnit)}`;
    case Type.Timestamp: return `ts${unitLetter(t.unit as TimeUnit)}:${(t.timezone as string | null) ?? ''}`;
    case Type.Duration: return `tD${unitLetter(t.unit as TimeUnit)}`;
    case Type.Interval: return t.unit === IntervalUnit.YEAR_MONTH ? 'tiM' : t.unit === IntervalUnit.DAY_TIME ? 'tiD' : 'tin';
    case Type.Decimal: return `d:${t.precision as number},${t.scale as number},${t.bitWidth as number}`;
    case Type.Dictionary: return formatOf((t.indices as DataType));
    case Type.List: return '+l';
    case Type.LargeList: return '+L';
    case Type.FixedSizeList: return `+w:${t.listSize as number}`;
    case Type.Struct: return '+s';
    case Type.Map: return '+m';
    case Type.Utf8View: return 'vu';
    case Type.BinaryView: return 'vz';
    default: return `+?${Type[type.typeId]}`;
  }
}

function unitLetter(unit: TimeUnit): string {
  return unit === TimeUnit.SECOND ? 's' : unit === TimeUnit.MILLISECOND ? 'm' : unit === TimeUnit.MICROSECOND ? 'u' : 'n';
}

/** Copies `length` bits starting at bit `offset` so they start at bit 0. */
function shiftBits(bits: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if ((bits[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

function bytesOf(view: ArrayBufferView | null | undefined): Uint8Array | null {
  return view ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength) : null;
}

/**
 * An apache-arrow Data chunk as a RawColumn. apache-arrow slices value and offset buffers
 * but not bitmaps, so bitmaps of sliced data are re-based to bit 0 (a copy, only then).
 */
export function rawFromData(data: Data): RawColumn {
  const type = data.type as DataType;
  const shift = data.offset !== 0;
  const validity = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0
    ? (shift ? shiftBits(data.nullBitmap, data.offset, data.length) : data.nullBitmap)
    : null;
  let buffers: (Uint8Array | null)[];
  const nested = data.children.length > 0 && type.typeId !== Type.Dictionary;
  if (type.typeId === Type.Bool) buffers = [shift ? shiftBits(data.values as Uint8Array, data.offset, data.length) : bytesOf(data.values)];
  else if (nested) buffers = data.valueOffsets ? [bytesOf(data.valueOffsets)] : [];
  else if (type.typeId === Type.Utf8View || type.typeId === Type.BinaryView) buffers = [bytesOf(data.values), ...data.variadicBuffers.map((buffer) => bytesOf(buffer))];
  else if (data.valueOffsets) buffers = [bytesOf(data.valueOffsets), bytesOf(data.values)];
  else buffers = [bytesOf(data.values)];
  const raw: RawColumn = { format: formatOf(type), length: data.length, offset: 0, nullCount: data.nullCount, validity, buffers };
  // Children of lists and maps are not sliced with their parent (its offsets point into them); those of structs and fixed-size lists are.
  if (nested) raw.children = data.children.map((child) => rawFromData(child as Data));
  if (type.typeId === Type.Dictionary && data.dictionary) {
    const chunks = data.dictionary.data;
    if (chunks.length !== 1) throw new Error('dictionary vectors of several chunks are not supported');
    raw.dictionary = rawFromData(chunks[0]!);
  }
  return raw;
}
