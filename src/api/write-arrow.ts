import type { Table } from 'apache-arrow';
import { UsageError } from '../errors';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import type { TableRef } from '../table/table-ref';
import { writeTable, type WriteTableResult } from '../table/write';

export interface WriteArrowOptions {
  rowsPerFile: number;
  rowGroupRows: number;
  overwrite: boolean;
  encryption?: EncryptionOptions;
  source?: Record<string, unknown>;
  onProgress?: (progress: { files: number; rows: number; totalRows: number }) => void;
}

export type { WriteTableResult };

/**
 * Writes a caller's Arrow table as a lakevault table, the way `table create` writes the
 * generated one (src/table/write.ts).
 */
export async function writeArrowTable(store: ObjectStore, ref: TableRef, table: Table, options: WriteArrowOptions): Promise<WriteTableResult> {
  checkSplit(options);
  return writeTable(store, ref, {
    schema: table.schema,
    totalRows: table.numRows,
    // An empty table is one file of zero rows: its schema must still be recorded and readable.
    fileCount: Math.max(1, Math.ceil(table.numRows / options.rowsPerFile)),
    filePart: (index) => table.slice(index * options.rowsPerFile, (index + 1) * options.rowsPerFile),
    rowGroupRows: options.rowGroupRows,
    overwrite: options.overwrite,
    overwriteHint: 'overwrite',
    ...(options.encryption ? { encryption: options.encryption } : {}),
    source: options.source ?? { writer: 'arrow' },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

function checkSplit(options: Pick<WriteArrowOptions, 'rowsPerFile' | 'rowGroupRows'>): void {
  for (const [name, value, max] of [['rowsPerFile', options.rowsPerFile, 2_000_000], ['rowGroupRows', options.rowGroupRows, 1_048_576]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > max) throw new UsageError(`${name} must be an integer from 1 to ${max.toLocaleString('en')}, got ${value}`);
  }
}
