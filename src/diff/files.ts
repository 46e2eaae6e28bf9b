import { isBagDigest } from '../digest/bag';
import type { FileSet, SnapshotFile } from '../model/file-set';

export interface FileDifferences {
  /** Files under the same key in both, holding the same content. */
  same: number;
  /** Keys in both whose content differs. */
  changed: string[];
  onlyInA: string[];
  onlyInB: string[];
  /** Data files of one side whose content another file of the other side holds, under any key: their rows cancel out unread. */
  matchedByContent: number;
  /** Data files whose rows must be read: nothing on the other side is known to hold the same rows. */
  readA: SnapshotFile[];
  readB: SnapshotFile[];
}

/**
 * What a file holds, as far as the manifests tell without reading it: its content digest
 * and row count (a layout-independent bag digest, so the same rows under any key), or
 * else the bytes themselves (ETag and size — for a backup's copy, the ETag of the file it
 * was copied from).
 */
export function contentIdentity(file: SnapshotFile): string {
  if (isBagDigest(file.digest) && file.rows !== undefined) return `rows ${file.digest} ${file.rows}`;
  return `bytes ${file.sourceEtag ?? file.etag} ${file.size}`;
}

/**
 * Compares two snapshots file by file. Keys are compared as relative keys (a table and
 * its backup share them); for the rows, data files are matched by content whatever their
 * key — a table and its compacted self, or a backup and its restore elsewhere — and only
 * the files left unmatched need reading.
 */
export function diffFiles(a: FileSet, b: FileSet): FileDifferences {
  const byKeyB = new Map(b.files.map((file) => [file.relativeKey, file]));
  const keysA = new Set(a.files.map((file) => file.relativeKey));
  let same = 0;
  const changed: string[] = [];
  const onlyInA: string[] = [];
  for (const file of a.files) {
    const other = byKeyB.get(file.relativeKey);
    if (!other) onlyInA.push(file.relativeKey);
    else if (contentIdentity(file) === contentIdentity(other) && file.kind === other.kind) same += 1;
    else changed.push(file.relativeKey);
  }
  const onlyInB = b.files.filter((file) => !keysA.has(file.relativeKey)).map((file) => file.relativeKey);

  const unmatchedA = new Map<string, SnapshotFile[]>();
  for (const file of a.files.filter((f) => f.kind === 'data')) {
    const identity = contentIdentity(file);
    unmatchedA.set(identity, [...(unmatchedA.get(identity) ?? []), file]);
  }
  const readB: SnapshotFile[] = [];
  let matchedByContent = 0;
  for (const file of b.files.filter((f) => f.kind === 'data')) {
    const twins = unmatchedA.get(contentIdentity(file));
    if (twins?.length) { twins.pop(); matchedByContent += 1; } else readB.push(file);
  }
  const readA = [...unmatchedA.values()].flat().sort((x, y) => (x.relativeKey < y.relativeKey ? -1 : x.relativeKey > y.relativeKey ? 1 : 0));
  return { same, changed, onlyInA, onlyInB, matchedByContent, readA, readB };
}
