import { MapRow, StructRow, Vector, tableFromIPC, type Table } from 'apache-arrow';
import { IntegrityError } from '../../errors';
import { parquet } from '../../parquet/wasm';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import { parseCommit, type DeltaAction, type DeletionVector, type FileAction } from './actions';

/**
 * Reads the actions of a Delta checkpoint file: one struct column per action type (add,
 * remove, metaData, protocol, txn, sidecar, checkpointMetadata …), one action per row —
 * as Spark, delta-rs and the kernels write it. What decides the live files is kept: add
 * and remove (path, size, partitionValues, deletion vector), metaData, protocol, and —
 * in a V2 checkpoint — the sidecar files that hold its add/remove actions.
 * A V2 checkpoint may also be newline-delimited JSON (`NNN.checkpoint.<uuid>.json`).
 * Checkpoints are small next to the data (one row per live file), so a file is read whole.
 */
export async function readCheckpointActions(store: ObjectStore, bucket: string, object: ObjectInfo): Promise<DeltaAction[]> {
  const where = `s3://${bucket}/${object.key}`;
  const bytes = await store.getRange(bucket, object.key, 0, object.size, { etag: object.etag });
  if (object.key.endsWith('.json')) return parseCommit(Buffer.from(bytes).toString('utf8'), where);
  let table: Table;
  try {
    table = tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  } catch (error) {
    throw new IntegrityError(`${where} is not a readable Delta checkpoint: ${(error as Error).message}`, { cause: error });
  }
  return checkpointActions(table, where);
}

/** The actions of an Arrow table shaped like a Delta checkpoint (or a V2 checkpoint's sidecar). */
export function checkpointActions(table: Table, where = 'checkpoint'): DeltaAction[] {
  const actions: DeltaAction[] = [];
  const column = (name: string) => table.getChild(name);
  const add = column('add');
  const remove = column('remove');
  const metaData = column('metaData');
  const protocol = column('protocol');
  const sidecar = column('sidecar');
  for (let row = 0; row < table.numRows; row++) {
    const at = `${where} row ${row}`;
    const a = present(add?.get(row), 'path');
    if (a) { actions.push({ type: 'add', file: fileAction(a, at) }); continue; }
    const r = present(remove?.get(row), 'path');
    if (r) { actions.push({ type: 'remove', file: fileAction(r, at) }); continue; }
    const s = present(sidecar?.get(row), 'path');
    if (s) {
      if (typeof s.path !== 'string' || !s.path) throw new IntegrityError(`${at}: a sidecar action without a path`);
      actions.push({ type: 'sidecar', path: s.path });
      continue;
    }
    const m = present(metaData?.get(row), 'id');
    if (m) {
      actions.push({ type: 'metaData', metadata: {
        ...(typeof m.id === 'string' ? { id: m.id } : {}),
        ...(Array.isArray(m.partitionColumns) ? { partitionColumns: m.partitionColumns.map(String) } : {}),
        ...(typeof m.schemaString === 'string' ? { schemaString: m.schemaString } : {}),
        ...(m.configuration && typeof m.configuration === 'object' ? { configuration: m.configuration as Record<string, string> } : {}),
      } });
      continue;
    }
    const p = present(protocol?.get(row), 'minReaderVersion');
    if (p) {
      actions.push({ type: 'protocol', protocol: {
        ...(p.minReaderVersion !== null ? { minReaderVersion: Number(p.minReaderVersion) } : {}),
        ...(p.minWriterVersion !== null ? { minWriterVersion: Number(p.minWriterVersion) } : {}),
        ...(Array.isArray(p.readerFeatures) ? { readerFeatures: p.readerFeatures.map(String) } : {}),
        ...(Array.isArray(p.writerFeatures) ? { writerFeatures: p.writerFeatures.map(String) } : {}),
      } });
    }
  }
  return actions;
}

/**
 * A struct cell as a plain object, or undefined when the row holds no such action: the
 * struct is null, or (some writers) a struct whose required field is null.
 */
function present(value: unknown, required: string): Record<string, unknown> | undefined {
  const plain = toPlain(value);
  if (!plain || typeof plain !== 'object' || Array.isArray(plain)) return undefined;
  const row = plain as Record<string, unknown>;
  return row[required] === null || row[required] === undefined ? undefined : row;
}

/** Arrow values as plain JS: structs → objects, maps → objects, lists → arrays, 64-bit integers → numbers. */
function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof MapRow) {
    const out: Record<string, unknown> = {};
    for (const [key, entry] of value as Iterable<[unknown, unknown]>) out[String(key)] = toPlain(entry);
    return out;
  }
  if (value instanceof StructRow) {
    return Object.fromEntries(Object.entries((value as StructRow).toJSON()).map(([key, entry]) => [key, toPlain(entry)]));
  }
  if (value instanceof Vector) return [...value].map(toPlain);
  return value;
}

function fileAction(row: Record<string, unknown>, where: string): FileAction {
  if (typeof row.path !== 'string' || !row.path) throw new IntegrityError(`${where}: a file action without a path`);
  const action: FileAction = { path: row.path };
  if (row.size !== null && row.size !== undefined) action.size = Number(row.size);
  if (row.partitionValues && typeof row.partitionValues === 'object') action.partitionValues = row.partitionValues as Record<string, string | null>;
  const dv = row.deletionVector as Record<string, unknown> | null | undefined;
  if (dv && typeof dv.storageType === 'string' && typeof dv.pathOrInlineDv === 'string') {
    const vector: DeletionVector = { storageType: dv.storageType, pathOrInlineDv: dv.pathOrInlineDv };
    if (dv.offset !== null && dv.offset !== undefined) vector.offset = Number(dv.offset);
    action.deletionVector = vector;
  }
  return action;
}
