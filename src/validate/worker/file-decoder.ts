import type { ParquetFile, RecordBatch } from 'parquet-wasm/node';
import type { FileFooter } from '../../parquet/file-footer';
import { fileLayout, MalformedParquetError, type ColumnChunkLayout, type FileLayout, type RowGroupLayout } from '../../parquet/file-layout';
import { META_ROW_GROUP_DIGESTS } from '../../parquet/footer-keys';
import type { FileMetaData, Hyparquet } from '../../parquet/hyparquet';
import { addPageCounts, checkChunkPages, type PageCounts } from '../../parquet/page-check';
import { diagnoseChunkPages } from '../../parquet/page-levels';
import { readFfiBatch } from '../../parquet/ffi-columns';
import { ColumnwiseDigester, RawTableDigester, type TableDigest } from '../../digest/raw-digester';
import { EMPTY_DIGEST } from '../../digest/bag';
import { batchRowsFor, formatMb, planFetches, refusal, type DecodeBudget, type DecodeStep } from './memory-plan';
import { PrefetchedRanges } from './prefetched';
import type { DecodeResult, DecodeTask, RowGroupDigest } from './protocol';

type ParquetWasm = typeof import('parquet-wasm/node');
type SecondReader = typeof import('../../parquet/second-reader');

/**
 * parquet-wasm failed on pages that passed every check. `rows`: it decoded without error
 * but not the rows the footer states (a gap in the decoder: another reader may read the
 * file); `error`: it rejected or trapped on the data (corruption the checks cannot see, such
 * as a damaged compressed stream, or a decoder limit: the file fails with its words).
 */
export class DecoderFailure extends Error {
  constructor(message: string, readonly rowGroup: number, readonly kind: 'rows' | 'error') {
    super(message);
  }
}

/** What cannot be done within the memory budget: the file fails with this line. */
export class BudgetExceeded extends Error {}

/** What the worker gives the decoder: its modules, byte reads, and its guard against parquet-wasm traps. */
export interface DecoderServices {
  parquet: ParquetWasm;
  hyparquet: Hyparquet;
  budget: DecodeBudget;
  /** Bytes [start, end) of the object, from the store (through the main thread). */
  fetch(start: number, end: number): Promise<ArrayBuffer>;
  /** Runs parquet-wasm work; a trap inside it (which would never settle) rejects instead. */
  guarded<T>(work: () => Promise<T>): Promise<T>;
  progress(rows: number): void;
  secondReader(): SecondReader;
}

const TAIL_BYTES = 64 * 1024;
export const UNREADABLE_FOOTER = 'unreadable footer';

/**
 * Decodes and digests one file in 'decode' mode: footer layout first, then row group by
 * row group, within the memory budget: the compressed chunks are fetched, every page is
 * walked and its CRC verified, and only then does parquet-wasm decode them (its reads served
 * from the fetched bytes). Where parquet-wasm fails on pages that passed the checks, the
 * failing chunks are examined level by level (a malformed page is named); if nothing is
 * wrong with them, hyparquet reads the whole file instead.
 */
export class FileDecoder {
  readonly prefetched = new PrefetchedRanges();
  private readonly pages: PageCounts = { pages: 0, checksummed: 0 };
  private readonly checked = new Set<ColumnChunkLayout>();
  private readonly undigested = new Set<string>();
  private layout?: FileLayout;
  private metadata?: FileMetaData;
  private names: string[] = [];

  private footer!: FileFooter;

  constructor(private readonly services: DecoderServices, private readonly task: DecodeTask) {}

  /**
   * Decodes the file with parquet-wasm when it could open it (`file`), else — and where it
   * fails on pages that pass every check — with hyparquet. `openFailure` says why it could not.
   */
  async decode(file: { parquet: ParquetFile; footer: FileFooter } | { openFailure: string }): Promise<DecodeResult> {
    const layout = this.layout!;
    this.names = [...new Set(layout.leaves.map((leaf) => leaf.topLevel))];
    if ('openFailure' in file) {
      this.footer = this.footerFromLayout();
      const failure = new DecoderFailure(`parquet-wasm could not open the file: ${file.openFailure}`, -1, 'error');
      for (const group of layout.rowGroups) await this.diagnose(group);
      return { footer: this.footer, ...(await this.readWithHyparquet(failure)) };
    }
    this.footer = file.footer;
    const rowGroups: RowGroupDigest[] = [];
    try {
      for (const group of layout.rowGroups) rowGroups.push(await this.wasmRowGroup(file.parquet, group));
      return { footer: this.footer, ...this.result(rowGroups, 'parquet-wasm') };
    } catch (error) {
      if (!(error instanceof DecoderFailure)) throw error;
      await this.diagnose(layout.rowGroups[error.rowGroup]!);
      // What parquet-wasm rejects is not read another way: a more lenient reader would hide the damage.
      if (error.kind === 'error') throw new MalformedParquetError(error.message);
      return { footer: this.footer, ...(await this.readWithHyparquet(error)) };
    }
  }

