import type { FileSet, SnapshotFile } from '../model/file-set';
import type { Location } from '../store/location';
import type { ObjectInfo } from '../store/types';

/*
 * lakevault's side of a copy run by a server-side batch engine (S3 Batch Operations'
 * S3PutObjectCopy; docs/SCALE.md): the manifest such a job consumes, and the check of what
 * it did against the snapshot manifest it was planned from.
 *
 * The job's unit of work is one snapshot (a table's manifest, or a backup's): the plan lists
 * exactly the objects that manifest names, where their bytes are (a backup's reused files
 * live in earlier backups' folders). The job copies each to `<TargetKeyPrefix><key>` in one
 * destination bucket, so the copy keeps the source's key layout under that prefix.
 */

/** S3 CopyObject's limit, and so S3PutObjectCopy's: larger objects need a multipart copy. */
export const BATCH_COPY_MAX_BYTES = 5 * 1024 ** 3;

/**
 * A key as S3 Batch Operations CSV manifests and completion reports write it: URL-encoded
 * (UTF-8), slashes kept; commas, quotes and line breaks can then never split a row.
 */
export function encodeManifestKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export function decodeManifestKey(encoded: string): string {
  // Inventory reports and some tools write a space as '+': a literal plus is always %2B.
  return decodeURIComponent(encoded.replace(/\+/g, '%20'));
}

export interface BatchPlan {
  /** The CSV manifest (S3BatchOperations_CSV_20180820, fields Bucket, Key), one row per object, newline-terminated. */
  csv: string;
  objects: number;
  bytes: number;
  /** Source buckets named (a Copy job reads from one bucket). */
  buckets: string[];
  /** Objects S3PutObjectCopy cannot copy (over 5 GiB): left out of the CSV, listed here. */
  tooLarge: { bucket: string; key: string; size: number }[];
}

/** The CSV manifest of a snapshot's objects (see the top of this file). */
export function batchCopyPlan(subject: FileSet): BatchPlan {
  const rows: string[] = [];
  const buckets = new Set<string>();
  const tooLarge: BatchPlan['tooLarge'] = [];
  let bytes = 0;
  for (const file of subject.files) {
    if (file.size > BATCH_COPY_MAX_BYTES) {
      tooLarge.push({ bucket: file.bucket, key: file.key, size: file.size });
      continue;
    }
    rows.push(`${file.bucket},${encodeManifestKey(file.key)}\n`);
    buckets.add(file.bucket);
    bytes += file.size;
  }
  return { csv: rows.join(''), objects: rows.length, bytes, buckets: [...buckets].sort(), tooLarge };
}

/** One row of a completion report (Report_CSV_20180820). */
export interface CompletionTask {
  bucket: string;
  key: string;
  versionId: string;
  status: string;
  /** The report's ErrorCode and HTTPStatusCode columns, as written. */
  errorCode: string;
  httpStatus: string;
  message: string;
}

/**
 * Parses CSV (RFC 4180: quoted fields, "" inside quotes, line breaks inside quotes) into
 * rows of fields. Empty lines are skipped.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endRow = () => {
    if (fieldStarted || row.length > 0) { row.push(field); rows.push(row); }
    row = []; field = ''; fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') { quoted = true; fieldStarted = true; }
    else if (c === ',') { row.push(field); field = ''; fieldStarted = true; }
    else if (c === '\n' || c === '\r') { if (c === '\r' && text[i + 1] === '\n') i++; endRow(); }
    else { field += c; fieldStarted = true; }
  }
  if (quoted) throw new Error('a quoted field is not closed');
  endRow();
  return rows;
}

/** The tasks of a completion report's CSV (Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage). */
export function parseCompletionReport(text: string, name: string): CompletionTask[] {
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (error) {
    throw new Error(`${name}: not a CSV completion report: ${(error as Error).message}`, { cause: error });
  }
  return rows.map((fields, index) => {
    if (fields.length < 4) throw new Error(`${name}, row ${index + 1}: ${fields.length} fields; a completion report row has Bucket, Key, VersionId, TaskStatus, ErrorCode, HTTPStatusCode, ResultMessage`);
    let key: string;
    try {
      key = decodeManifestKey(fields[1]!);
    } catch {
      throw new Error(`${name}, row ${index + 1}: the key "${fields[1]}" is not URL-encoded text`);
    }
    return {
      bucket: fields[0]!, key, versionId: fields[2] ?? '', status: (fields[3] ?? '').toLowerCase(),
      errorCode: fields[4] ?? '', httpStatus: fields[5] ?? '', message: fields[6] ?? '',
    };
  });
}

