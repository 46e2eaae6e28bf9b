import type { ColumnChunkLayout } from './file-layout';
import { MalformedParquetError } from './file-layout';
import type { Hyparquet, PageHeader } from './hyparquet';

/**
 * A closer look at a column chunk whose decoding failed: every data page is decompressed
 * and its repetition and definition levels decoded, to say in one line what is wrong with
 * the page rather than how a decoder fell over. It checks that a page holds as many levels
 * as its header announces, that no level exceeds the column's maximum, that a chunk starts
 * a new row, that a data page v2 header's row and null counts agree with its levels, and
 * that fixed-width PLAIN values fill what the levels say is there (a required column
 * cannot hold nulls). Only run when a decoder has already failed: it costs a decompression
 * of every page in JavaScript.
 */
export function diagnoseChunkPages(bytes: Uint8Array, chunk: ColumnChunkLayout, where: string, hyparquet: Hyparquet): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  let page = 0;
  let firstDataPage = true;
  while (reader.offset < bytes.length) {
    const at = `${where} page ${page} (byte ${chunk.start + reader.offset})`;
    const header = hyparquet.column.parquetHeader(reader);
    const body = bytes.subarray(reader.offset, reader.offset + header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    page += 1;
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue;
    const levels = readLevels(header, body, chunk, at, hyparquet);
    if (firstDataPage && levels.repetition && levels.repetition.length > 0 && levels.repetition[0] !== 0) {
      throw new MalformedParquetError(`${at}: its repetition levels start with ${levels.repetition[0]}, but a column chunk must start a new row (level 0)`);
    }
    firstDataPage = false;
    checkPlainValues(header, levels, chunk, at);
  }
}

interface PageLevels {
  repetition?: Uint8Array;
  /** Values present (definition level at the maximum). */
  present: number;
  /** The page's values, decompressed, after its levels. */
  values: Uint8Array;
}

function readLevels(header: PageHeader, body: Uint8Array, chunk: ColumnChunkLayout, at: string, hyparquet: Hyparquet): PageLevels {
  const { maxRepetition, maxDefinition } = chunk.leaf;
  const v2 = header.data_page_header_v2;
  const count = (header.data_page_header ?? v2)!.num_values;
  let repetition: Uint8Array | undefined;
  let definition: Uint8Array | undefined;
  let values: Uint8Array;
  if (v2) {
    const repLength = v2.repetition_levels_byte_length;
    const defLength = v2.definition_levels_byte_length;
    if (repLength < 0 || defLength < 0 || repLength + defLength > body.length) throw new MalformedParquetError(`${at}: level lengths (${repLength} + ${defLength} bytes) exceed the page's ${body.length} bytes`);
    if (maxRepetition > 0) repetition = decodeHybrid(body.subarray(0, repLength), bitWidth(maxRepetition), count, maxRepetition, 'repetition', at);
    if (maxDefinition > 0) definition = decodeHybrid(body.subarray(repLength, repLength + defLength), bitWidth(maxDefinition), count, maxDefinition, 'definition', at);
    const stored = body.subarray(repLength + defLength);
    const size = header.uncompressed_page_size - repLength - defLength;
    values = v2.is_compressed === false || size === 0 ? stored : decompress(stored, size, chunk, at, hyparquet);
    const rows = repetition ? repetition.reduce((sum, level) => sum + (level === 0 ? 1 : 0), 0) : count;
    if (rows !== v2.num_rows) throw new MalformedParquetError(`${at}: the header says ${v2.num_rows} rows, the repetition levels hold ${rows}`);
    const nulls = definition ? definition.reduce((sum, level) => sum + (level < maxDefinition ? 1 : 0), 0) : 0;
    if (nulls !== v2.num_nulls) throw new MalformedParquetError(`${at}: the header says ${v2.num_nulls} nulls, the definition levels hold ${nulls}`);
  } else {
    const page = decompress(body, header.uncompressed_page_size, chunk, at, hyparquet);
    const v1 = header.data_page_header!;
    let offset = 0;
    const prefixed = (name: 'repetition' | 'definition', max: number): Uint8Array => {
      if (offset + 4 > page.length) throw new MalformedParquetError(`${at}: the page ends before its ${name} levels`);
      const length = new DataView(page.buffer, page.byteOffset + offset, 4).getUint32(0, true);
      const levels = page.subarray(offset + 4, offset + 4 + length);
      if (levels.length < length) throw new MalformedParquetError(`${at}: ${name} levels of ${length} bytes run past the page's end`);
      offset += 4 + length;
      return decodeHybrid(levels, bitWidth(max), count, max, name, at);
    };
    const packed = (name: 'repetition' | 'definition', max: number): Uint8Array => {
      const width = bitWidth(max);
      const length = Math.ceil(count * width / 8);
      const levels = decodeLegacyBitPacked(page.subarray(offset, offset + length), width, count, max, name, at);
      offset += length;
      return levels;
    };
    if (maxRepetition > 0) repetition = v1.repetition_level_encoding === 'BIT_PACKED' ? packed('repetition', maxRepetition) : prefixed('repetition', maxRepetition);
    if (maxDefinition > 0) definition = v1.definition_level_encoding === 'BIT_PACKED' ? packed('definition', maxDefinition) : prefixed('definition', maxDefinition);
    values = page.subarray(offset);
  }
  const present = definition ? definition.reduce((sum, level) => sum + (level === maxDefinition ? 1 : 0), 0) : count;
  return { ...(repetition ? { repetition } : {}), present, values };
}

