import { addDigests, isBagDigest } from '../digest/bag';
import { combineColumnDigests } from '../digest/column-digest';
import { parseS3Uri } from '../store/location';
import { formatCount, plural } from '../util/units';
import type { ObjectInfo, ObjectStore } from '../store/types';
import type { FileSet, SnapshotFile } from '../model/file-set';
import { schemaDifferences, type FieldDescription } from '../model/schema';
import { runPool } from '../util/pool';
import type { DecodeResult, DescribedFooter } from './worker/protocol';
import type { DecodePool } from './worker/pool';
import { storedDigests } from './stored-digests';
import type { Difference, FileError, ValidationLevel } from './types';

/** One file of a subject as found: its object, its footer and (full level) its digests. */
export interface CheckedFile {
  file: SnapshotFile;
  uri: string;
  object?: ObjectInfo;
  result?: DecodeResult<DescribedFooter>;
  error?: string;
  /** Full level: digests of everything decoded (row groups added up). */
  computed?: { digest: string; columns: Record<string, string>; rows: number };
  /** What checking its footer (and content) against the manifest found, kept in the files' order. */
  found?: { differences: Difference[]; unverifiable: boolean };
}

function pagesOf(files: CheckedFile[]): { pages: number; checksummed: number } | undefined {
  const walked = files.filter((checked) => checked.result?.pages);
  if (!walked.length) return undefined;
  return walked.reduce((sum, checked) => ({ pages: sum.pages + checked.result!.pages!.pages, checksummed: sum.checksummed + checked.result!.pages!.checksummed }), { pages: 0, checksummed: 0 });
}

function readersOf(files: CheckedFile[]): Record<string, number> | undefined {
  const readers: Record<string, number> = {};
  for (const checked of files) if (checked.result?.reader) readers[checked.result.reader] = (readers[checked.result.reader] ?? 0) + 1;
  return Object.keys(readers).length ? readers : undefined;
}

export interface CheckedSubject {
  set: FileSet;
  files: CheckedFile[];
  schema: FieldDescription[];
  /** Rows by footers (quick) or decoded (full), over the files that could be read. */
  rows: number;
  bytes: number;
  /** Full level, when every data file present was read: digests of the subject's whole content. */
  content?: { digest: string; columns: Record<string, string>; rows: number };
  /** Every data file present was read (footer; full: decoded). Missing files count as absent rows. */
  complete: boolean;
  differences: Difference[];
  fileErrors: FileError[];
  notes: string[];
  /** Full level: pages walked and checksummed, over the files decoded. */
  pages?: { pages: number; checksummed: number };
  /** Full level: files decoded by each reader. */
  readers?: Record<string, number>;
}

/**
 * Checks one subject against its own manifest and the digests stored in its files:
 * every listed object is there with its recorded size and ETag; footers agree with the
 * manifest (rows, schema, digest); at full level every row group's content digest
 * equals the one written into the footer, naming file, row group and column otherwise.
 */
