import { RecordBatch, Schema, Table } from 'apache-arrow';
import { IntegrityError } from '../errors';
import { encodeWorkers, fileEncoder, type FileEncoder } from '../parquet/encode-pool';
import { RowReaders, type RowStream } from '../rows/reader';
import type { EncryptionOptions, ObjectStore } from '../store/types';
import type { DataFile } from '../table/manifest';
import { schemaDifferences, type FieldDescription } from '../model/schema';
import { putDataFile } from '../table/write';
import { TOOL_VERSION } from '../version';
import type { CompactGroup, CompactInput, CompactOutput } from './plan';

export interface RewriteOptions {
  bucket: string;
  prefix: string;
  /** Where an output is written, relative to the prefix (its own key, or a staging key). */
  writeKey: (output: CompactOutput) => string;
  rowGroupRows: number;
  /** The schema every input must have (a manifest's); default: the first input's in each group. */
  schema?: FieldDescription[];
  encryption?: EncryptionOptions;
  fileTimeoutMs: number;
  onProgress?: (progress: { rows: number; files: number }) => void;
}

/** Rows handed over per batch by the readers (as the validator decodes). */
const BATCH_ROWS = 65_536;

/**
 * Rewrites each group's input files into its planned output files: rows are read in
 * file order, batch by batch (a reader worker, one file opened ahead), cut at the planned
 * row counts, encoded as `table create` encodes (zstd, row groups of rowGroupRows, digests
 * in the footer) and stored. Memory holds the output file being filled and the one being
 * encoded: the encoder needs a file's rows whole, because its digests go into the footer's
 * properties before the first byte is written. Returns the written files per group, in
 * plan order, with the digests the encoder computed from the rows it was given.
 */
export async function rewriteGroups(store: ObjectStore, groups: CompactGroup[], options: RewriteOptions): Promise<DataFile[][]> {
  const outputs = groups.reduce((sum, group) => sum + group.outputs.length, 0);
  const rows = groups.reduce((sum, group) => sum + group.rows, 0);
  // One encode worker at most: with two, two more files' rows would be held at once.
  const encoder = fileEncoder(Math.min(1, encodeWorkers(outputs, rows)));
  const readers = new RowReaders(store, { workers: 2, batchSize: BATCH_ROWS, stallTimeoutMs: options.fileTimeoutMs });
  const progress = { rows: 0, files: 0 };
  try {
    const written: DataFile[][] = [];
    for (const group of groups) written.push(await rewriteGroup(store, readers, encoder, group, options, progress));
    return written;
  } finally {
    await Promise.all([readers.close(), encoder.close()]);
  }
}

async function rewriteGroup(store: ObjectStore, readers: RowReaders, encoder: FileEncoder, group: CompactGroup, options: RewriteOptions, progress: { rows: number; files: number }): Promise<DataFile[]> {
  const files: DataFile[] = [];
  let pending: RecordBatch[] = [];
  let pendingRows = 0;
  let next = 0;
  let schema: Schema | undefined;
  let expected = options.schema;
  let encoding: Promise<void> | undefined;

  const flush = async () => {
    const output = group.outputs[next++]!;
    const table = new Table(schema!, pending);
    pending = [];
    pendingRows = 0;
    await encoding;
    encoding = (async () => {
      const encoded = await encoder.encode(table, { rowGroupRows: options.rowGroupRows, createdBy: `lakevault ${TOOL_VERSION}` });
      if (encoded.rows !== output.rows) throw new IntegrityError(`compaction: ${output.relativeKey} was to hold ${output.rows} rows, the encoder wrote ${encoded.rows}`);
      files.push(await putDataFile(store, options.bucket, options.prefix, options.writeKey(output), encoded, options.encryption));
      progress.files += 1;
      options.onProgress?.({ ...progress });
    })();
    encoding.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
  };

  let opening: Promise<RowStream> | undefined = open(readers, group.inputs[0]!);
  try {
    for (let index = 0; index < group.inputs.length; index++) {
      const input = group.inputs[index]!;
      const stream = await opening!;
      // The next file's footer is read while this one's rows are.
      opening = index + 1 < group.inputs.length ? open(readers, group.inputs[index + 1]!) : undefined;
      if (stream.rows !== input.rows) {
        stream.close();
        throw new IntegrityError(`${where(input)}: its footer says ${stream.rows} rows, the table lists ${input.rows}: nothing was switched`);
      }
      expected ??= stream.schema;
      const drift = schemaDifferences(expected, stream.schema);
      if (drift.length) {
        stream.close();
        throw new IntegrityError(`${where(input)} does not have the schema of the files it would be merged with (${drift.join('; ')}): nothing was switched`);
      }
      for await (const batch of stream) {
        let rows = batch.table!;
        schema ??= rows.schema;
        while (rows.numRows > 0) {
          const output = group.outputs[next];
          if (!output) throw new IntegrityError(`${where(input)}: more rows decoded than its footer states: nothing was switched`);
          const take = Math.min(output.rows - pendingRows, rows.numRows);
          // One Schema object for the whole file: batches of different files have equal, not identical, schemas.
          for (const piece of rows.slice(0, take).batches) pending.push(new RecordBatch(schema, piece.data));
          pendingRows += take;
          progress.rows += take;
          rows = rows.slice(take);
          if (pendingRows === output.rows) await flush();
        }
      }
    }
    if (next < group.outputs.length) throw new IntegrityError(`compaction of ${group.directory || 'the table root'}: fewer rows decoded than the footers state: nothing was switched`);
    await encoding;
  } catch (error) {
    // A file still being encoded is stored before this returns: the caller removes what was written.
    await encoding?.catch(() => undefined);
    throw error;
  } finally {
    void opening?.then((stream) => stream.close(), () => undefined);
  }
  return files;
}

function open(readers: RowReaders, input: CompactInput): Promise<RowStream> {
  const opening = readers.open({ bucket: input.bucket, key: input.key, size: input.size, etag: input.etag }, { rows: true });
  opening.catch(() => undefined); // awaited in turn; a failure must not go unhandled meanwhile
  return opening;
}

function where(input: CompactInput): string {
  return `s3://${input.bucket}/${input.key}`;
}
