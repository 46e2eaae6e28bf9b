import { readFileSync, existsSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { type Location, parseS3Uri } from '../store/location';
import { refuseOverlap } from '../store/overlap';

/**
 * Resolved configuration of one run. Sources, strongest first: CLI flags, the process
 * environment, an optional .env file in the working directory, defaults.
 */
export interface Config {
  /** undefined = start the embedded server; 'aws' = the SDK's own AWS endpoints. */
  endpoint?: string;
  forcePathStyle: boolean;
  region: string;
  /** PEM text of the CAs to trust (S3_CA_BUNDLE), already read. */
  caBundle?: string;
  caBundlePath?: string;
  /** Explicit keys (from flags/env/.env); otherwise the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
  warehouse: Location;
  backups: Location;
  checkpoints: Location;
  concurrency: number;
  multipartThreshold: number;
  multipartPartSize: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  /** Where the embedded server keeps its data. */
  home: string;
}

export interface ConfigOverrides {
  endpoint?: string;
  region?: string;
  caBundle?: string;
  pathStyle?: boolean;
  warehouse?: string;
  backups?: string;
  checkpoints?: string;
  concurrency?: number;
  multipartThreshold?: number;
  profile?: string;
}

type Env = Record<string, string | undefined>;

/** Reads .env (if present) under the process environment: real variables win. */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Env {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return { ...env };
  let parsed: Env;
  try {
    parsed = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return { ...parsed, ...env };
}

function positiveInt(name: string, raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function bool(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function location(name: string, raw: string): Location {
  try {
    return parseS3Uri(raw);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

function checkEndpoint(raw: string): string {
  if (raw === 'aws') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`S3_ENDPOINT is not a valid URL: "${raw}" (expected e.g. http://127.0.0.1:9000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`S3_ENDPOINT must start with http:// or https://, got "${raw}"`);
  }
  if (url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(`S3_ENDPOINT must be a bare origin without path or query, got "${raw}"`);
  }
  return url.origin;
}

const MiB = 1024 * 1024;

export function loadConfig(overrides: ConfigOverrides = {}, env: Env = readEnvironment()): Config {
  const rawEndpoint = overrides.endpoint ?? env.S3_ENDPOINT;
  const endpoint = rawEndpoint ? checkEndpoint(rawEndpoint) : undefined;

  const caBundlePath = overrides.caBundle ?? env.S3_CA_BUNDLE;
  let caBundle: string | undefined;
  if (caBundlePath) {
    try {
      caBundle = readFileSync(caBundlePath, 'utf8');
    } catch (error) {
      throw new ConfigError(`S3_CA_BUNDLE: cannot read "${caBundlePath}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!caBundle.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`S3_CA_BUNDLE: "${caBundlePath}" holds no PEM certificate`);
    }
  }

  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if ((accessKeyId && !secretAccessKey) || (!accessKeyId && secretAccessKey)) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  }
  const credentials = accessKeyId && secretAccessKey
    ? { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
    : undefined;

  const multipartThreshold = positiveInt('LAKEVAULT_MULTIPART_THRESHOLD', overrides.multipartThreshold ?? env.LAKEVAULT_MULTIPART_THRESHOLD, 512 * MiB);
  const multipartPartSize = positiveInt('LAKEVAULT_MULTIPART_PART_SIZE', env.LAKEVAULT_MULTIPART_PART_SIZE, 128 * MiB);
  if (multipartPartSize < 5 * MiB) throw new ConfigError('LAKEVAULT_MULTIPART_PART_SIZE must be at least 5 MiB (S3 minimum part size)');

  const pathStyle = overrides.pathStyle ?? bool('S3_FORCE_PATH_STYLE', env.S3_FORCE_PATH_STYLE);
  const profile = overrides.profile ?? env.AWS_PROFILE;
  const warehouse = location('LAKEVAULT_WAREHOUSE', overrides.warehouse ?? env.LAKEVAULT_WAREHOUSE ?? 's3://lake/warehouse');
  const backups = location('LAKEVAULT_BACKUPS', overrides.backups ?? env.LAKEVAULT_BACKUPS ?? 's3://lake-backups');
  const checkpoints = location('LAKEVAULT_CHECKPOINTS', overrides.checkpoints ?? env.LAKEVAULT_CHECKPOINTS ?? 's3://lake-checkpoints');
  // A backup inside the warehouse is deleted with its table; backups and checkpoints in one
  // place are listed, pruned and deleted as each other.
  refuseOverlap([
    { name: 'the warehouse', location: warehouse },
    { name: 'the backups location', location: backups },
    { name: 'the checkpoints location', location: checkpoints },
  ], (message) => new ConfigError(message));
  return {
    ...(endpoint ? { endpoint } : {}),
    // Custom endpoints (MinIO, RGW) rarely have wildcard DNS for virtual-hosted buckets.
    forcePathStyle: pathStyle ?? (endpoint !== undefined && endpoint !== 'aws'),
    region: overrides.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(caBundle ? { caBundle, caBundlePath } : {}),
    ...(credentials ? { credentials } : {}),
    ...(profile ? { profile } : {}),
    warehouse,
    backups,
    checkpoints,
    concurrency: positiveInt('LAKEVAULT_CONCURRENCY', overrides.concurrency ?? env.LAKEVAULT_CONCURRENCY, 64),
    multipartThreshold,
    multipartPartSize,
    maxAttempts: positiveInt('LAKEVAULT_MAX_ATTEMPTS', env.LAKEVAULT_MAX_ATTEMPTS, 6),
    requestTimeoutMs: positiveInt('LAKEVAULT_REQUEST_TIMEOUT_MS', env.LAKEVAULT_REQUEST_TIMEOUT_MS, 60_000),
    home: resolve(env.LAKEVAULT_HOME ?? '.lakevault'),
  };
}

/** The configuration as it may be shown to a user: secrets replaced. */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    endpoint: config.endpoint ?? 'embedded',
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    caBundle: config.caBundlePath,
    credentials: config.credentials ? `static key ${redactKeyId(config.credentials.accessKeyId)}` : config.profile ? `profile ${config.profile}` : 'default chain',
    warehouse: `s3://${config.warehouse.bucket}/${config.warehouse.prefix}`,
    backups: `s3://${config.backups.bucket}/${config.backups.prefix}`,
    checkpoints: `s3://${config.checkpoints.bucket}/${config.checkpoints.prefix}`,
    concurrency: config.concurrency,
  };
}

/** Shows enough of an access key id to recognise it, never enough to use it. */
export function redactKeyId(keyId: string): string {
  return keyId.length <= 4 ? '****' : `${keyId.slice(0, 4)}…`;
}
