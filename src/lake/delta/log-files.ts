/**
 * The files of a Delta Lake transaction log (`_delta_log/`), named by the protocol:
 *   00000000000000000007.json                            commit of version 7
 *   00000000000000000010.checkpoint.parquet              classic checkpoint of version 10
 *   00000000000000000010.checkpoint.0000000001.0000000002.parquet   part 1 of 2
 *   00000000000000000010.checkpoint.<uuid>.json|parquet  V2 checkpoint (may use _sidecars/)
 *   00000000000000000007.crc                             version checksum
 *   00000000000000000004.00000000000000000007.compacted.json   log compaction of 4..7
 *   _last_checkpoint                                     hint: the newest checkpoint
 */
export const DELTA_LOG = '_delta_log/';

export type LogFileKind = 'commit' | 'checkpoint' | 'checkpoint-v2' | 'checksum' | 'compacted' | 'last-checkpoint' | 'sidecar' | 'staged-commit' | 'other';

export interface LogFile {
  /** Key relative to the table prefix (`_delta_log/…`). */
  relativeKey: string;
  kind: LogFileKind;
  /** The version the file belongs to (a compaction: its last version); undefined when none. */
  version?: number;
  /** Multi-part checkpoints: this part and the number of parts. */
  part?: number;
  parts?: number;
}

const VERSION = '(\\d{20})';

/** Classifies a key relative to the table prefix that starts with `_delta_log/`. */
export function parseLogFile(relativeKey: string): LogFile {
  const name = relativeKey.slice(DELTA_LOG.length);
  const file = (kind: LogFileKind, version?: string, extra: Partial<LogFile> = {}): LogFile =>
    ({ relativeKey, kind, ...(version !== undefined ? { version: Number(version) } : {}), ...extra });
  let m: RegExpExecArray | null;
  if (name === '_last_checkpoint') return file('last-checkpoint');
  if (name.startsWith('_sidecars/')) return file('sidecar');
  if (name.startsWith('_commits/')) return file('staged-commit');
  if ((m = new RegExp(`^${VERSION}\\.json$`).exec(name))) return file('commit', m[1]);
  if ((m = new RegExp(`^${VERSION}\\.checkpoint\\.parquet$`).exec(name))) return file('checkpoint', m[1], { part: 1, parts: 1 });
  if ((m = new RegExp(`^${VERSION}\\.checkpoint\\.(\\d{10})\\.(\\d{10})\\.parquet$`).exec(name))) {
    return file('checkpoint', m[1], { part: Number(m[2]), parts: Number(m[3]) });
  }
  if ((m = new RegExp(`^${VERSION}\\.checkpoint\\.[0-9a-fA-F-]{36}\\.(json|parquet)$`).exec(name))) return file('checkpoint-v2', m[1]);
  if ((m = new RegExp(`^${VERSION}\\.crc$`).exec(name))) return file('checksum', m[1]);
  if ((m = new RegExp(`^${VERSION}\\.${VERSION}\\.compacted\\.json$`).exec(name))) return file('compacted', m[2]);
  // Anything else that starts with a version (a writer's temp file, Hadoop's .N.json.crc) belongs to it.
  if ((m = new RegExp(`^\\.?${VERSION}\\.`).exec(name))) return file('other', m[1]);
  return file('other');
}

/** The 20-digit file name of a commit: 7 → 00000000000000000007.json */
export function commitKey(version: number): string {
  return `${DELTA_LOG}${String(version).padStart(20, '0')}.json`;
}

/** A checkpoint whose every part is present (a partial one is never used). */
export interface CompleteCheckpoint {
  version: number;
  parts: LogFile[];
}

/**
 * Complete checkpoints, newest first: classic ones (single-file, or multi-part with every
 * part) and V2 ones (`NNN.checkpoint.<uuid>.json|parquet`, one file that may name
 * sidecars). At one version a classic checkpoint comes first.
 */
export function completeCheckpoints(files: LogFile[]): CompleteCheckpoint[] {
  const byVersionAndParts = new Map<string, LogFile[]>();
  for (const f of files) {
    if (f.kind !== 'checkpoint') continue;
    const id = `${f.version}/${f.parts}`;
    byVersionAndParts.set(id, [...(byVersionAndParts.get(id) ?? []), f]);
  }
  const complete: CompleteCheckpoint[] = [];
  for (const parts of byVersionAndParts.values()) {
    const expected = parts[0]!.parts!;
    const numbers = new Set(parts.map((p) => p.part));
    if (numbers.size === expected && [...numbers].every((n) => n! >= 1 && n! <= expected)) {
      complete.push({ version: parts[0]!.version!, parts: [...parts].sort((a, b) => a.part! - b.part!) });
    }
  }
  for (const f of files) if (f.kind === 'checkpoint-v2') complete.push({ version: f.version!, parts: [f] });
  return complete.sort((a, b) => b.version - a.version || rank(a) - rank(b));
}

function rank(checkpoint: CompleteCheckpoint): number {
  return checkpoint.parts[0]!.kind === 'checkpoint' ? 0 : 1;
}

/** Where a V2 checkpoint's sidecar files live. */
export const SIDECARS = `${DELTA_LOG}_sidecars/`;
