import { IntegrityError } from '../../errors';
import { relativeKeyProblem } from '../../store/key-boundary';

/**
 * Where an Iceberg path points. Iceberg writes paths as the writing engine's FileIO saw
 * them: `s3://`, `s3a://` or `s3n://` URIs (one object store, three Hadoop names),
 * `file:///abs`, Hadoop's `file:/abs`, bare relative paths (`data/x.parquet`), and relative
 * paths behind a `file://` scheme (pyiceberg's SqlCatalog writes `file://data/...`, where a
 * URL parser would read "data" as the host). Engines compare paths as strings after the
 * scheme, so this does too: no percent-decoding, no case folding.
 */
export type ParsedPath =
  | { kind: 'object'; bucket: string; path: string }   // s3/s3a/s3n/gs/…: bucket + key
  | { kind: 'file'; path: string; absolute: boolean }; // local or relative filesystem path

const OBJECT_SCHEME = /^(s3|s3a|s3n|gs|oss|abfss?|wasbs?):\/\/([^/]*)\/?(.*)$/i;

export function parsePath(path: string): ParsedPath {
  const object = OBJECT_SCHEME.exec(path);
  if (object) return { kind: 'object', bucket: object[2]!, path: object[3]! };
  if (/^file:\/\//i.test(path)) {
    const rest = path.slice('file://'.length);
    return { kind: 'file', path: rest.replace(/^\/+/, '/'), absolute: rest.startsWith('/') };
  }
  if (/^file:/i.test(path)) {
    const rest = path.slice('file:'.length);
    return { kind: 'file', path: rest, absolute: rest.startsWith('/') };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new IntegrityError(`Iceberg path ${path}: scheme ${path.slice(0, path.indexOf(':'))} is not one lakevault reads`);
  }
  return { kind: 'file', path, absolute: path.startsWith('/') };
}

/** A path's place relative to the table: its key under the table prefix, or outside. */
export type Resolved =
  | { inside: true; relativeKey: string }
  | { inside: false; path: string; reason: string };

/**
 * Resolves the paths of one table against its `location`, the way engines do: a path
 * under the location (after its scheme: `s3a://b/t/x` is under `s3://b/t`) maps to the
 * same relative key under whatever prefix the table now lives at; a relative path that
 * does not start with a relative location is taken as relative to the table root
 * (`metadata/snap-1.avro`). Everything else is outside the table.
 */
export class TablePaths {
  readonly location: string;
  private readonly root: ParsedPath;

  constructor(location: string) {
    this.location = location;
    this.root = parsePath(stripSlashes(location));
  }

  resolve(path: string): Resolved {
    const parsed = parsePath(path);
    const root = this.root;
    const outside = (reason: string): Resolved => ({ inside: false, path, reason });
    let rest: string | undefined;
    if (parsed.kind === 'object' && root.kind === 'object') {
      if (parsed.bucket !== root.bucket) return outside(`bucket ${parsed.bucket}, the table is in ${root.bucket}`);
      rest = under(parsed.path, root.path);
    } else if (parsed.kind === 'file' && root.kind === 'file') {
      rest = under(parsed.path, root.path);
      if (rest === undefined && !parsed.absolute && !root.absolute) rest = parsed.path;
    } else if (parsed.kind === 'file' && !parsed.absolute && root.kind === 'object') {
      rest = parsed.path; // relative to an object-store table: under its root
    }
    if (rest === undefined) return outside(`not under the table location ${this.location}`);
    const problem = keyProblem(rest);
    if (problem) return outside(problem);
    return { inside: true, relativeKey: rest };
  }

  /** The relative key of a path that must be inside the table, or one clear error. */
  relativeKey(path: string, what: string): string {
    const resolved = this.resolve(path);
    if (resolved.inside === true) return resolved.relativeKey;
    throw new IntegrityError(`Iceberg ${what} ${path} is outside the table (${resolved.reason})`);
  }
}

/** `path` below `root` (segment-wise: `t2/x` is not under `t`), without the leading '/'. */
function under(path: string, root: string): string | undefined {
  if (root === '') return path;
  if (!path.startsWith(root + '/')) return undefined;
  return path.slice(root.length + 1);
}

/** A key that could leave its prefix (store/key-boundary.ts: the one rule), or the table location itself. */
function keyProblem(relativeKey: string): string | undefined {
  if (relativeKey === '') return 'it names the table location itself, not a file';
  return relativeKeyProblem(relativeKey);
}

function stripSlashes(location: string): string {
  return location.replace(/\/+$/, '');
}

/** `location` + '/' + relative key: the path a rewritten table records for a file. */
export function joinLocation(location: string, relativeKey: string): string {
  return `${stripSlashes(location)}/${relativeKey}`;
}