export async function checkSubject(store: ObjectStore, set: FileSet, pool: DecodePool, level: ValidationLevel, onFileDone: () => void): Promise<CheckedSubject> {
  const subject = set.label;
  const differences: Difference[] = [];
  const fileErrors: FileError[] = [];
  const notes: string[] = [];
  const objects = await findObjects(store, set, notes);

  const files: CheckedFile[] = set.files.map((file) => ({ file, uri: `s3://${file.bucket}/${file.key}`, ...(objects.get(`${file.bucket}/${file.key}`) ? { object: objects.get(`${file.bucket}/${file.key}`)! } : {}) }));
  for (const checked of files) {
    const { file, object } = checked;
    if (!object) {
      differences.push({ kind: 'missing-file', subject, file: file.relativeKey, message: `${subject}: ${file.relativeKey} is listed in the manifest but not found at ${checked.uri}` });
      continue;
    }
    if (object.size !== file.size) {
      differences.push({ kind: 'size', subject, file: file.relativeKey, expected: file.size, actual: object.size, message: `${subject}: ${file.relativeKey} is ${object.size} bytes, the manifest says ${file.size}` });
    }
    if (file.etag && object.etag !== file.etag) {
      differences.push({ kind: 'etag', subject, file: file.relativeKey, expected: file.etag, actual: object.etag, message: `${subject}: ${file.relativeKey} has ETag ${object.etag}, the manifest says ${file.etag}` });
    }
  }

  const mode = level === 'full' ? 'decode' : 'footer';
  await Promise.all(files.map(async (checked) => {
    if (!checked.object || checked.file.kind !== 'data') { onFileDone(); return; }
    try {
      const manifestColumns = checked.file.columnDigests ? Object.keys(checked.file.columnDigests) : undefined;
      const result = await pool.run({ bucket: checked.file.bucket, key: checked.file.key, size: checked.object.size, etag: checked.object.etag, mode, ...(manifestColumns ? { manifestColumns } : {}) });
      checked.result = result;
      checked.found = checkFile(subject, checked, level);
      // Checked: the footer's key-value metadata (the stored digests) is not needed any more.
      // Kept for every file until the end, it was a third of what a large table's run held.
      checked.result = { ...result, footer: { ...result.footer, keyValueMetadata: {} } };
    } catch (error) {
      checked.error = (error as Error).message;
      fileErrors.push({ subject, file: checked.file.relativeKey, uri: checked.uri, error: checked.error });
    }
    onFileDone();
  }));

  const dataFiles = files.filter((checked) => checked.file.kind === 'data');
  const schema = set.schema ?? dataFiles.find((checked) => checked.result)?.result!.footer.schema ?? [];
  const unverifiable: string[] = [];
  for (const checked of dataFiles) {
    if (!checked.result || !checked.found) continue;
    const declared = checked.result.footer.declaredRows;
    if (declared !== undefined) notes.push(`${subject}: ${checked.file.relativeKey}: its footer says ${declared} rows but its row groups hold ${checked.result.footer.rows} (readers read the row groups)`);
    differences.push(...checked.found.differences);
    if (checked.found.unverifiable) unverifiable.push(checked.file.relativeKey);
    checked.found = undefined;
  }
  differences.push(...schemaDrift(subject, schema, dataFiles));
  const drifted = dataFiles.filter((checked) => checked.file.schema).map((checked) => checked.file.relativeKey);
  if (drifted.length) notes.push(`${subject}: schema drift: ${drifted.length} file(s) have their own schema, as recorded when the table was described: ${drifted.slice(0, 5).join(', ')}${drifted.length > 5 ? ', ...' : ''}`);
  if (unverifiable.length) {
    notes.push(`${subject}: ${unverifiable.length} file(s) carry no lakevault digests (content read and digested, but not compared with write-time digests): ${unverifiable.slice(0, 5).join(', ')}${unverifiable.length > 5 ? ', ...' : ''}`);
  }
  for (const checked of dataFiles) {
    const undigested = checked.result?.undigestedColumns;
    const reader = checked.result?.reader;
    if (undigested?.length) notes.push(`${subject}: ${checked.file.relativeKey}: columns whose values ${reader === 'hyparquet' ? 'the second reader (hyparquet) does not return exactly' : 'the digest cannot read'} were not content-checked: ${undigested.join(', ')}`);
    if (reader === 'hyparquet') notes.push(`${subject}: ${checked.file.relativeKey}: read by the second reader (hyparquet): ${checked.result!.readerFallback ?? 'parquet-wasm could not read it'}`);
  }

  const rows = dataFiles.reduce((sum, checked) => sum + (checked.computed?.rows ?? checked.result?.footer.rows ?? 0), 0);
  const bytes = files.reduce((sum, checked) => sum + (checked.object?.size ?? 0), 0);
  checkTotals(set, subject, files, rows, bytes, differences);
  checkManifestDigest(set, subject, differences);

  // Missing files are simply not part of what is there; a file that could not be read is unknown content.
  const complete = dataFiles.every((checked) => !checked.object || (level === 'full' ? checked.computed !== undefined : checked.result !== undefined));
  const result: CheckedSubject = { set, files, schema, rows, bytes, complete, differences, fileErrors, notes };
  if (level === 'full') {
    const pages = pagesOf(dataFiles);
    const readers = readersOf(dataFiles);
    if (pages) result.pages = pages;
    if (readers) result.readers = readers;
  }
  if (level === 'full' && complete) {
    const computed = dataFiles.flatMap((checked) => (checked.computed ? [checked.computed] : []));
    result.content = {
      digest: addDigests(computed.map((c) => c.digest)),
      columns: combineColumnDigests(computed.map((c) => c.columns)),
      rows: computed.reduce((sum, c) => sum + c.rows, 0),
    };
  }
  return result;
}

