import { describeSettings, redactKeyId, type Config, type ShownSetting } from '../config/config';
import { LOCATION_NAMES, storeKey, type LocationName, type ResolvedEndpoint } from '../config/endpoints';
import { UsageError } from '../errors';
import { formatS3Uri } from '../store/location';
import { abortUploads, findStaleUploads, type IncompleteUpload, type StaleUploadReport } from '../store/multipart-uploads';
import type { OpenStore } from '../store/open';
import { probeCapabilities, type ProbeResult } from '../store/probe';
import { probeWriteIntegrity, type WriteIntegrity } from '../store/write-integrity';
import type { ApiContext, CallOptions } from './context';
import { report, type Report } from './report';

/** An incomplete upload as reported: its start time as ISO-8601 text, as in the JSON. */
export type ReportedUpload = Omit<IncompleteUpload, 'initiated'> & { initiated?: string };
export interface MultipartUploads extends Omit<StaleUploadReport, 'stale'> {
  stale: ReportedUpload[];
  cleaned?: { aborted: ReportedUpload[]; errors: { upload: ReportedUpload; message: string }[] };
}
/** An endpoint other than the primary one, where some locations live: the same probe, and theirs. */
export interface EndpointDiagnosis extends ProbeResult {
  ok: boolean;
  /** The locations that live on it. */
  locations: LocationName[];
  /** How it is configured, without secrets. */
  settings: EndpointSettingsShown;
  multipartUploads: MultipartUploads;
  /** Which checksums writes to each location's bucket carry (store/write-integrity.ts). */
  writeIntegrity: ({ location: string } & (WriteIntegrity | { skipped: string }))[];
}

export interface EndpointSettingsShown {
  identity: string;
  region: string;
  pathStyle: boolean;
  caBundle: string;
  credentials: string;
  from: string;
}

export type DoctorReport = Report<{ ok: boolean; embedded: boolean; settings: ShownSetting[] } & ProbeResult & { multipartUploads: MultipartUploads; endpoints: EndpointDiagnosis[] }>;

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
  const elsewhere = await otherEndpoints(context);
  const here = LOCATION_NAMES.filter((location) => !elsewhere.some((other) => other.locations.includes(location)));
  const result = await probeCapabilities(open.store, {
    region: config.region,
    ...(config.caBundle ? { ca: config.caBundle } : {}),
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    progress: (line) => progress(line, {}),
  });
  const ok = result.reachable.ok && result.credentials.ok;
  const multipartUploads = await multipartOf(open, config, here, ok, ageHours, options.cleanMultipart === true);
  const endpoints: EndpointDiagnosis[] = [];
  for (const other of elsewhere) {
    progress(`probing ${other.open.endpoint} (${other.locations.join(', ')})`, {});
    endpoints.push(await diagnose(other.open, other.locations, config, options, ageHours, (line) => progress(line, {})));
  }
  return report({ ok: ok && endpoints.every((e) => e.ok), embedded: open.embedded, settings: describeSettings(config), ...result, multipartUploads, endpoints });
}

/** The endpoints other than the primary that locations name, each with its locations (settings resolved, stores opened). */
async function otherEndpoints(context: ApiContext): Promise<{ open: OpenStore; locations: LocationName[] }[]> {
  const byStore = new Map<string, { open: OpenStore; locations: LocationName[] }>();
  for (const location of LOCATION_NAMES) {
    if (!context.config.locationEndpoints[location]) continue;
    const open = await context.endpoints.forLocation(location);
    if (open === context.open) continue;
    const key = storeKey(open.resolved);
    const entry = byStore.get(key) ?? { open, locations: [] };
    entry.locations.push(location);
    byStore.set(key, entry);
  }
  return [...byStore.values()];
}

async function diagnose(open: OpenStore, locations: LocationName[], config: Config, options: DoctorOptions, ageHours: number, progress: (line: string) => void): Promise<EndpointDiagnosis> {
  const resolved = open.resolved;
  const result = await probeCapabilities(open.store, {
    region: resolved.region,
    ...(resolved.caBundle ? { ca: resolved.caBundle } : {}),
    ...(options.kmsKeyId ? { kmsKeyId: options.kmsKeyId } : {}),
    progress,
  });
  const ok = result.reachable.ok && result.credentials.ok;
  const writeIntegrity: EndpointDiagnosis['writeIntegrity'] = [];
  for (const location of locations) {
    const place = config[location];
    const uri = formatS3Uri(place);
    if (!ok) { writeIntegrity.push({ location: uri, skipped: 'the endpoint is not reachable with these credentials' }); continue; }
    if (!(await open.store.bucketExists(place.bucket))) { writeIntegrity.push({ location: uri, skipped: 'bucket does not exist' }); continue; }
    writeIntegrity.push({ location: uri, ...(await probeWriteIntegrity(open.store, place.bucket, place.prefix)) });
  }
  return {
    ok,
    locations,
    settings: shownSettings(resolved),
    ...result,
    multipartUploads: await multipartOf(open, config, locations, ok, ageHours, options.cleanMultipart === true),
    writeIntegrity,
  };
}

/** Incomplete multipart uploads (left by killed runs) under the given locations of one store: they cost storage and show in no listing. */
async function multipartOf(open: OpenStore, config: Config, locations: readonly LocationName[], ok: boolean, ageHours: number, clean: boolean): Promise<MultipartUploads> {
  const found: StaleUploadReport = ok
    ? await findStaleUploads(open.store, locations.map((location) => config[location]), { olderThanMs: ageHours * 3_600_000 })
    : { scanned: [], skipped: [], stale: [], recent: 0 };
  const multipartUploads: MultipartUploads = { ...found, stale: found.stale.map(reported) };
  if (clean && found.stale.length) {
    const cleaned = await abortUploads(open.store, found.stale);
    multipartUploads.cleaned = { aborted: cleaned.aborted.map(reported), errors: cleaned.errors.map((e) => ({ upload: reported(e.upload), message: e.message })) };
  }
  return multipartUploads;
}

/** An endpoint's settings as they may be shown: no secret, keys as their first 4 characters. */
export function shownSettings(endpoint: ResolvedEndpoint): EndpointSettingsShown {
  const credentials = endpoint.credentials;
  return {
    identity: endpoint.identity,
    region: endpoint.region,
    pathStyle: endpoint.forcePathStyle,
    caBundle: endpoint.caBundlePath ?? 'the system\'s CAs',
    credentials: credentials.kind === 'static' ? `static key ${redactKeyId(credentials.keys.accessKeyId)}`
      : credentials.kind === 'profile' ? `profile ${credentials.profile}`
        : credentials.kind === 'embedded' ? 'the embedded server\'s' : 'the SDK\'s default chain',
    from: endpoint.source,
  };
}

function reported(upload: IncompleteUpload): ReportedUpload {
  const { initiated, ...rest } = upload;
  return { ...rest, ...(initiated ? { initiated: initiated.toISOString() } : {}) };
}
