import { accumulate, fmix, hashValues, HashScratch, type Lanes } from './bag';
import type { RawColumn } from './raw-column';

/** One 64-bit digest per row, as two 32-bit lanes (row i: a[i], b[i]). */
export interface RowDigests {
  a: Int32Array;
  b: Int32Array;
}

/**
 * The digest of each row of a batch: the very row hashes whose sum is the bag digest's
 * rows digest (bag.ts), so the digests of a file's rows add up to the digest its footer
 * and manifest record. Two rows with the same values in every column have the same
 * digest, whatever file, row group or encoding they came from.
 *
 * Returns the indexes of the columns the kernel cannot read instead, when there are any (or
 * no columns at all): a row digest that skipped a column would call rows equal that differ in it.
 */
export function rowDigests(columns: RawColumn[], length: number, scratch = new HashScratch()): RowDigests | { unsupported: number[] } {
  scratch.ensure(length);
  const unsupported: number[] = [];
  const ignored: Lanes = { a: 0, b: 0 };
  for (let index = 0; index < columns.length; index++) {
    if (!hashValues(columns[index]!, scratch)) unsupported.push(index);
    else if (unsupported.length === 0) accumulate(scratch, length, ignored, index === 0);
  }
  if (unsupported.length || columns.length === 0) return { unsupported };
  const a = new Int32Array(length);
  const b = new Int32Array(length);
  const count = columns.length;
  for (let i = 0; i < length; i++) {
    a[i] = fmix(scratch.rowA[i]! ^ count);
    b[i] = fmix(scratch.rowB[i]! ^ count);
  }
  return { a, b };
}
