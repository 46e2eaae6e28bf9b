import { describeSettings, type ShownSetting } from '../config/config';
import { UsageError } from '../errors';
import { abortUploads, findStaleUploads, lakevaultLocations, type IncompleteUpload, type StaleUploadReport } from '../store/multipart-uploads';
import { probeCapabilities, type ProbeResult } from '../store/probe';
import type { ApiContext, CallOptions } from './context';
import { report, type Report } from './report';

/** An incomplete upload as reported: its start time as ISO-8601 text, as in the JSON. */
export type ReportedUpload = Omit<IncompleteUpload, 'initiated'> & { initiated?: string };
export interface MultipartUploads extends Omit<StaleUploadReport, 'stale'> {
  stale: ReportedUpload[];
  cleaned?: { aborted: ReportedUpload[]; errors: { upload: ReportedUpload; message: string }[] };
}
export type DoctorReport = Report<{ ok: boolean; embedded: boolean; settings: ShownSetting[] } & ProbeResult & { multipartUploads: MultipartUploads }>;

export interface DoctorOptions extends CallOptions {
  /** KMS key for the SSE-KMS test (e.g. testkey-1 on RGW's testing backend). */
  kmsKeyId?: string;
  /** Abort stale incomplete multipart uploads under the warehouse, backups and checkpoints prefixes. */
  cleanMultipart?: boolean;
  /** An incomplete upload older than this is stale (default 24); younger ones may still be running. */
  multipartAgeHours?: number;
}

/**
 * Probes the store: endpoint reachable, credentials valid, TLS, which S3 features really
 * work (tried on scratch buckets it removes), and incomplete multipart uploads left under
 * lakevault's prefixes by killed runs. A diagnosis is data: `ok` is false when the endpoint
 * or the credentials fail; nothing is thrown for that.
 */
export async function doctor(context: ApiContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const ageHours = options.multipartAgeHours ?? 24;
  if (!Number.isFinite(ageHours) || ageHours < 0) throw new UsageError(`multipartAgeHours must be a number of hours ≥ 0, got ${ageHours}`);
  const { config, open } = context;
  const progress = context.progress('doctor', options.onProgress);
  const result = await probeCapabilities(open.store, {
    region: config.region,
    ...(config.caBundle ? { ca: config.caBundle } : {}),
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    progress: (line) => progress(line, {}),
  });
  const ok = result.reachable.ok && result.credentials.ok;
  // Incomplete multipart uploads (left by killed runs) cost storage and show in no listing.
  const found: StaleUploadReport = ok
    ? await findStaleUploads(open.store, lakevaultLocations(config), { olderThanMs: ageHours * 3_600_000 })
    : { scanned: [], skipped: [], stale: [], recent: 0 };
  const multipartUploads: MultipartUploads = { ...found, stale: found.stale.map(reported) };
  if (options.cleanMultipart && found.stale.length) {
    const cleaned = await abortUploads(open.store, found.stale);
    multipartUploads.cleaned = { aborted: cleaned.aborted.map(reported), errors: cleaned.errors.map((e) => ({ upload: reported(e.upload), message: e.message })) };
  }
  return report({ ok, embedded: open.embedded, settings: describeSettings(config), ...result, multipartUploads });
}

function reported(upload: IncompleteUpload): ReportedUpload {
  const { initiated, ...rest } = upload;
  return { ...rest, ...(initiated ? { initiated: initiated.toISOString() } : {}) };
}
