/**
 * parquet-wasm's Node build (CommonJS, loads synchronously). One import point so the
 * rest of the code does not care about its package layout.
 */
import * as wasm from 'parquet-wasm/node';

export const parquet = wasm;
export type ParquetFile = wasm.ParquetFile;
export type WriterProperties = wasm.WriterProperties;