  private result(rowGroups: RowGroupDigest[], reader: 'parquet-wasm' | 'hyparquet', fallback?: string): Omit<DecodeResult, 'footer'> {
    return {
      rowGroups, reader, pages: { ...this.pages },
      ...(fallback ? { readerFallback: fallback } : {}),
      ...(this.undigested.size ? { undigestedColumns: [...this.undigested] } : {}),
    };
  }

  /** The footer as parquet-wasm would have described it, from hyparquet's reading (for a file parquet-wasm cannot open). */
  footerFromLayout(): FileFooter {
    return this.services.secondReader().footerFromMetadata(this.metadata!);
  }

  /** The footer through hyparquet (parquet-wasm does not expose the chunks' offsets), checked for consistency. */
  async readLayout(): Promise<FileLayout> {
    const size = this.task.size;
    const tailStart = Math.max(0, size - TAIL_BYTES);
    let bytes = new Uint8Array(await this.services.fetch(tailStart, size));
    const footerLength = size >= 8 ? new DataView(bytes.buffer, bytes.byteLength - 8, 4).getUint32(0, true) : 0;
    if (footerLength + 8 > bytes.length && footerLength + 12 <= size) {
      const more = new Uint8Array(await this.services.fetch(size - footerLength - 8, tailStart));
      const whole = new Uint8Array(more.length + bytes.length);
      whole.set(more);
      whole.set(bytes, more.length);
      bytes = whole;
    }
    try {
      this.metadata = this.services.hyparquet.core.parquetMetadata(bytes, { geoparquet: false });
    } catch (error) {
      throw new MalformedParquetError(`${UNREADABLE_FOOTER}: ${(error as Error).message}`);
    }
    try {
      this.layout = fileLayout(this.metadata, size - 8 - footerLength);
    } catch (error) {
      if (error instanceof MalformedParquetError) throw error;
      throw new MalformedParquetError(`corrupt footer: ${(error as Error).message}`);
    }
    return this.layout;
  }

  /** Fetches a step's bytes and walks every page of its chunks (once per chunk); returns each chunk's largest page. */
  private async fetchAndCheck(group: RowGroupLayout, step: DecodeStep): Promise<number[]> {
    const bytes = new Uint8Array(await this.services.fetch(step.start, step.end));
    this.prefetched.add(step.start, bytes);
    return step.chunks.map((chunk) => this.checkChunk(group, chunk, bytes.subarray(chunk.start - step.start, chunk.end - step.start)));
  }

  private largest = new Map<ColumnChunkLayout, number>();

  private checkChunk(group: RowGroupLayout, chunk: ColumnChunkLayout, bytes: Uint8Array): number {
    if (!this.checked.has(chunk)) {
      const pages = checkChunkPages(bytes, chunk, `row group ${group.index} column "${chunk.leaf.name}"`, this.services.hyparquet);
      addPageCounts(this.pages, pages);
      this.checked.add(chunk);
      this.largest.set(chunk, pages.largestPage);
    }
    return this.largest.get(chunk)!;
  }

  private legacyColumns(group: number): string[] | undefined {
    const stored = this.footer.keyValueMetadata[META_ROW_GROUP_DIGESTS];
    if (stored) {
      try {
        const parsed = JSON.parse(stored) as unknown;
        if (Array.isArray(parsed) && parsed[group] && typeof parsed[group] === 'object') return Object.keys(parsed[group] as object);
      } catch {
        // unreadable: the validator reports it
      }
    }
    return this.task.manifestColumns;
  }

