/**
 * hyparquet, a pure-JavaScript Parquet reader, and its decompressors. They are ES modules:
 * loaded once, on first use, with import() (which CommonJS code can call on every Node 20).
 * lakevault uses hyparquet for what parquet-wasm does not expose — the footer's column
 * chunk layout and the page headers (Thrift compact protocol) — and as the second reader
 * of files parquet-wasm cannot decode.
 */
export type HyparquetCore = typeof import('hyparquet', { with: { 'resolution-mode': 'import' } });
export type HyparquetColumn = typeof import('hyparquet/src/column.js', { with: { 'resolution-mode': 'import' } });
export type HyparquetDataPage = typeof import('hyparquet/src/datapage.js', { with: { 'resolution-mode': 'import' } });
export type HyparquetCompressors = typeof import('hyparquet-compressors', { with: { 'resolution-mode': 'import' } });
export type { FileMetaData, SchemaElement, PageHeader, CompressionCodec } from 'hyparquet' with { 'resolution-mode': 'import' };

export interface Hyparquet {
  core: HyparquetCore;
  column: HyparquetColumn;
  datapage: HyparquetDataPage;
  compressors: HyparquetCompressors;
}

let loading: Promise<Hyparquet> | undefined;

export function loadHyparquet(): Promise<Hyparquet> {
  loading ??= (async () => {
    const [core, column, datapage, compressors] = await Promise.all([
      import('hyparquet'), import('hyparquet/src/column.js'), import('hyparquet/src/datapage.js'), import('hyparquet-compressors'),
    ]);
    return { core, column, datapage, compressors };
  })();
  return loading;
}
