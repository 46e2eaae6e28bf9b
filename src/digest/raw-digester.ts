import { accumulate, accumulateRows, formatDigest, hashValues, HashScratch, EMPTY_DIGEST, type Lanes } from './bag';
import type { RawColumn } from './raw-column';

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
