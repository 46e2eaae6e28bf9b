import {
  accumulate, accumulateAt, accumulateRows, accumulateRowsAt, chainAt, formatDigest, hashValues, HashScratch, EMPTY_DIGEST,
  type Lanes, type RowHashes,
} from './bag';
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
  /**
   * The rows digest over only the columns asked for as `legacyColumns`, when they are fewer
   * than the columns digested: what a writer that could not digest the others recorded.
   */
  legacyDigest?: string;
}

export interface DigesterOptions {
  /**
   * Columns a stored rows digest was chained over (the columns its writer could digest).
   * Columns digested now but not then are left out of a second rows digest, so files
   * written before a type became digestible still validate against their footers.
   */
  legacyColumns?: string[];
}

/** Sums and the optional second chain shared by both ways of feeding a digester. */
abstract class DigestSums {
  protected readonly sums: Lanes[];
  protected readonly rowsSum: Lanes = { a: 0, b: 0 };
  protected readonly legacySum: Lanes = { a: 0, b: 0 };
  protected readonly unsupported = new Set<number>();
  protected readonly scratch = new HashScratch();
  protected readonly legacy?: Set<number>;
  protected rows = 0;

  constructor(readonly names: string[], options: DigesterOptions) {
    this.sums = names.map(() => ({ a: 0, b: 0 }));
    // Only when the writer left columns out: a second chain over all of them would be the first.
    const wanted = new Set(options.legacyColumns ?? names);
    if (names.some((name) => !wanted.has(name))) this.legacy = new Set(names.flatMap((name, index) => (wanted.has(name) ? [index] : [])));
  }

  result(): TableDigest {
    const columns: Record<string, string> = {};
    this.names.forEach((name, index) => { if (!this.unsupported.has(index)) columns[name] = formatDigest(this.sums[index]!); });
    const digest: TableDigest = { digest: this.rows === 0 ? EMPTY_DIGEST : formatDigest(this.rowsSum), columns, rows: this.rows };
    const chained = this.names.filter((_, index) => !this.unsupported.has(index)).length;
    if (this.legacy && this.legacy.size < chained) digest.legacyDigest = this.rows === 0 ? EMPTY_DIGEST : formatDigest(this.legacySum);
    return digest;
  }
}

/** Digests a stream of batches given as raw columns (the form both writer and reader produce). */
export class RawTableDigester extends DigestSums {
  private legacyRows?: RowHashes;

  constructor(names: string[], options: DigesterOptions = {}) {
    super(names, options);
  }

  /** One batch: columns in schema order, all of the same length. */
  update(columns: RawColumn[], length: number): void {
    if (length === 0) return;
    this.scratch.ensure(length);
    if (this.legacy && (!this.legacyRows || this.legacyRows.a.length < length)) {
      this.legacyRows = { a: new Int32Array(this.scratch.a.length), b: new Int32Array(this.scratch.a.length) };
    }
    let first = true;
    let firstLegacy = true;
    columns.forEach((column, index) => {
      if (this.unsupported.has(index)) return;
      if (!hashValues(column, this.scratch)) { this.unsupported.add(index); return; }
      accumulate(this.scratch, length, this.sums[index]!, first);
      first = false;
      if (this.legacy?.has(index)) { chainAt(this.scratch, length, this.legacyRows!, 0, firstLegacy); firstLegacy = false; }
    });
    if (!first) accumulateRows(this.scratch, length, columns.length, this.rowsSum);
    if (this.legacyRows && !firstLegacy) accumulateRowsAt(this.legacyRows, length, columns.length, this.legacySum);
    this.rows += length;
  }
}

/**
 * Digests one row group a column at a time (when its columns do not fit in memory
 * together): row hashes are kept for the whole row group and chained as each column comes,
 * in schema order, so the digests equal those of RawTableDigester over the same rows.
 */
export class ColumnwiseDigester extends DigestSums {
  private readonly rowHashes: RowHashes;
  private readonly legacyRows?: RowHashes;
  private readonly started = new Set<number>();
  private chainedAny = false;
  private chainedLegacy = false;

  constructor(names: string[], private readonly groupRows: number, options: DigesterOptions = {}) {
    super(names, options);
    this.rowHashes = { a: new Int32Array(groupRows), b: new Int32Array(groupRows) };
    if (this.legacy) this.legacyRows = { a: new Int32Array(groupRows), b: new Int32Array(groupRows) };
  }

  /**
   * Rows [offset, offset + column.length) of column `index`. Columns must come in schema
   * order, each complete before the next starts.
   */
  updateColumn(index: number, column: RawColumn, offset: number): void {
    const length = column.length;
    if (length === 0 || this.unsupported.has(index)) return;
    if (offset + length > this.groupRows) throw new Error(`column "${this.names[index]}" has more rows than its row group (${this.groupRows})`);
    this.scratch.ensure(length);
    if (!hashValues(column, this.scratch)) { this.unsupported.add(index); return; }
    this.started.add(index);
    // The first column to end sets the row hashes; every later one chains onto them.
    accumulateAt(this.scratch, length, this.sums[index]!, this.rowHashes, offset, !this.chainedAny);
    if (this.legacy?.has(index)) chainAt(this.scratch, length, this.legacyRows!, offset, !this.chainedLegacy);
  }

  /** Marks column `index` done (its rows all seen): later columns chain onto it. */
  endColumn(index: number): void {
    if (this.unsupported.has(index) || !this.started.has(index)) return;
    this.chainedAny = true;
    if (this.legacy?.has(index)) this.chainedLegacy = true;
  }

  /** The row group is complete: its rows' hashes go into the rows digest. */
  finish(rows: number): void {
    if (this.chainedAny) accumulateRowsAt(this.rowHashes, rows, this.names.length, this.rowsSum);
    if (this.legacyRows && this.chainedLegacy) accumulateRowsAt(this.legacyRows, rows, this.names.length, this.legacySum);
    this.rows += rows;
  }
}
