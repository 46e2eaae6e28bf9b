/**
 * A column's buffers described the way the Arrow C data interface describes them, wherever
 * they live: in JavaScript (apache-arrow, when a file is written) or inside parquet-wasm's
 * WebAssembly memory (when a file is read back, without copying). The digest kernel reads
 * only this shape, so writer and validator hash exactly the same bytes.
 */
export interface RawColumn {
  /** Arrow C data interface format string: 'l' int64, 'u' utf8, 'tdD' date32, ... */
  format: string;
  length: number;
  /** Element offset into the buffers (a sliced array). */
  offset: number;
  nullCount: number;
  /** Validity bitmap (bit i = element i, before `offset` is applied); null when no nulls. */
  validity: Uint8Array | null;
  /** Fixed width: [values]. Variable width: [offsets, data]. Booleans: [bits]. */
  buffers: (Uint8Array | null)[];
  /** The values a dictionary-encoded column's indices point at. */
  dictionary?: RawColumn;
  /**
   * Nested formats: lists ('+l', '+L', '+w:N') and maps ('+m') have one child (the
   * elements; a map's is the struct of key and value), structs ('+s') one per field.
   * Buffers then hold only the offsets of lists and maps.
   */
  children?: RawColumn[];
}

/** How the kernel reads a format's values. */
export type Physical =
  | { kind: 'int'; bytes: 1 | 2 | 4 | 8; signed: boolean }
  | { kind: 'float'; bytes: 4 | 8 }
  | { kind: 'bool' }
  | { kind: 'words'; words: number } // decimals, intervals: hashed word by word
  | { kind: 'bytes'; offsetBytes: 4 | 8 }
  | { kind: 'fixed-bytes'; width: number }
  | { kind: 'view' } // utf8 / binary views: 16-byte views, then the data buffers
  | { kind: 'nested' }
  | { kind: 'null' }
  | { kind: 'unsupported' };

const INTS: Record<string, Physical> = {
  c: { kind: 'int', bytes: 1, signed: true },
  C: { kind: 'int', bytes: 1, signed: false },
  s: { kind: 'int', bytes: 2, signed: true },
  S: { kind: 'int', bytes: 2, signed: false },
  i: { kind: 'int', bytes: 4, signed: true },
  I: { kind: 'int', bytes: 4, signed: false },
  l: { kind: 'int', bytes: 8, signed: true },
  L: { kind: 'int', bytes: 8, signed: false },
  e: { kind: 'int', bytes: 2, signed: false }, // float16: its 16 bits, as stored
};

/**
 * Maps a format string to how its values are read. Widths are normalised on purpose:
 * every integer hashes as its 64-bit value and every float as its float64 value, so a
 * widened column (int32 → int64) keeps its content digest; the type change itself is a
 * schema difference, reported separately.
 */
export function physicalOf(format: string): Physical {
  if (format in INTS) return INTS[format]!;
  switch (format) {
    case 'n': return { kind: 'null' };
    case 'b': return { kind: 'bool' };
    case 'f': return { kind: 'float', bytes: 4 };
    case 'g': return { kind: 'float', bytes: 8 };
    case 'z': case 'u': return { kind: 'bytes', offsetBytes: 4 };
    case 'Z': case 'U': return { kind: 'bytes', offsetBytes: 8 };
    case 'vz': case 'vu': return { kind: 'view' };
    case 'tdD': case 'tts': case 'ttm': case 'tiM': return { kind: 'int', bytes: 4, signed: true };
    case 'tdm': case 'ttu': case 'ttn': return { kind: 'int', bytes: 8, signed: true };
    case 'tiD': return { kind: 'words', words: 2 };
    case 'tin': return { kind: 'words', words: 4 };
  }
  if (/^ts[smun]:/.test(format) || /^tD[smun]$/.test(format)) return { kind: 'int', bytes: 8, signed: true };
  if (format.startsWith('w:')) return { kind: 'fixed-bytes', width: Number(format.slice(2)) };
  if (format.startsWith('+')) return { kind: 'nested' };
  const decimal = /^d:\d+,\d+(?:,(\d+))?$/.exec(format);
  if (decimal) return { kind: 'words', words: Number(decimal[1] ?? 128) / 32 };
  return { kind: 'unsupported' };
}

/**
 * The digest family of a format: formats whose values hash alike share a family, and a
 * family is part of how lakevault describes a column's digest.
 */
export function familyOf(format: string, dictionary?: RawColumn): string {
  if (dictionary) return familyOf(dictionary.format);
  const physical = physicalOf(format);
  switch (physical.kind) {
    case 'int': return format === 'e' ? 'float16' : format.startsWith('t') ? `temporal:${format}` : 'int';
    case 'float': return 'float';
    case 'bytes': case 'view': return format.toLowerCase().endsWith('u') ? 'string' : 'binary';
    case 'fixed-bytes': return 'binary';
    default: return format;
  }
}
