import { Field, makeData, RecordBatch, Schema, Struct, Table, Utf8 } from 'apache-arrow';
import { ConflictError, UsageError } from '../errors';
import { addDigests, EMPTY_DIGEST } from '../digest/bag';
import { encodeWorkers, fileEncoder, type FileEncoder } from '../parquet/encode-pool';
import { formatS3Uri, parseS3Uri, type Location } from '../store/location';
import { refuseOverlap } from '../store/overlap';
import type { ObjectStore } from '../store/types';
import { TABLE_MANIFEST, writeTableManifest, type DataFile, type TableManifest } from '../table/manifest';
import { newId } from '../table/naming';
import { describeSchema } from '../model/schema';
import { putDataFile } from '../table/write';
import { TOOL_VERSION } from '../version';

/** The column that says whether a row was added (in b, not a) or removed (in a, not b). */
export const CHANGE_COLUMN = '_change_type';
export type ChangeType = 'added' | 'removed';

const ROWS_PER_FILE = 1_000_000;
const ROW_GROUP_ROWS = 262_144;

export interface ChangesTable {
  uri: string;
  generation: string;
  files: number;
  rows: number;
  bytes: number;
  contentDigest: string;
}

/**
 * Checked before any row is read: the changes go to an empty place that is neither
 * snapshot compared (writing into a prefix would change what it holds).
 */
export async function checkChangesLocation(store: ObjectStore, out: Location, compared: { label: string; uri: string }[]): Promise<void> {
  const uri = formatS3Uri(out);
  for (const snapshot of compared) refuseOverlap([{ name: '--out', location: out }, { name: snapshot.label, location: parseS3Uri(snapshot.uri) }]);
  if (!(await store.bucketExists(out.bucket))) return;
  for await (const object of store.list(out.bucket, out.prefix)) {
    throw new ConflictError(`--out ${uri} is not empty (found ${object.key}): give an empty prefix`);
  }
}

/**
 * Writes the changed rows as a lakevault table at --out: the rows of the snapshots'
 * schema plus `_change_type` ('added' | 'removed'), zstd Parquet with digests in the
 * footers as `table create` writes them, the manifest last. Operations run one at a time,
 * in the order they were asked for.
 */
export class ChangesWriter {
  readonly schema: Schema;
  private readonly generation = newId();
  private readonly files: DataFile[] = [];
  private pending: RecordBatch[] = [];
  private pendingRows = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly encoder: FileEncoder;

  constructor(private readonly store: ObjectStore, private readonly out: Location, rowsSchema: Schema, expectedRows: number) {
    if (rowsSchema.fields.some((field) => field.name === CHANGE_COLUMN)) throw new UsageError(`the snapshots have a column named ${CHANGE_COLUMN}: the changes table could not say which rows were added`);
    this.schema = new Schema([...rowsSchema.fields, new Field(CHANGE_COLUMN, new Utf8(), false)]);
    this.encoder = fileEncoder(Math.min(1, encodeWorkers(Math.ceil(expectedRows / ROWS_PER_FILE), expectedRows)));
  }

  /** Adds rows of the snapshots' schema, all of one change type. */
  add(rows: RecordBatch, change: ChangeType): Promise<void> {
    return this.run(async () => {
      this.pending.push(new RecordBatch(this.schema, makeData({
        type: new Struct(this.schema.fields), length: rows.numRows, nullCount: 0,
        children: [...rows.data.children, changeColumn(change, rows.numRows)],
      })));
      this.pendingRows += rows.numRows;
      if (this.pendingRows >= ROWS_PER_FILE) await this.flush();
    });
  }

  /** Writes what is left, then the manifest: from here on the changes table exists. */
  finish(source: Record<string, unknown>): Promise<ChangesTable> {
    let table!: ChangesTable;
    return this.run(async () => {
      if (this.pendingRows > 0) await this.flush();
      const segments = this.out.prefix.split('/').filter(Boolean);
      const manifest: TableManifest = {
        format: 'lakevault.table', formatVersion: 1,
        name: segments[segments.length - 1] ?? this.out.bucket,
        generation: this.generation, createdAt: new Date().toISOString(), toolVersion: TOOL_VERSION,
        schema: describeSchema(this.schema),
        files: this.files,
        totals: { files: this.files.length, rows: this.files.reduce((s, f) => s + f.rows, 0), bytes: this.files.reduce((s, f) => s + f.bytes, 0) },
        contentDigest: this.files.length ? addDigests(this.files.map((f) => f.digest)) : EMPTY_DIGEST,
        source,
      };
      await writeTableManifest(this.store, this.out, manifest);
      table = { uri: formatS3Uri(this.out), generation: this.generation, files: manifest.totals.files, rows: manifest.totals.rows, bytes: manifest.totals.bytes, contentDigest: manifest.contentDigest };
    }).then(() => table);
  }

  /** Removes what was written (a failed diff leaves no half table behind). */
  async abort(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.store.deleteKeys(this.out.bucket, [...this.files.map((f) => this.out.prefix + f.key), this.out.prefix + TABLE_MANIFEST]).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.encoder.close();
  }

  private run(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async flush(): Promise<void> {
    const table = new Table(this.schema, this.pending);
    this.pending = [];
    this.pendingRows = 0;
    await this.store.ensureBucket(this.out.bucket);
    const encoded = await this.encoder.encode(table, { rowGroupRows: ROW_GROUP_ROWS, createdBy: `lakevault ${TOOL_VERSION}` });
    const key = `data/part-${String(this.files.length).padStart(5, '0')}-${this.generation}.parquet`;
    this.files.push(await putDataFile(this.store, this.out.bucket, this.out.prefix, key, encoded));
  }
}

/** A column of one value, `change`, for `length` rows. */
function changeColumn(change: ChangeType, length: number) {
  const bytes = Buffer.from(change, 'utf8');
  const values = new Uint8Array(bytes.length * length);
  const offsets = new Int32Array(length + 1);
  for (let i = 0; i < length; i++) { values.set(bytes, i * bytes.length); offsets[i + 1] = (i + 1) * bytes.length; }
  return makeData({ type: new Utf8(), length, nullCount: 0, valueOffsets: offsets, data: values });
}
