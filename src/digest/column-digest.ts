import type { RecordBatch, Schema, Table } from 'apache-arrow';
import { addDigests } from './bag';
import { rawFromData } from './arrow-columns';
import { RawTableDigester, type TableDigest } from './raw-digester';

export { RawTableDigester, type TableDigest };

/** Digests apache-arrow batches or tables (the write path). */
export class TableDigester {
  private readonly raw: RawTableDigester;

  constructor(schema: Schema) {
    this.raw = new RawTableDigester(schema.fields.map((field) => field.name));
  }

  update(batch: RecordBatch | Table): void {
    const batches = 'batches' in batch ? batch.batches : [batch];
    for (const one of batches) {
      this.raw.update(one.data.children.map((child) => rawFromData(child)), one.numRows);
    }
  }

  result(): TableDigest {
    return this.raw.result();
  }
}

/**
 * Combines per-file digests into the digest of a whole table's content. Digests add, so
 * the order of the files and how rows are split between them do not matter.
 */
export function combineDigests(digests: string[]): string {
  return addDigests(digests);
}

/** Adds per-column digests of several pieces (row groups, files) column by column. */
export function combineColumnDigests(pieces: Record<string, string>[]): Record<string, string> {
  const byColumn = new Map<string, string[]>();
  for (const piece of pieces) for (const [name, digest] of Object.entries(piece)) {
    const list = byColumn.get(name) ?? [];
    list.push(digest);
    byColumn.set(name, list);
  }
  const out: Record<string, string> = {};
  for (const [name, digests] of byColumn) out[name] = addDigests(digests);
  return out;
}
