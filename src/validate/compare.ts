import { schemaDifferences } from '../model/schema';
import { formatCount, plural } from '../util/units';
import type { CheckedFile, CheckedSubject } from './subject';
import { comparableEtags } from './stored-digests';
import type { Difference, ValidationLevel } from './types';

const SUBJECT = 'a vs b';

export interface Comparison {
  differences: Difference[];
  layoutDifferences: Difference[];
}

/**
 * a against b. Schema and content differences always count. File layout (which files,
 * their sizes, ETags, rows and row groups) counts at quick level, where it is all there is
 * to go on; at full level, when every row of both was read and the content digests are
 * equal, layout differences are reported apart and do not fail the comparison.
 */
export function compareSubjects(a: CheckedSubject, b: CheckedSubject, level: ValidationLevel): Comparison {
  const content: Difference[] = [];
  for (const change of schemaDifferences(a.schema, b.schema)) {
    content.push({ kind: 'schema', subject: SUBJECT, message: `schema: ${change} (a = ${a.set.label}, b = ${b.set.label})` });
  }
  if (a.complete && b.complete && a.rows !== b.rows) {
    content.push({ kind: 'totals', subject: SUBJECT, expected: a.rows, actual: b.rows, message: `a has ${plural(a.rows, 'row')}, b has ${formatCount(b.rows)}` });
  }
  const { differences: layout, renamed } = compareLayout(a, b);
  if (level === 'quick') {
    content.push(...compareRecordedDigests(a, b));
    return { differences: [...content, ...layout], layoutDifferences: renamed };
  }
  if (a.content && b.content) {
    content.push(...compareContent(a, b));
    const localized = compareSameLayoutFiles(a, b);
    content.push(...localized);
    const equal = content.length === 0;
    return equal ? { differences: [], layoutDifferences: [...renamed, ...layout] } : { differences: [...content, ...layout], layoutDifferences: renamed };
  }
  // Some file could not be read: content cannot be shown equal, so layout counts.
  return { differences: [...content, ...layout], layoutDifferences: renamed };
}

function byKey(subject: CheckedSubject): Map<string, CheckedFile> {
  return new Map(subject.files.map((checked) => [checked.file.relativeKey, checked]));
}

/**
 * Which files, and how each is stored. Files are paired by relative key; a file left
 * unpaired on both sides with the same size and the same whole-object MD5 ETag holds the
 * same bytes under another name (tables written at different times name their files by
 * generation): such pairs are reported as renamed, a layout difference only.
 */
function compareLayout(a: CheckedSubject, b: CheckedSubject): { differences: Difference[]; renamed: Difference[] } {
  const out: Difference[] = [];
  const filesA = byKey(a);
  const filesB = byKey(b);
  const onlyA = [...filesA.values()].filter((checked) => !filesB.has(checked.file.relativeKey));
  const onlyB = new Map<string, CheckedFile>();
  for (const checked of filesB.values()) {
    const etag = checked.object?.etag;
    if (!filesA.has(checked.file.relativeKey) && etag && comparableEtags(etag, etag)) onlyB.set(`${checked.object!.size}:${etag}`, checked);
  }
  const renamed: Difference[] = [];
  const pairedB = new Set<string>();
  for (const fa of onlyA) {
    const twin = fa.object ? onlyB.get(`${fa.object.size}:${fa.object.etag}`) : undefined;
    if (twin && !pairedB.has(twin.file.relativeKey)) {
      pairedB.add(twin.file.relativeKey);
      renamed.push({ kind: 'renamed-file', subject: SUBJECT, file: twin.file.relativeKey, expected: fa.file.relativeKey, actual: twin.file.relativeKey, message: `${fa.file.relativeKey} in a is ${twin.file.relativeKey} in b (same size and MD5 ETag: the same bytes)` });
      continue;
    }
    out.push({ kind: 'missing-file', subject: SUBJECT, file: fa.file.relativeKey, message: `${fa.file.relativeKey} is in a (${a.set.label}) but not in b (${b.set.label})` });
  }
  for (const [key, fa] of filesA) {
    const fb = filesB.get(key);
    if (!fb) continue;
    if (fa.object && !fb.object) {
      out.push({ kind: 'missing-file', subject: SUBJECT, file: key, message: `${key} is in a but missing from b's storage (b's manifest lists it)` });
      continue;
    }
    if (!fa.object && fb.object) {
      out.push({ kind: 'extra-file', subject: SUBJECT, file: key, message: `${key} is in b but missing from a's storage (a's manifest lists it)` });
      continue;
    }
    const sizeA = fa.object?.size ?? fa.file.size;
    const sizeB = fb.object?.size ?? fb.file.size;
    if (sizeA !== sizeB) out.push({ kind: 'size', subject: SUBJECT, file: key, expected: sizeA, actual: sizeB, message: `${key}: ${sizeA} bytes in a, ${sizeB} in b` });
    const etagA = fa.object?.etag ?? fa.file.etag;
    const etagB = fb.object?.etag ?? fb.file.etag;
    if (etagA !== etagB && comparableEtags(etagA, etagB)) out.push({ kind: 'etag', subject: SUBJECT, file: key, expected: etagA, actual: etagB, message: `${key}: ETag ${etagA} in a, ${etagB} in b` });
    if (fa.file.kind !== 'data' || fb.file.kind !== 'data') continue;
    const rowsA = fa.result?.footer.rows ?? fa.file.rows;
    const rowsB = fb.result?.footer.rows ?? fb.file.rows;
    if (rowsA !== undefined && rowsB !== undefined && rowsA !== rowsB) {
      out.push({ kind: 'rows', subject: SUBJECT, file: key, expected: rowsA, actual: rowsB, message: `${key}: ${rowsA} rows in a, ${rowsB} in b` });
    }
    const groupsA = fa.result?.footer.rowGroupRows;
    const groupsB = fb.result?.footer.rowGroupRows;
    if (groupsA && groupsB && groupsA.join() !== groupsB.join()) {
      out.push({ kind: 'row-groups', subject: SUBJECT, file: key, expected: groupsA, actual: groupsB, message: `${key}: row groups of ${describeGroups(groupsA)} rows in a, ${describeGroups(groupsB)} in b` });
    }
  }
  for (const key of filesB.keys()) {
    if (!filesA.has(key) && !pairedB.has(key)) out.push({ kind: 'extra-file', subject: SUBJECT, file: key, message: `${key} is in b (${b.set.label}) but not in a (${a.set.label})` });
  }
  return { differences: out, renamed };
}

