import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { Config } from '../config/config';
import { formatS3Uri, type Location } from './location';
import { translateStoreError, isNotImplemented } from './errors';
import type { S3Store } from './s3-store';

/**
 * Incomplete multipart uploads: parts a server keeps (and bills) until the upload is
 * completed or aborted. lakevault aborts its own on failure, but a killed process, or a
 * CreateMultipartUpload whose answer was lost (the retry starts a second one), leaves
 * them behind. They are invisible to object listings; only ListMultipartUploads shows them.
 */
export interface IncompleteUpload {
  bucket: string;
  key: string;
  uploadId: string;
  initiated?: Date;
}

export interface StaleUploadReport {
  /** Where it looked (lakevault's warehouse, backups and checkpoints prefixes). */
  scanned: string[];
  /** Locations whose bucket does not exist (nothing to scan) or whose server cannot list uploads. */
  skipped: { location: string; reason: string }[];
  stale: IncompleteUpload[];
  /** Uploads younger than the age limit: possibly still running, left alone. */
  recent: number;
}

/** Every incomplete multipart upload under a prefix, page by page (KeyMarker/UploadIdMarker). */
export async function* listIncompleteUploads(store: S3Store, location: Location): AsyncIterable<IncompleteUpload> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await store.client.send(new ListMultipartUploadsCommand({
        Bucket: location.bucket,
        Prefix: location.prefix,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
      }));
    } catch (error) {
      throw translateStoreError(error, `list incomplete multipart uploads in ${formatS3Uri(location)}`, store.endpoint);
    }
    for (const upload of page.Uploads ?? []) {
      if (!upload.Key || !upload.UploadId) continue;
      yield { bucket: location.bucket, key: upload.Key, uploadId: upload.UploadId, ...(upload.Initiated ? { initiated: upload.Initiated } : {}) };
    }
    if (!page.IsTruncated) return;
    if (!page.NextKeyMarker && !page.NextUploadIdMarker) return; // a server that truncates without markers: stop, never loop
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}

/** The locations lakevault writes to: the only places whose uploads it may call its own. */
export function lakevaultLocations(config: Pick<Config, 'warehouse' | 'backups' | 'checkpoints'>): Location[] {
  return [config.warehouse, config.backups, config.checkpoints];
}

/**
 * Incomplete uploads under lakevault's prefixes that started more than `olderThanMs` ago.
 * Younger ones may belong to a run in progress and are only counted.
 */
export async function findStaleUploads(store: S3Store, locations: Location[], options: { olderThanMs: number; now?: Date }): Promise<StaleUploadReport> {
  const now = (options.now ?? new Date()).getTime();
  const report: StaleUploadReport = { scanned: [], skipped: [], stale: [], recent: 0 };
  for (const location of locations) {
    const uri = formatS3Uri(location);
    if (!(await store.bucketExists(location.bucket))) {
      report.skipped.push({ location: uri, reason: 'bucket does not exist' });
      continue;
    }
    try {
      for await (const upload of listIncompleteUploads(store, location)) {
        // An upload without a start time cannot be shown to be old: it is left alone.
        const age = upload.initiated ? now - upload.initiated.getTime() : 0;
        if (age > options.olderThanMs) report.stale.push(upload);
        else report.recent += 1;
      }
      report.scanned.push(uri);
    } catch (error) {
      if (!isNotImplemented((error as { cause?: unknown }).cause ?? error)) throw error;
      report.skipped.push({ location: uri, reason: `${store.endpoint} cannot list multipart uploads` });
    }
  }
  return report;
}

export interface AbortResult {
  aborted: IncompleteUpload[];
  errors: { upload: IncompleteUpload; message: string }[];
}

/** Aborts the given uploads one by one; an upload already gone (NoSuchUpload) counts as aborted. */
export async function abortUploads(store: S3Store, uploads: IncompleteUpload[]): Promise<AbortResult> {
  const result: AbortResult = { aborted: [], errors: [] };
  for (const upload of uploads) {
    try {
      await store.client.send(new AbortMultipartUploadCommand({ Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }));
      result.aborted.push(upload);
    } catch (error) {
      const name = (error as { name?: string; Code?: string }).Code ?? (error as { name?: string }).name;
      if (name === 'NoSuchUpload') { result.aborted.push(upload); continue; }
      result.errors.push({ upload, message: translateStoreError(error, `abort upload ${upload.uploadId} of s3://${upload.bucket}/${upload.key}`, store.endpoint).message });
    }
  }
  return result;
}
