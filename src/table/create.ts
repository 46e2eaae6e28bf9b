import { UsageError } from '../errors';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import { generateSalesBatch, SALES_SCHEMA } from '../datagen/sales';
import type { TableRef } from './table-ref';
import { writeTable, type WriteTableResult } from './write';
import { MAX_ROWS, MAX_ROWS_PER_FILE } from './limits';


export interface CreateTableOptions {
  rows: number;
  seed: number;
  rowsPerFile: number;
  rowGroupRows: number;
  overwrite: boolean;
  encryption?: EncryptionOptions;
  onProgress?: (progress: { files: number; rows: number; totalRows: number }) => void;
}

export type CreateTableResult = WriteTableResult;

export function checkCreateOptions(options: Pick<CreateTableOptions, 'rows' | 'rowsPerFile' | 'rowGroupRows' | 'seed'>): void {
  const integer = (name: string, value: number, min: number, max: number) => {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`${name} must be an integer from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}, got ${value}`);
    }
  };
  integer('--rows', options.rows, 1, MAX_ROWS);
  integer('--rows-per-file', options.rowsPerFile, 1, MAX_ROWS_PER_FILE);
  integer('--row-group-rows', options.rowGroupRows, 1, 1_048_576);
  integer('--seed', options.seed, 0, 2 ** 31 - 1);
}

/** Writes a generated sales table (see writeTable for how a write stays consistent). */
export async function createSalesTable(store: ObjectStore, table: TableRef, options: CreateTableOptions): Promise<CreateTableResult> {
  checkCreateOptions(options);
  return writeTable(store, table, {
    schema: SALES_SCHEMA,
    totalRows: options.rows,
    fileCount: Math.ceil(options.rows / options.rowsPerFile),
    filePart: (index) => {
      const firstRow = index * options.rowsPerFile;
      return generateSalesBatch(options.seed, firstRow + 1, Math.min(options.rowsPerFile, options.rows - firstRow));
    },
    rowGroupRows: options.rowGroupRows,
    overwrite: options.overwrite,
    overwriteHint: '--overwrite',
    ...(options.encryption ? { encryption: options.encryption } : {}),
    source: { generator: 'sales', seed: options.seed },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
