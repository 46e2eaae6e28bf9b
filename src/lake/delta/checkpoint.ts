import { tableFromIPC, type Table } from 'apache-arrow';
import { IntegrityError } from '../../errors';
import { parquet } from '../../parquet/wasm';
import type { ObjectInfo, ObjectStore } from '../../store/types';
import type { DeltaAction, DeletionVector, FileAction } from './actions';

/**
 * Reads the actions of a classic Delta checkpoint part: a Parquet file with one struct
 * column per action type (add, remove, metaData, protocol, txn …), one action per row.
 * Only what decides the live files is kept: add/remove path, size and deletion vector,
 * plus metaData and protocol. Checkpoints are small next to the data (one row per live
 * file), so a part is read whole.
 */
export async function readCheckpointActions(store: ObjectStore, bucket: string, object: ObjectInfo): Promise<DeltaAction[]> {
  const where = `s3://${bucket}/${object.key}`;
  const bytes = await store.getRange(bucket, object.key, 0, object.size, { etag: object.etag });
  let table: Table;
  try {
    const wasmTable = parquet.readParquet(bytes);
    table = tableFromIPC(wasmTable.intoIPCStream());
  } catch (error) {
    throw new IntegrityError(`${where} is not a readable Delta checkpoint: ${(error as Error).message}`, { cause: error });
  }
  return checkpointActions(table);
}

/** The actions of an Arrow table shaped like a Delta checkpoint. */
export function checkpointActions(table: Table): DeltaAction[] {
  const actions: DeltaAction[] = [];
  const add = table.getChild('add');
  const remove = table.getChild('remove');
  const metaData = table.getChild('metaData');
  const protocol = table.getChild('protocol');
  for (let row = 0; row < table.numRows; row++) {
    const a = plain(add?.get(row));
    if (a) { actions.push({ type: 'add', file: fileAction(a) }); continue; }
    const r = plain(remove?.get(row));
    if (r) { actions.push({ type: 'remove', file: fileAction(r) }); continue; }
    const m = plain(metaData?.get(row));
    if (m) { actions.push({ type: 'metaData', metadata: { ...(typeof m.id === 'string' ? { id: m.id } : {}), ...(Array.isArray(m.partitionColumns) ? { partitionColumns: m.partitionColumns.map(String) } : {}) } }); continue; }
    const p = plain(protocol?.get(row));
    if (p) actions.push({ type: 'protocol', protocol: { minReaderVersion: Number(p.minReaderVersion), minWriterVersion: Number(p.minWriterVersion) } });
  }
  return actions;
}

/** An Arrow struct row as a plain object (null when the row holds no such action). */
function plain(value: unknown): Record<string, unknown> | undefined {
  if (value === null || value === undefined) return undefined;
  const json = (value as { toJSON?: () => unknown }).toJSON ? (value as { toJSON: () => unknown }).toJSON() : value;
  const record = json as Record<string, unknown>;
  return record && typeof record === 'object' && record.path !== null ? record : undefined;
}

function fileAction(row: Record<string, unknown>): FileAction {
  if (typeof row.path !== 'string') throw new IntegrityError('a checkpoint action without a path');
  const action: FileAction = { path: row.path };
  if (row.size !== null && row.size !== undefined) action.size = Number(row.size);
  const dv = plain(row.deletionVector) as (Record<string, unknown> | undefined);
  if (dv && typeof dv.storageType === 'string' && typeof dv.pathOrInlineDv === 'string') {
    const vector: DeletionVector = { storageType: dv.storageType, pathOrInlineDv: dv.pathOrInlineDv };
    if (dv.offset !== null && dv.offset !== undefined) vector.offset = Number(dv.offset);
    action.deletionVector = vector;
  }
  return action;
}