function describeGroups(rows: number[]): string {
  return rows.length <= 4 ? `[${rows.join(', ')}]` : `${rows.length} groups [${rows.slice(0, 3).join(', ')}, ...]`;
}

/** Quick level: the digests the manifests recorded, file by file and in all. */
function compareRecordedDigests(a: CheckedSubject, b: CheckedSubject): Difference[] {
  const out: Difference[] = [];
  const filesB = byKey(b);
  for (const fa of a.files) {
    const fb = filesB.get(fa.file.relativeKey);
    if (fb && fa.file.digest && fb.file.digest && fa.file.digest !== fb.file.digest) {
      out.push({ kind: 'digest', subject: SUBJECT, file: fa.file.relativeKey, expected: fa.file.digest, actual: fb.file.digest, message: `${fa.file.relativeKey}: the manifests record different content digests` });
    }
  }
  if (a.set.contentDigest && b.set.contentDigest && a.set.contentDigest !== b.set.contentDigest) {
    out.push({ kind: 'digest', subject: SUBJECT, expected: a.set.contentDigest, actual: b.set.contentDigest, message: `the manifests record different content digests for the whole of a and b` });
  }
  return out;
}

/**
 * Full level: per-column digests of all rows. Columns pair by name; a column present on
 * one side only pairs with the other side's unpaired column at the same position (a
 * renamed field), so its content is still compared.
 */
function compareContent(a: CheckedSubject, b: CheckedSubject): Difference[] {
  const out: Difference[] = [];
  const ca = a.content!;
  const cb = b.content!;
  const namesA = a.schema.map((field) => field.name);
  const namesB = b.schema.map((field) => field.name);
  const unpairedB = namesB.filter((name) => !namesA.includes(name));
  for (const [index, name] of namesA.entries()) {
    const other = namesB.includes(name) ? name : namesB[index] !== undefined && unpairedB.includes(namesB[index]!) ? namesB[index]! : undefined;
    if (other === undefined) continue;
    const da = ca.columns[name];
    const db = cb.columns[other];
    if (da !== undefined && db !== undefined && da !== db) {
      out.push({ kind: 'digest', subject: SUBJECT, column: name, expected: da, actual: db, message: `column "${name}"${other !== name ? ` (b: "${other}")` : ''}: content differs between a and b` });
    }
  }
  if (out.length === 0 && ca.digest !== cb.digest && namesA.join() === namesB.join()) {
    out.push({ kind: 'digest', subject: SUBJECT, expected: ca.digest, actual: cb.digest, message: 'rows differ between a and b (each column alone holds the same values)' });
  }
  return out;
}

/** Where a and b share a file with the same row groups, name the row group and column that differ. */
function compareSameLayoutFiles(a: CheckedSubject, b: CheckedSubject): Difference[] {
  const out: Difference[] = [];
  const filesB = byKey(b);
  for (const fa of a.files) {
    const fb = filesB.get(fa.file.relativeKey);
    const groupsA = fa.result?.rowGroups;
    const groupsB = fb?.result?.rowGroups;
    if (!groupsA || !groupsB || groupsA.length !== groupsB.length) continue;
    groupsA.forEach((ga, index) => {
      const gb = groupsB[index]!;
      if (ga.rows !== gb.rows) return;
      for (const [column, digest] of Object.entries(ga.columns)) {
        if (gb.columns[column] !== undefined && gb.columns[column] !== digest) {
          out.push({ kind: 'digest', subject: SUBJECT, file: fa.file.relativeKey, rowGroup: index, column, expected: digest, actual: gb.columns[column], message: `${fa.file.relativeKey} row group ${index} column "${column}": content differs between a and b` });
        }
      }
    });
  }
  return out;
}