export type CopyCheck =
  | 'verified' // at the destination with the source's size and ETag
  | 'size-only' // the right size; the ETag says nothing (a multipart or encrypted source): validate its content
  | 'missing'
  | 'wrong-size'
  | 'wrong-etag'
  | 'failed' // the job reported the task failed
  | 'not-in-report'; // reports were given and none names it

export interface FileCheck {
  relativeKey: string;
  source: string;
  destination: string;
  check: CopyCheck;
  detail?: string;
}

export interface BatchVerification {
  subject: string;
  destination: string;
  ok: boolean;
  files: number;
  verified: number;
  sizeOnly: number;
  /** Every file that is not verified, and why. */
  problems: FileCheck[];
  /** The files checked by size only: their content is for `lakevault validate --level full` to prove. */
  sizeOnlyFiles: string[];
  report?: { tasks: number; succeeded: number; failed: number; unplanned: number };
}

/** An ETag that is the MD5 of the bytes, so a plain copy keeps it (one PUT; not KMS or SSE-C). */
function md5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(etag);
}

/**
 * Checks a batch copy of `subject` into `destination` (bucket and TargetKeyPrefix) against
 * the snapshot's own manifest: every file must be at `<prefix><key>` with its size, and its
 * ETag where an ETag survives a copy; with completion reports, every file's task must have
 * succeeded. `listing` is the destination's listing under the prefix, by key.
 */
export function verifyBatchCopy(subject: FileSet, destination: Location, listing: ReadonlyMap<string, ObjectInfo>, reports?: CompletionTask[]): BatchVerification {
  const tasks = new Map<string, CompletionTask>();
  for (const task of reports ?? []) tasks.set(`${task.bucket}\n${task.key}`, task);
  const planned = new Set<string>();
  const problems: FileCheck[] = [];
  const sizeOnlyFiles: string[] = [];
  let verified = 0;
  for (const file of subject.files) {
    const check = checkFile(file, destination, listing, reports ? tasks.get(`${file.bucket}\n${file.key}`) ?? null : undefined);
    planned.add(`${file.bucket}\n${file.key}`);
    if (check.check === 'verified') verified += 1;
    else if (check.check === 'size-only') sizeOnlyFiles.push(check.destination);
    else problems.push(check);
  }
  const destinationUri = `s3://${destination.bucket}/${destination.prefix}`;
  const result: BatchVerification = {
    subject: subject.uri, destination: destinationUri, ok: problems.length === 0, files: subject.files.length,
    verified, sizeOnly: sizeOnlyFiles.length, problems, sizeOnlyFiles,
  };
  if (reports) {
    const succeeded = reports.filter((t) => t.status === 'succeeded').length;
    result.report = {
      tasks: reports.length, succeeded, failed: reports.length - succeeded,
      unplanned: reports.filter((t) => !planned.has(`${t.bucket}\n${t.key}`)).length,
    };
  }
  return result;
}

/** `task`: undefined = no reports given; null = reports given, none names this file. */
function checkFile(file: SnapshotFile, destination: Location, listing: ReadonlyMap<string, ObjectInfo>, task: CompletionTask | null | undefined): FileCheck {
  const target = destination.prefix + file.key;
  const base = { relativeKey: file.relativeKey, source: `s3://${file.bucket}/${file.key}`, destination: `s3://${destination.bucket}/${target}` };
  if (task === null) return { ...base, check: 'not-in-report', detail: 'no completion report names this object: the job did not plan it' };
  if (task && task.status !== 'succeeded') return { ...base, check: 'failed', detail: `task ${task.status}: ${[task.errorCode, task.httpStatus, task.message].filter(Boolean).join(' ')}` };
  const found = listing.get(target);
  if (!found) return { ...base, check: 'missing', detail: 'not at the destination' };
  if (found.size !== file.size) return { ...base, check: 'wrong-size', detail: `${found.size} bytes at the destination, ${file.size} in the manifest` };
  if (!md5Etag(file.etag)) return { ...base, check: 'size-only', detail: `ETag ${file.etag} is not an MD5 a copy keeps` };
  if (found.etag !== file.etag) return { ...base, check: 'wrong-etag', detail: `ETag ${found.etag} at the destination, ${file.etag} in the manifest` };
  return { ...base, check: 'verified' };
}
