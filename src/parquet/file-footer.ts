import type { ParquetFile } from './wasm';

/**
 * What an open Parquet file's footer says, read through parquet-wasm. The schema comes as
 * Arrow IPC bytes without the file's key-value metadata (that is a field of its own): the
 * fields alone, which the files of one table share. No apache-arrow here, so decode
 * workers can use it without loading Arrow.
 */
export interface FileFooter {
  rows: number;
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
    return {
      rows: fileMetadata.numRows(),
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