  private async wasmRowGroup(file: ParquetFile, group: RowGroupLayout): Promise<RowGroupDigest> {
    const budget = this.services.budget;
    const legacyColumns = this.legacyColumns(group.index);
    const options = legacyColumns ? { legacyColumns } : {};
    if (group.rows === 0) return { rows: 0, digest: EMPTY_DIGEST, columns: {} };
    const plan = planFetches(group, budget);
    if (plan.kind === 'refused') throw new BudgetExceeded(plan.message);
    try {
      let steps = plan.steps;
      if (steps.length === 1 && !steps[0]!.columns) {
        const largest = await this.fetchAndCheck(group, steps[0]!);
        const batch = batchRowsFor(steps[0]!.chunks, largest, group.rows, this.task.batchSize, budget);
        if (batch !== undefined) {
          const digester = new RawTableDigester(this.names, options);
          await this.stream(file, group, undefined, batch, (columns, length) => { digester.update(columns, length); this.services.progress(length); });
          return this.finished(group, digester.result());
        }
        // The whole row group does not fit in memory at once: one top-level column at a time, from the bytes already fetched.
        const whole = steps[0]!;
        steps = this.names.flatMap((name) => {
          const chunks = whole.chunks.filter((chunk) => chunk.leaf.topLevel === name);
          return chunks.length ? [{ columns: [name], chunks, start: whole.start, end: whole.end }] : [];
        });
      }
      return await this.columnwise(file, group, steps, options);
    } finally {
      this.prefetched.clear();
    }
  }

  private async columnwise(file: ParquetFile, group: RowGroupLayout, steps: DecodeStep[], options: { legacyColumns?: string[] }): Promise<RowGroupDigest> {
    const budget = this.services.budget;
    const digester = new ColumnwiseDigester(this.names, group.rows, options);
    let first = true;
    for (const step of steps) {
      const fetched = step.chunks.every((chunk) => this.checked.has(chunk));
      const largest = fetched ? step.chunks.map((chunk) => this.largest.get(chunk)!) : await this.fetchAndCheck(group, step);
      const batch = batchRowsFor(step.chunks, largest, group.rows, this.task.batchSize, budget);
      if (batch === undefined) throw new BudgetExceeded(refusal(group.index, step.chunks, largest, group.rows, budget));
      const name = step.columns![0]!;
      const index = this.names.indexOf(name);
      let offset = 0;
      const reportRows = first;
      await this.stream(file, group, step.columns, batch, (columns, length) => {
        digester.updateColumn(index, columns[0]!, offset);
        offset += length;
        if (reportRows) this.services.progress(length);
      });
      if (offset !== group.rows) throw new DecoderFailure(`parquet-wasm decoded ${offset} rows of column "${name}" in row group ${group.index}, the footer says ${group.rows}`, group.index, 'rows');
      digester.endColumn(index);
      first = false;
      if (!fetched) this.prefetched.clear();
    }
    digester.finish(group.rows);
    return this.finished(group, digester.result());
  }

  private finished(group: RowGroupLayout, digest: TableDigest): RowGroupDigest {
    if (digest.rows !== group.rows) throw new DecoderFailure(`parquet-wasm decoded ${digest.rows} rows of row group ${group.index}, the footer says ${group.rows}`, group.index, 'rows');
    for (const name of this.names) if (!(name in digest.columns)) this.undigested.add(name);
    return { rows: digest.rows, digest: digest.digest, columns: digest.columns, ...(digest.legacyDigest ? { legacyDigest: digest.legacyDigest } : {}) };
  }

