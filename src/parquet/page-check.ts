import * as zlib from 'node:zlib';
import type { ColumnChunkLayout } from './file-layout';
import { MalformedParquetError } from './file-layout';
import type { Hyparquet, PageHeader } from './hyparquet';

/**
 * Walks the pages of one column chunk before any decoder sees them: every page header is
 * parsed (Thrift compact protocol, by hyparquet), every CRC32 a writer stored is verified
 * against the page's bytes as stored, and the headers are checked against each other and
 * the footer (values per page add up to the chunk's, sizes stay inside the chunk, at most
 * one dictionary page and first). A page CRC is often the only integrity evidence a
 * foreign file carries; a mismatch is corruption, named by row group, column and page.
 */
export interface PageCounts {
  pages: number;
  /** Pages whose header carries a CRC32 (all verified). */
  checksummed: number;
}

export interface ChunkPages extends PageCounts {
  /** The largest page once decompressed, in bytes (a decoder holds one at a time). */
  largestPage: number;
}

/** A page whose stored CRC32 does not match its bytes. */
export class ChecksumMismatchError extends MalformedParquetError {
  override name = 'ChecksumMismatchError';
}

export function addPageCounts(into: PageCounts, more: PageCounts): void {
  into.pages += more.pages;
  into.checksummed += more.checksummed;
}

/** `bytes` are the chunk's bytes [chunk.start, chunk.end); `where` names row group and column. */
export function checkChunkPages(bytes: Uint8Array, chunk: ColumnChunkLayout, where: string, hyparquet: Hyparquet): ChunkPages {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  const result: ChunkPages = { pages: 0, checksummed: 0, largestPage: 0 };
  let values = 0;
  while (reader.offset < bytes.length && values < chunk.values) {
    const page = result.pages;
    const offset = chunk.start + reader.offset;
    const at = `${where} page ${page} (byte ${offset})`;
    let header: PageHeader;
    try {
      header = hyparquet.column.parquetHeader(reader);
    } catch (error) {
      throw new MalformedParquetError(`${at}: unreadable page header (${(error as Error).message})`);
    }
    const size = header.compressed_page_size;
    if (!(size >= 0) || !(header.uncompressed_page_size >= 0)) throw new MalformedParquetError(`${at}: the header gives impossible sizes (${size} bytes stored, ${header.uncompressed_page_size} uncompressed)`);
    if (reader.offset + size > bytes.length) throw new MalformedParquetError(`${at}: the page runs ${reader.offset + size - bytes.length} bytes past the end of its column chunk`);
    const body = bytes.subarray(reader.offset, reader.offset + size);
    reader.offset += size;
    result.pages += 1;
    result.largestPage = Math.max(result.largestPage, header.uncompressed_page_size);
    if (header.crc !== undefined) {
      const computed = crc32(body);
      if (computed !== (header.crc >>> 0)) {
        throw new ChecksumMismatchError(`${at}: CRC32 mismatch (the header says ${hex(header.crc)}, the page's bytes give ${hex(computed)}): corrupt page`);
      }
      result.checksummed += 1;
    }
    switch (header.type) {
      case 'DICTIONARY_PAGE': {
        const count = header.dictionary_page_header?.num_values ?? -1;
        if (page !== 0) throw new MalformedParquetError(`${at}: a dictionary page that is not the chunk's first page`);
        if (count < 0) throw new MalformedParquetError(`${at}: the dictionary page header says ${count} values`);
        break;
      }
      case 'DATA_PAGE':
      case 'DATA_PAGE_V2': {
        const count = (header.data_page_header ?? header.data_page_header_v2)?.num_values ?? -1;
        if (count < 0) throw new MalformedParquetError(`${at}: the data page header says ${count} values`);
        values += count;
        break;
      }
      default:
        break; // index pages and future page types carry no values
    }
  }
  if (values !== chunk.values) {
    throw new MalformedParquetError(`${where}: its pages hold ${values} values, the footer says ${chunk.values}`);
  }
  return result;
}

function hex(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/** CRC32 (the zlib polynomial Parquet uses) of a page's stored bytes. */
export function crc32(bytes: Uint8Array): number {
  const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(bytes) >>> 0;
  let crc = ~0;
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return ~crc >>> 0;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();
