import { IntegrityError } from '../../errors';

/**
 * The actions of a Delta commit that decide which files make up a version. A commit is
 * newline-delimited JSON, one action per line: {"add": {...}}, {"remove": {...}},
 * {"metaData": {...}}, {"protocol": {...}}, {"commitInfo": {...}}, {"txn": {...}} …
 */
export interface DeletionVector {
  storageType: string;
  pathOrInlineDv: string;
  offset?: number;
  sizeInBytes?: number;
  cardinality?: number;
}

export interface FileAction {
  /** As written in the log: a URI relative to the table root (percent-encoded) or absolute. */
  path: string;
  size?: number;
  partitionValues?: Record<string, string | null>;
  deletionVector?: DeletionVector | null;
}

export interface DeltaMetadata {
  id?: string;
  partitionColumns?: string[];
  schemaString?: string;
  configuration?: Record<string, string>;
}

export interface DeltaProtocol {
  minReaderVersion?: number;
  minWriterVersion?: number;
  readerFeatures?: string[];
  writerFeatures?: string[];
}

export type DeltaAction =
  | { type: 'add'; file: FileAction }
  | { type: 'remove'; file: FileAction }
  | { type: 'metaData'; metadata: DeltaMetadata }
  | { type: 'protocol'; protocol: DeltaProtocol }
  /** V2 checkpoints: a file under _delta_log/_sidecars/ holding add/remove actions (path relative to it). */
  | { type: 'sidecar'; path: string }
  | { type: 'other' };

/** Parses one action object (a JSON line, or a checkpoint row turned into JSON). */
export function toAction(json: Record<string, unknown>, where: string): DeltaAction {
  if (json.add) return { type: 'add', file: fileAction(json.add, where) };
  if (json.remove) return { type: 'remove', file: fileAction(json.remove, where) };
  if (json.metaData) return { type: 'metaData', metadata: json.metaData as DeltaMetadata };
  if (json.protocol) return { type: 'protocol', protocol: json.protocol as DeltaProtocol };
  if (json.sidecar) {
    const path = (json.sidecar as { path?: unknown }).path;
    if (typeof path !== 'string' || !path) throw new IntegrityError(`${where}: a sidecar action without a path`);
    return { type: 'sidecar', path };
  }
  return { type: 'other' };
}

function fileAction(value: unknown, where: string): FileAction {
  const action = value as FileAction;
  if (!action || typeof action.path !== 'string' || action.path.length === 0) {
    throw new IntegrityError(`${where}: a file action without a path`);
  }
  return action;
}

/** Parses a commit file (newline-delimited JSON). */
export function parseCommit(text: string, where: string): DeltaAction[] {
  const actions: DeltaAction[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      throw new IntegrityError(`${where} line ${index + 1} is not valid JSON: ${(error as Error).message}`);
    }
    if (!json || typeof json !== 'object') throw new IntegrityError(`${where} line ${index + 1} is not an action object`);
    actions.push(toAction(json as Record<string, unknown>, `${where} line ${index + 1}`));
  }
  return actions;
}

/**
 * A file's identity in the log: its path plus, when it has one, its deletion vector —
 * a commit that adds a deletion vector to a file removes (path, old DV) and adds (path, new DV).
 */
export function fileIdentity(file: FileAction): string {
  const dv = file.deletionVector;
  return dv ? `${file.path}\u0000${dv.storageType}${dv.pathOrInlineDv}${dv.offset !== undefined ? `@${dv.offset}` : ''}` : file.path;
}
