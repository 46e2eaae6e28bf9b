import type { ParquetFile } from './wasm';

/**
 * What an open Parquet file's footer says, read through parquet-wasm. The schema comes as
 * Arrow IPC bytes without the file's key-value metadata (that is a field of its own): the
 * fields alone, which the files of one table share. No apache-arrow here, so decode
 * workers can use it without loading Arrow.
 */
export interface FileFooter {
  /** Rows of all row groups: what readers read. */
  rows: number;
  /** The file-level row count, when the footer states another than its row groups hold. */
  declaredRows?: number;
  rowGroupRows: number[];
  /** The Arrow schema as an IPC stream, fields only. */
  schemaIpc: Uint8Array;
  keyValueMetadata: Record<string, string>;
  createdBy?: string;
}

export function fileFooter(file: ParquetFile): FileFooter {
  const metadata = file.metadata();
  const fileMetadata = metadata.fileMetadata();
  const schema = file.schema();
  try {
    const rowGroupRows = metadata.rowGroups().map((group) => { const rows = group.numRows(); group.free(); return rows; });
    const keyValueMetadata: Record<string, string> = {};
    for (const [name, value] of fileMetadata.keyValueMetadata()) keyValueMetadata[String(name)] = String(value);
    const createdBy = fileMetadata.createdBy();
    const rows = rowGroupRows.reduce((sum, count) => sum + count, 0);
    const declared = fileMetadata.numRows();
    return {
      rows,
      ...(declared !== rows ? { declaredRows: declared } : {}),
      rowGroupRows,
      schemaIpc: schema.withMetadata(new Map()).intoIPCStream(),
      keyValueMetadata,
      ...(createdBy ? { createdBy } : {}),
    };
  } finally {
    schema.free();
    fileMetadata.free();
    metadata.free();
  }
}
