import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withMemoryMaximum } from '../../src/parquet/wasm-ceiling';
import { corpusDir } from '../support/parquet-corpus';

// Node's global WebAssembly, as far as these tests use it (the project's lib, ES2022, does not declare it).
interface WasmMemory { grow(pages: number): number }
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
};

const WASM = join(resolve(__dirname, '../..'), 'node_modules/parquet-wasm/node/parquet_wasm_bg.wasm');

describe("parquet-wasm's memory ceiling", () => {
  it('writes a maximum into the module, which then refuses to grow past it', () => {
    // A module with one memory of 1 page and no maximum, exported as "mem".
    const tiny = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 7, 1, 3, 0x6d, 0x65, 0x6d, 2, 0]);
    const unbounded = new WebAssembly.Instance(new WebAssembly.Module(tiny)).exports.mem as WasmMemory;
    unbounded.grow(2);
    const capped = new WebAssembly.Instance(new WebAssembly.Module(withMemoryMaximum(tiny, 2))).exports.mem as WasmMemory;
    capped.grow(1);
    expect(() => capped.grow(1)).toThrow(RangeError);
    // parquet-wasm's own module stays valid with it.
    expect(WebAssembly.validate(withMemoryMaximum(readFileSync(WASM), 100))).toBe(true);
    expect(() => withMemoryMaximum(tiny.subarray(0, 8), 100)).toThrow('declares no memory of its own');
  });

  it('keeps a 4 KB file whose strings decompress to 2 GB from taking the process past the ceiling', () => {
    // Without the ceiling this file took a decoder to 3.3 GB before it trapped.
    const script = `
      const { loadParquetWasmWithCeiling } = require(${JSON.stringify(resolve(__dirname, '../../dist/parquet/wasm-ceiling.js'))});
      const parquet = loadParquetWasmWithCeiling(64 * 1024 * 1024);
      const bytes = require('fs').readFileSync(${JSON.stringify(join(corpusDir(), 'data/large_string_map.brotli.parquet'))});
      const done = (outcome) => { console.log(JSON.stringify({ outcome, peakMb: Math.round(process.resourceUsage().maxRSS / 1024) })); process.exit(0); };
      process.on('uncaughtException', (error) => done(error.message));
      parquet.ParquetFile.fromFile(new Blob([bytes])).then(async (file) => {
        const reader = (await file.stream({ batchSize: 1 })).getReader();
        for (;;) { const { done: end, value } = await reader.read(); if (end) break; value.free(); }
        done('decoded');
      }, (error) => done(error.message));
      setTimeout(() => done('hung'), 60000).unref();
    `;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { outcome: string; peakMb: number };
    expect(result.outcome).toBe('unreachable');
    // What the ceiling proves is "far from 3.3 GB": Node and the compiled module alone took from
    // 70 to 670 MB across runs (compilation tiers, the host's load), so the bound is half of 3.3 GB.
    expect(result.peakMb).toBeLessThan(1_650);
  });
});