/** Lists the subject's root once; objects outside it (an incremental backup's) are HEADed. */
async function findObjects(store: ObjectStore, set: FileSet, notes: string[]): Promise<Map<string, ObjectInfo>> {
  const found = new Map<string, ObjectInfo>();
  const root = parseS3Uri(set.uri);
  const listed = new Set<string>();
  let listingFailed = false;
  try {
    for await (const object of store.list(root.bucket, root.prefix)) {
      found.set(`${root.bucket}/${object.key}`, object);
      listed.add(object.key);
    }
  } catch (error) {
    // A failed listing says nothing about the files: each is HEADed instead, never reported missing.
    listingFailed = true;
    notes.push(`${set.label}: could not list ${set.uri}: ${(error as Error).message}`);
  }
  const outside = set.files.filter((file) => listingFailed || !(file.bucket === root.bucket && file.key.startsWith(root.prefix)));
  await runPool(outside, 16, async (file) => {
    // undefined = 404 (missing); any other failure is not evidence of absence and is thrown.
    const head = await store.head(file.bucket, file.key);
    if (head) found.set(`${file.bucket}/${file.key}`, { key: head.key, size: head.size, etag: head.etag });
  });
  const known = new Set(set.files.map((file) => file.key));
  const unlisted = set.partial ? [] : [...listed].filter((key) => !known.has(key) && !/(^|\/)_lakevault\//.test(key.slice(root.prefix.length)));
  if (unlisted.length) {
    notes.push(`${set.label}: ${unlisted.length} object(s) under ${set.uri} are not in its manifest: ${unlisted.slice(0, 5).map((key) => key.slice(root.prefix.length)).join(', ')}${unlisted.length > 5 ? ', ...' : ''}`);
  }
  return found;
}

/** One file's footer (and, at the full level, content) against the manifest and its stored digests. */
function checkFile(subject: string, checked: CheckedFile, level: ValidationLevel): { differences: Difference[]; unverifiable: boolean } {
  const differences: Difference[] = [];
  const unverifiable: string[] = [];
  checkFooter(subject, checked, differences);
  if (level === 'full') checkContent(subject, checked, differences, unverifiable);
  return { differences, unverifiable: unverifiable.length > 0 };
}

function checkFooter(subject: string, checked: CheckedFile, differences: Difference[]): void {
  const { file } = checked;
  const footer = checked.result!.footer;
  if (file.rows !== undefined && footer.rows !== file.rows) {
    differences.push({ kind: 'rows', subject, file: file.relativeKey, expected: file.rows, actual: footer.rows, message: `${subject}: ${file.relativeKey} has ${plural(footer.rows, 'row')} in its footer, the manifest says ${formatCount(file.rows)}` });
  }
  const stored = storedDigests(footer.keyValueMetadata);
  if (stored.digest && isBagDigest(file.digest) && stored.digest !== file.digest) {
    differences.push({ kind: 'manifest', subject, file: file.relativeKey, expected: file.digest, actual: stored.digest, message: `${subject}: ${file.relativeKey}: the digest in its footer differs from the manifest's` });
  }
}

/** Full level: decoded rows and digests against the footer's (or else the manifest's) stored digests. */
function checkContent(subject: string, checked: CheckedFile, differences: Difference[], unverifiable: string[]): void {
  const { file } = checked;
  const { footer, rowGroups = [] } = checked.result!;
  const name = file.relativeKey;
  const computed = {
    digest: addDigests(rowGroups.map((group) => group.digest)),
    columns: combineColumnDigests(rowGroups.map((group) => group.columns)),
    rows: rowGroups.reduce((sum, group) => sum + group.rows, 0),
  };
  checked.computed = computed;
  // The rows digest over only the columns the writer digested, where this version digests more (nested columns).
  const legacy = rowGroups.some((group) => group.legacyDigest) ? addDigests(rowGroups.map((group) => group.legacyDigest ?? group.digest)) : undefined;
  rowGroups.forEach((group, index) => {
    const expected = footer.rowGroupRows[index];
    if (group.rows !== expected) differences.push({ kind: 'rows', subject, file: name, rowGroup: index, expected, actual: group.rows, message: `${subject}: ${name} row group ${index}: decoded ${group.rows} rows, the footer says ${expected}` });
  });
  const stored = storedDigests(footer.keyValueMetadata);
  const before = differences.length;
  if (stored.rowGroups && stored.rowGroups.length === rowGroups.length) {
    rowGroups.forEach((group, index) => {
      for (const [column, expected] of Object.entries(stored.rowGroups![index]!)) {
        const actual = group.columns[column];
        if (actual !== undefined && actual !== expected) {
          differences.push({ kind: 'digest', subject, file: name, rowGroup: index, column, expected, actual, message: `${subject}: ${name} row group ${index} column "${column}": content differs from the digest written with the file` });
        }
      }
    });
  } else if (file.columnDigests && Object.values(file.columnDigests).every((d) => isBagDigest(d))) {
    for (const [column, expected] of Object.entries(file.columnDigests)) {
      const actual = computed.columns[column];
      if (actual !== undefined && actual !== expected) {
        differences.push({ kind: 'digest', subject, file: name, column, expected, actual, message: `${subject}: ${name} column "${column}": content differs from the manifest's digest` });
      }
    }
  } else {
    unverifiable.push(name);
    return;
  }
  // Same column values but rows recombined differently: only the rows digest can tell.
  const rowsDigest = stored.digest ?? (isBagDigest(file.digest) ? file.digest : undefined);
  if (differences.length === before && rowsDigest && rowsDigest !== computed.digest && rowsDigest !== legacy) {
    differences.push({ kind: 'digest', subject, file: name, expected: rowsDigest, actual: computed.digest, message: `${subject}: ${name}: rows differ from the digest written with the file (each column alone matches)` });
  }
}

/** Files whose schema differs from the subject's, one difference per distinct change. */
function schemaDrift(subject: string, schema: FieldDescription[], files: CheckedFile[]): Difference[] {
  const groups = new Map<string, string[]>();
  for (const checked of files) {
    if (!checked.result) continue;
    for (const change of schemaDifferences(checked.file.schema ?? schema, checked.result.footer.schema)) {
      const list = groups.get(change) ?? [];
      list.push(checked.file.relativeKey);
      groups.set(change, list);
    }
  }
  return [...groups].map(([change, keys]) => ({
    kind: 'schema' as const, subject, file: keys[0]!, actual: keys.length,
    message: `${subject}: ${change} in ${keys.length === 1 ? keys[0] : `${keys.length} files (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', ...' : ''})`} compared with the manifest's schema`,
  }));
}