const PLAIN_WIDTHS: Record<string, number> = { INT32: 4, INT64: 8, INT96: 12, FLOAT: 4, DOUBLE: 8 };

function checkPlainValues(header: PageHeader, levels: PageLevels, chunk: ColumnChunkLayout, at: string): void {
  const encoding = (header.data_page_header ?? header.data_page_header_v2)!.encoding;
  if (encoding !== 'PLAIN') return;
  const { physicalType, typeLength } = chunk.leaf;
  const width = physicalType === 'FIXED_LEN_BYTE_ARRAY' ? typeLength : PLAIN_WIDTHS[physicalType];
  if (width === undefined) return;
  const needed = levels.present * width;
  if (levels.values.length < needed) {
    const fits = Math.floor(levels.values.length / width);
    const what = chunk.leaf.maxDefinition === 0 ? 'a required column, so every value must be there' : 'per its definition levels';
    throw new MalformedParquetError(`${at}: holds ${fits} values of ${width} bytes where ${levels.present} are expected (${what})`);
  }
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max);
}

/** RLE / bit-packed hybrid levels (no length prefix), exactly `count` of them. */
function decodeHybrid(bytes: Uint8Array, width: number, count: number, max: number, name: string, at: string): Uint8Array {
  const out = new Uint8Array(count);
  let seen = 0;
  let offset = 0;
  const valueBytes = (width + 7) >> 3;
  while (seen < count) {
    if (offset >= bytes.length) throw new MalformedParquetError(`${at}: holds ${seen} ${name} levels where its header announces ${count} values`);
    let header = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[offset++] ?? 0;
      header += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (header % 2 === 0) {
      const run = header / 2;
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value |= (bytes[offset++] ?? 0) << (8 * i);
      if (value > max) throw new MalformedParquetError(`${at}: a ${name} level of ${value} exceeds the column's maximum of ${max}`);
      out.fill(value, seen, Math.min(count, seen + run));
      seen += run;
    } else {
      const values = ((header - 1) / 2) * 8;
      const end = offset + (values * width) / 8;
      if (end > bytes.length) throw new MalformedParquetError(`${at}: its ${name} levels run past their ${bytes.length} bytes`);
      for (let i = 0; i < values && seen < count; i++, seen++) {
        const bit = i * width;
        let value = 0;
        for (let b = 0; b < width; b++) value |= ((bytes[offset + ((bit + b) >> 3)]! >> ((bit + b) & 7)) & 1) << b;
        if (value > max) throw new MalformedParquetError(`${at}: a ${name} level of ${value} exceeds the column's maximum of ${max}`);
        out[seen] = value;
      }
      offset = end;
    }
  }
  return out;
}

/** The deprecated BIT_PACKED level encoding: most significant bit first, no runs. */
function decodeLegacyBitPacked(bytes: Uint8Array, width: number, count: number, max: number, name: string, at: string): Uint8Array {
  if (bytes.length * 8 < count * width) throw new MalformedParquetError(`${at}: holds fewer ${name} levels than its header announces (${count})`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let value = 0;
    for (let b = 0; b < width; b++) {
      const bit = i * width + b;
      value = (value << 1) | ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    if (value > max) throw new MalformedParquetError(`${at}: a ${name} level of ${value} exceeds the column's maximum of ${max}`);
    out[i] = value;
  }
  return out;
}

function decompress(bytes: Uint8Array, size: number, chunk: ColumnChunkLayout, at: string, hyparquet: Hyparquet): Uint8Array {
  try {
    return hyparquet.datapage.decompressPage(bytes, size, chunk.codec, hyparquet.compressors.compressors);
  } catch (error) {
    throw new MalformedParquetError(`${at}: the ${chunk.codec} page does not decompress to its ${size} bytes (${(error as Error).message})`);
  }
}
