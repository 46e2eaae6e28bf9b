import type { CompressionCodec, FileMetaData, SchemaElement } from './hyparquet';

/**
 * Where a Parquet file keeps what: every column chunk's byte range and sizes, as its footer
 * states them, checked for consistency before anything is decoded. A decoder trusts these
 * numbers to size its buffers, so a footer that contradicts itself (a chunk outside the
 * file, a column with fewer values than its row group has rows) is refused here with one
 * line that names the row group and column, instead of trapping a decoder later.
 */
export interface LeafColumn {
  /** Dotted path of the leaf (`a.list.element`). */
  name: string;
  /** The top-level field the leaf belongs to (what a decoder's projection names). */
  topLevel: string;
  physicalType: string;
  typeLength?: number;
  maxRepetition: number;
  maxDefinition: number;
}

export interface ColumnChunkLayout {
  leaf: LeafColumn;
  /** Byte range [start, end) of the chunk's pages. */
  start: number;
  end: number;
  uncompressed: number;
  values: number;
  codec: CompressionCodec;
  hasDictionary: boolean;
}

export interface RowGroupLayout {
  index: number;
  rows: number;
  chunks: ColumnChunkLayout[];
  compressed: number;
  uncompressed: number;
}

export interface FileLayout {
  rows: number;
  leaves: LeafColumn[];
  rowGroups: RowGroupLayout[];
}

/** A file whose structure is wrong; the message is one line naming where. */
export class MalformedParquetError extends Error {
  override name = 'MalformedParquetError';
}

const MAGIC_BYTES = 4;

/** The leaves of a Parquet schema (depth first), with their repetition and definition levels. */
export function schemaLeaves(schema: SchemaElement[]): LeafColumn[] {
  const leaves: LeafColumn[] = [];
  let at = 1;
  const visit = (path: string[], repetition: number, definition: number, depth: number): void => {
    const element = schema[at++];
    if (!element) throw new MalformedParquetError('corrupt footer: the schema lists fewer elements than its groups announce');
    if (depth > 64) throw new MalformedParquetError('corrupt footer: the schema nests more than 64 levels deep');
    const own = [...path, element.name];
    const rep = repetition + (element.repetition_type === 'REPEATED' ? 1 : 0);
    const def = definition + (element.repetition_type === 'REQUIRED' ? 0 : 1);
    const children = element.num_children ?? 0;
    if (children < 0) throw new MalformedParquetError(`corrupt footer: schema element "${own.join('.')}" has ${children} children`);
    if (children === 0 && !element.type) throw new MalformedParquetError(`corrupt footer: schema element "${own.join('.')}" has neither a type nor children`);
    if (children === 0) {
      leaves.push({
        name: own.join('.'), topLevel: own[0]!, physicalType: element.type!, maxRepetition: rep, maxDefinition: def,
        ...(element.type_length !== undefined ? { typeLength: element.type_length } : {}),
      });
      return;
    }
    for (let i = 0; i < children; i++) visit(own, rep, def, depth + 1);
  };
  const root = schema[0];
  if (!root) throw new MalformedParquetError('corrupt footer: the schema is empty');
  for (let i = 0; i < (root.num_children ?? 0); i++) visit([], 0, 0, 1);
  if (at !== schema.length) throw new MalformedParquetError(`corrupt footer: the schema has ${schema.length - at} element(s) outside its tree`);
  return leaves;
}

/**
 * The file's layout from its parsed footer. `dataEnd` is where the footer begins: every
 * chunk must lie between the leading magic and it.
 */
export function fileLayout(metadata: FileMetaData, dataEnd: number): FileLayout {
  const leaves = schemaLeaves(metadata.schema);
  const rowGroups = metadata.row_groups.map((group, index): RowGroupLayout => {
    const rows = Number(group.num_rows);
    const where = `row group ${index}`;
    if (!(rows >= 0)) throw new MalformedParquetError(`${where}: the footer says ${rows} rows`);
    if (group.columns.length !== leaves.length) {
      throw new MalformedParquetError(`${where} has ${group.columns.length} column chunks, the schema ${leaves.length} columns`);
    }
    const chunks = group.columns.map((column, c): ColumnChunkLayout => {
      const leaf = leaves[c]!;
      const meta = column.meta_data;
      const at = `${where} column "${leaf.name}"`;
      if (!meta) throw new MalformedParquetError(`${at}: no column metadata (an encrypted or external chunk)`);
      if (column.file_path) throw new MalformedParquetError(`${at}: the chunk lives in another file (${column.file_path})`);
      if (meta.path_in_schema.join('.') !== leaf.name) {
        throw new MalformedParquetError(`${at}: the chunk says it belongs to "${meta.path_in_schema.join('.')}"`);
      }
      const dictionary = meta.dictionary_page_offset !== undefined ? Number(meta.dictionary_page_offset) : undefined;
      const data = Number(meta.data_page_offset);
      // Some writers put 0 here for "no dictionary page": the chunk then starts at its data page.
      const start = dictionary !== undefined && dictionary >= MAGIC_BYTES && dictionary < data ? dictionary : data;
      const compressed = Number(meta.total_compressed_size);
      const uncompressed = Number(meta.total_uncompressed_size);
      const values = Number(meta.num_values);
      if (!(compressed >= 0) || !(uncompressed >= 0) || !(values >= 0)) {
        throw new MalformedParquetError(`${at}: impossible sizes in the footer (${compressed} bytes compressed, ${uncompressed} uncompressed, ${values} values)`);
      }
      // A chunk of no values has nothing to read (writers leave its offsets at 0).
      if (values > 0 && (!(start >= MAGIC_BYTES) || start + compressed > dataEnd)) {
        throw new MalformedParquetError(`${at}: the chunk's bytes [${start}, ${start + compressed}) lie outside the file's data [${MAGIC_BYTES}, ${dataEnd})`);
      }
      if (leaf.maxRepetition === 0 && values !== rows) {
        throw new MalformedParquetError(`${at} holds ${values} values for ${rows} rows (a column that is not repeated has one value a row)`);
      }
      return { leaf, start, end: start + compressed, uncompressed, values, codec: meta.codec, hasDictionary: start !== data };
    });
    return {
      index, rows, chunks,
      compressed: chunks.reduce((sum, chunk) => sum + chunk.end - chunk.start, 0),
      uncompressed: chunks.reduce((sum, chunk) => sum + chunk.uncompressed, 0),
    };
  });
  return { rows: Number(metadata.num_rows), leaves, rowGroups };
}