function checkTotals(set: FileSet, subject: string, files: CheckedFile[], rows: number, bytes: number, differences: Difference[]): void {
  if (!set.totals) return;
  const readable = files.every((checked) => checked.file.kind !== 'data' || checked.result);
  if (set.totals.files !== set.files.filter((file) => file.kind === 'data').length && set.totals.files !== set.files.length) {
    differences.push({ kind: 'manifest', subject, expected: set.totals.files, actual: set.files.length, message: `${subject}: the manifest's totals say ${set.totals.files} files but it lists ${set.files.length}` });
  }
  if (readable && rows !== set.totals.rows) {
    differences.push({ kind: 'totals', subject, expected: set.totals.rows, actual: rows, message: `${subject}: ${rows} rows found, the manifest says ${set.totals.rows}` });
  }
  const everyObject = files.every((checked) => checked.object);
  if (everyObject && bytes !== set.totals.bytes) {
    differences.push({ kind: 'totals', subject, expected: set.totals.bytes, actual: bytes, message: `${subject}: ${bytes} bytes found, the manifest says ${set.totals.bytes}` });
  }
}

/** The manifest's content digest must be the sum of its files' digests. */
function checkManifestDigest(set: FileSet, subject: string, differences: Difference[]): void {
  const digests = set.files.filter((file) => file.kind === 'data').map((file) => file.digest);
  if (!isBagDigest(set.contentDigest) || !digests.every((digest) => isBagDigest(digest))) return;
  const sum = addDigests(digests as string[]);
  if (sum !== set.contentDigest) {
    differences.push({ kind: 'manifest', subject, expected: set.contentDigest, actual: sum, message: `${subject}: the manifest's content digest is not the sum of its files' digests` });
  }
}