  /**
   * Decodes one row group (or some of its top-level columns) batch by batch; batches are
   * views of WebAssembly memory, digested at once. When one batch holds the whole row group
   * it is read in one call: a stream's set-up cost more than decoding a small file.
   */
  private async stream(file: ParquetFile, group: RowGroupLayout, columns: string[] | undefined, batchSize: number, digest: (columns: import('../../digest/raw-column').RawColumn[], length: number) => void): Promise<void> {
    const { parquet } = this.services;
    const digestBatch = (value: RecordBatch) => {
      const ffi = value.intoFFI();
      try {
        // Views into WASM memory: valid until the next parquet-wasm call, so digest now.
        const batch = readFfiBatch(parquet.wasmMemory().buffer as ArrayBuffer, ffi.arrayAddr(), ffi.schemaAddr());
        digest(batch.columns, batch.length);
      } finally {
        ffi.free();
      }
    };
    const options = { rowGroups: [group.index], batchSize, ...(columns ? { columns } : {}) };
    try {
      await this.services.guarded(async () => {
        if (batchSize >= group.rows) {
          const table = await file.read(options);
          try {
            for (let index = 0; index < table.numBatches; index++) digestBatch(table.recordBatch(index)!);
          } finally {
            table.free();
          }
          return;
        }
        const reader = (await file.stream(options)).getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          digestBatch(value as RecordBatch);
        }
      });
    } catch (error) {
      if (error instanceof BudgetExceeded || error instanceof DecoderFailure) throw error;
      const message = error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
      const trapped = /unreachable|RuntimeError/.test(message);
      throw new DecoderFailure(trapped
        ? `parquet-wasm trapped (${message}) in row group ${group.index}: corrupt data the page checks did not catch, or more than the ${formatMb(this.services.budget.wasmCeilingBytes)} of memory a decoder may use`
        : `parquet-wasm failed in row group ${group.index}: ${message}`, group.index, 'error');
    }
  }

  /** After a decoder failure: examines the failing row group's chunks level by level; throws when a page is malformed. */
  private async diagnose(group: RowGroupLayout): Promise<void> {
    for (const chunk of group.chunks) {
      if (chunk.values === 0 || chunk.end - chunk.start > this.services.budget.prefetchBytes || chunk.uncompressed > this.services.budget.perWorkerBytes) continue;
      const bytes = new Uint8Array(await this.services.fetch(chunk.start, chunk.end));
      this.checkChunk(group, chunk, bytes); // CRCs first: a corrupt page is reported as such
      diagnoseChunkPages(bytes, chunk, `row group ${group.index} column "${chunk.leaf.name}"`, this.services.hyparquet);
    }
  }

  private async readWithHyparquet(failure: DecoderFailure): Promise<Omit<DecodeResult, 'footer'>> {
    const second = this.services.secondReader();
    const { hyparquet, budget } = this.services;
    const fields = second.arrowFields(this.footer.schemaIpc);
    const lost = this.names.filter((name) => !fields.some((field) => field.name === name));
    if (lost.length) throw new MalformedParquetError(`${failure.message}; the file's Arrow schema lacks column(s) ${lost.join(', ')}`);
    const file = { byteLength: this.task.size, slice: (start: number, end = this.task.size) => this.services.fetch(start, end) };
    const rowGroups: RowGroupDigest[] = [];
    let rowStart = 0;
    this.undigested.clear();
    for (const group of this.layout!.rowGroups) {
      // Plain JavaScript values take far more room than Arrow's: tens of bytes a value.
      const estimate = group.uncompressed * 4 + group.rows * this.layout!.leaves.length * 64;
      if (estimate > budget.perWorkerBytes) {
        throw new BudgetExceeded(`${failure.message}; row group ${group.index} (${group.rows} rows, ${formatMb(group.uncompressed)} uncompressed) is too large for the second reader (hyparquet) within the decode budget (${formatMb(budget.perWorkerBytes)} per worker)`);
      }
      for (const chunk of group.chunks) {
        if (chunk.values > 0 && !this.checked.has(chunk)) this.checkChunk(group, chunk, new Uint8Array(await this.services.fetch(chunk.start, chunk.end)));
      }
      let values: unknown[][];
      try {
        values = await second.readRowsWithHyparquet(hyparquet, file, this.metadata!, this.names, rowStart, rowStart + group.rows);
      } catch (error) {
        throw new MalformedParquetError(`${failure.message}; the second reader (hyparquet) failed too: ${(error as Error).message}`);
      }
      const legacyColumns = this.legacyColumns(group.index);
      const digester = new RawTableDigester(this.names, legacyColumns ? { legacyColumns } : {});
      const columns = this.names.map((name, i) => second.rawFromValues(values[i]!, fields.find((field) => field.name === name)!.type) ?? { format: '+?', length: group.rows, offset: 0, nullCount: 0, validity: null, buffers: [] });
      digester.update(columns, group.rows);
      this.services.progress(group.rows);
      const digest = digester.result();
      rowGroups.push({ rows: group.rows, digest: group.rows ? digest.digest : EMPTY_DIGEST, columns: digest.columns, ...(digest.legacyDigest ? { legacyDigest: digest.legacyDigest } : {}) });
      if (group.rows) for (const name of this.names) if (!(name in digest.columns)) this.undigested.add(name);
      rowStart += group.rows;
    }
    return this.result(rowGroups, 'hyparquet', failure.message);
  }
}
