import type { RecordBatch, Schema, Table } from 'apache-arrow';
import { accumulate, accumulateRows, addDigests, formatDigest, hashValues, HashScratch, EMPTY_DIGEST, type Lanes } from './bag';
import { familyOf, type RawColumn } from './raw-column';
import { fieldFormat, rawFromData } from './arrow-columns';

/**
 * Content digests of a table's logical values (see bag.ts for the definition): one per
 * column, and one over whole rows. The same values give the same digests whether they are
 * dictionary- or plain-encoded and however rows are split into batches, row groups or files.
 */
export interface TableDigest {
  /** Digest over whole rows (every column of a row, in schema order). */
  digest: string;
  /** Per column, by name. A column of a type the kernel cannot read has no entry. */
  columns: Record<string, string>;
  rows: number;
}

/** Digests a stream of batches given as raw columns (the form both writer and reader produce). */
export class RawTableDigester {
  private readonly sums: Lanes[];
  private readonly rowsSum: Lanes = { a: 0, b: 0 };
  private readonly unsupported = new Set<number>();
  private readonly scratch = new HashScratch();
  private rows = 0;

  constructor(readonly names: string[]) {
    this.sums = names.map(() => ({ a: 0, b: 0 }));
  }

  /** One batch: columns in schema order, all of the same length. */
  update(columns: RawColumn[], length: number): void {
    if (length === 0) return;
    this.scratch.ensure(length);
    let first = true;
    columns.forEach((column, index) => {
      if (this.unsupported.has(index)) return;
      if (!hashValues(column, this.scratch)) { this.unsupported.add(index); return; }
      accumulate(this.scratch, length, this.sums[index]!, first);
      first = false;
    });
    if (!first) accumulateRows(this.scratch, length, columns.length, this.rowsSum);
    this.rows += length;
  }

  result(): TableDigest {
    const columns: Record<string, string> = {};
    this.names.forEach((name, index) => { if (!this.unsupported.has(index)) columns[name] = formatDigest(this.sums[index]!); });
    return { digest: this.rows === 0 ? EMPTY_DIGEST : formatDigest(this.rowsSum), columns, rows: this.rows };
  }
}

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

/** The digest family of a schema field (how its values are hashed). */
export function typeFamily(field: Parameters<typeof fieldFormat>[0]): string {
  return familyOf(fieldFormat(field));
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
