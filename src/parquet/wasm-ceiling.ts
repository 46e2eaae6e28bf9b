// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose readFileSync the ceiling wraps
import fs = require('node:fs');

/**
 * parquet-wasm with a ceiling on its WebAssembly memory.
 *
 * The module declares its linear memory without a maximum, so it may grow to 4 GiB: a
 * 4 KB file whose strings decompress to 2 GB took a process to 3.3 GB before trapping. Its
 * Node loader reads the .wasm file with fs.readFileSync and instantiates it at require
 * time; for that one read the bytes are handed over with a maximum written into the memory
 * section, so growth past the ceiling fails inside WebAssembly (an allocation failure traps,
 * which the decode worker reports) instead of taking memory from the process.
 *
 * Only for decode workers: a thread loads parquet-wasm once, and the first load decides.
 */
type ParquetWasm = typeof import('parquet-wasm/node');

const WASM_FILE = 'parquet_wasm_bg.wasm';
const PAGE = 64 * 1024;

export function loadParquetWasmWithCeiling(maxBytes: number): ParquetWasm {
  const readFileSync = fs.readFileSync;
  let applied = false;
  fs.readFileSync = ((path: fs.PathOrFileDescriptor, options?: unknown) => {
    const bytes = readFileSync(path, options as undefined);
    if (typeof path !== 'string' || !path.endsWith(WASM_FILE)) return bytes;
    applied = true;
    return withMemoryMaximum(bytes, Math.max(1, Math.floor(maxBytes / PAGE)));
  }) as typeof fs.readFileSync;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const wasm = require('parquet-wasm/node') as ParquetWasm;
    if (!applied) throw new Error('parquet-wasm was loaded before its memory ceiling could be set');
    return wasm;
  } finally {
    fs.readFileSync = readFileSync;
  }
}

/**
 * A WebAssembly module whose (single, defined) memory gets `maxPages` as its maximum.
 * Binary format: magic + version, then sections (id byte, LEB128 size); the memory section
 * (id 5) is a vector of limits: flags (bit 0: a maximum follows), minimum, maximum.
 */
export function withMemoryMaximum(module: Buffer, maxPages: number): Buffer {
  let at = 8;
  const readLeb = (): number => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = module[at++]!;
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (at < module.length) {
    const sectionStart = at;
    const id = module[at++];
    const size = readLeb();
    const bodyStart = at;
    if (id === 5) {
      const count = readLeb();
      if (count !== 1) throw new Error(`parquet-wasm declares ${count} memories: cannot set a ceiling`);
      const flags = module[at++]!;
      const minimum = readLeb();
      if (flags & 1) readLeb();
      if (flags & ~1) throw new Error('parquet-wasm uses shared or 64-bit memory: cannot set a ceiling');
      const body = Buffer.from([...leb(1), 1, ...leb(minimum), ...leb(Math.max(minimum, maxPages))]);
      const section = Buffer.concat([Buffer.from([5, ...leb(body.length)]), body]);
      return Buffer.concat([module.subarray(0, sectionStart), section, module.subarray(bodyStart + size)]);
    }
    at = bodyStart + size;
  }
  throw new Error('parquet-wasm declares no memory of its own: cannot set a ceiling');
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}
