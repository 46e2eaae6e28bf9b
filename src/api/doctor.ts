import { probeCapabilities, type ProbeResult } from '../store/probe';
import type { ApiContext, CallOptions } from './context';
import { report, type Report } from './report';

export type DoctorReport = Report<{ ok: boolean; embedded: boolean } & ProbeResult>;

export interface DoctorOptions extends CallOptions {
  /** KMS key for the SSE-KMS test (e.g. testkey-1 on RGW's testing backend). */
  kmsKeyId?: string;
}

/**
 * Probes the store: endpoint reachable, credentials valid, TLS, and which S3 features
 * really work (tried on scratch buckets it removes). A diagnosis is data: `ok` is false
 * when the endpoint or the credentials fail; nothing is thrown for that.
 */
export async function doctor(context: ApiContext, options: DoctorOptions = {}): Promise<DoctorReport> {
  const { config, open } = context;
  const progress = context.progress('doctor', options.onProgress);
  const result = await probeCapabilities(open.store, {
    region: config.region,
    ...(config.caBundle ? { ca: config.caBundle } : {}),
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    progress: (line) => progress(line, {}),
  });
  return report({ ok: result.reachable.ok && result.credentials.ok, embedded: open.embedded, ...result });
}
