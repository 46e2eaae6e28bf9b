import { readFileSync, existsSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { type Location, parseS3Uri } from '../store/location';
import { refuseOverlap } from '../store/overlap';
import { checkEndpoint } from './endpoint';
import { findEmbeddedHome } from './home';
import { loadManifestKey, type ManifestKey } from './manifest-key';
import { readLocationEndpoints, type LocationEndpoints } from './endpoints';
import { SettingSources, wholeNumber, type SettingOrigin } from './sources';

export type { SettingOrigin, SettingSource } from './sources';

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
  /** The key that authenticates snapshot manifests (config/manifest-key.ts); none = manifests are not authenticated. */
  manifestKey?: ManifestKey | undefined;
  /** Where each setting came from (flag, environment, .env file, default): `doctor` shows it. */
  origins?: Record<SettingName, SettingOrigin>;
  /** Locations that live on an endpoint of their own (LAKEVAULT_<LOCATION>_ENDPOINT, _PROFILE…): config/endpoints.ts. */
  locationEndpoints: LocationEndpoints;
}

/** Values given by flags (the CLI) or options (the library): they win over every variable. */
export interface ConfigOverrides {
  endpoint?: string;
  region?: string;
  caBundle?: string;
  pathStyle?: boolean;
  warehouse?: string;
  backups?: string;
  checkpoints?: string;
  /** A number, or the flag's text (parsed by the same rules as LAKEVAULT_CONCURRENCY). */
  concurrency?: number | string;
  multipartThreshold?: number | string;
  profile?: string;
  /** Static keys; otherwise AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * The key that authenticates snapshot manifests (at least 16 characters; never stored in
   * a bucket): manifests written carry its HMAC, and validate, restore and recover refuse
   * one it does not authenticate. Default: LAKEVAULT_MANIFEST_KEY or the file
   * LAKEVAULT_MANIFEST_KEY_FILE names.
   */
  manifestKey?: string;
  /** A file holding the manifest key (instead of manifestKey; the CLI's --manifest-key-file). */
  manifestKeyFile?: string;
}

/** The settings whose source `doctor` shows. */
export type SettingName =
  | 'endpoint' | 'region' | 'forcePathStyle' | 'caBundle' | 'credentials' | 'warehouse' | 'backups' | 'checkpoints'
  | 'concurrency' | 'multipartThreshold' | 'multipartPartSize' | 'maxAttempts' | 'requestTimeoutMs' | 'home';

type Env = Record<string, string | undefined>;

/** The process environment over a .env file in `cwd`, and which variables came from the file. */
export interface Environment {
  variables: Env;
  fromFile: ReadonlySet<string>;
}

/** Reads .env (if present) under the process environment: real variables win. */
export function loadEnvironment(cwd = process.cwd(), env: Env = process.env): Environment {
  const file = resolve(cwd, '.env');
  if (!existsSync(file)) return { variables: { ...env }, fromFile: new Set() };
  let parsed: Env;
  try {
    parsed = parseEnv(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const fromFile = new Set(Object.keys(parsed).filter((name) => env[name] === undefined));
  return { variables: { ...parsed, ...env }, fromFile };
}

/** The variables of loadEnvironment, without their origins. */
export function readEnvironment(cwd = process.cwd(), env: Env = process.env): Env {
  return loadEnvironment(cwd, env).variables;
}

function bool(name: string, raw: string | boolean | undefined): boolean | undefined {
  if (raw === undefined || typeof raw === 'boolean') return raw;
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

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Limits of the whole-number settings, the same for a flag, a variable and .env. Parts and
 * single copies are S3's (5 MiB minimum part, 5 GiB maximum CopyObject and part).
 */
export const LIMITS = {
  concurrency: { min: 1, max: 1024 },
  multipartThreshold: { min: 1, max: 5 * GiB },
  multipartPartSize: { min: 5 * MiB, max: 5 * GiB },
  maxAttempts: { min: 1, max: 20 },
  requestTimeoutMs: { min: 100, max: 3_600_000 },
} as const;

/** What loadConfig is told about its inputs. */
export interface ConfigInputs {
  /** The variables that came from the .env file (loadEnvironment); the rest are the environment's. */
  fromFile?: ReadonlySet<string>;
  /** The overrides are the CLI's flags (errors then name `--concurrency`) or a library caller's options (default). */
  overridesAre?: 'flags' | 'options';
}

/**
 * Resolves the configuration, checked before any request: flags (overrides) over the
 * environment over .env over defaults. `env` defaults to the process environment and the
 * .env file of the working directory.
 */
export function loadConfig(overrides: ConfigOverrides = {}, env?: Env, inputs: ConfigInputs = {}): Config {
  let fromFile = inputs.fromFile ?? new Set<string>();
  if (!env) ({ variables: env, fromFile } = loadEnvironment());
  const sources = new SettingSources(overrides as Record<string, unknown>, env, fromFile, inputs.overridesAre ?? 'options');
  const origins = {} as Record<SettingName, SettingOrigin>;
  const read = <T>(setting: SettingName, option: keyof ConfigOverrides | undefined, flag: string | undefined, ...variables: string[]) => {
    const raw = sources.read<T>(option, flag, ...variables);
    origins[setting] = raw.origin;
    return raw;
  };
  const number = (setting: keyof typeof LIMITS, option: keyof ConfigOverrides | undefined, flag: string | undefined, variable: string, fallback: number): number => {
    const raw = read<number>(setting, option, flag, variable);
    return raw.value === undefined ? fallback : wholeNumber(raw.name, raw.value, LIMITS[setting].min, LIMITS[setting].max);
  };

  const rawEndpoint = read<string>('endpoint', 'endpoint', '--endpoint', 'S3_ENDPOINT');
  const endpoint = rawEndpoint.value ? checkEndpoint(String(rawEndpoint.value), rawEndpoint.name) : undefined;

  const rawCa = read<string>('caBundle', 'caBundle', '--ca-bundle', 'S3_CA_BUNDLE');
  const caBundlePath = rawCa.value === undefined ? undefined : String(rawCa.value);
  let caBundle: string | undefined;
  if (caBundlePath) {
    try {
      caBundle = readFileSync(caBundlePath, 'utf8');
    } catch (error) {
      throw new ConfigError(`${rawCa.name}: cannot read "${caBundlePath}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (!caBundle.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`${rawCa.name}: "${caBundlePath}" holds no PEM certificate`);
    }
  }

  const credentials = readCredentials(overrides, env, fromFile, origins);
  const multipartThreshold = number('multipartThreshold', 'multipartThreshold', undefined, 'LAKEVAULT_MULTIPART_THRESHOLD', 512 * MiB);
  const multipartPartSize = number('multipartPartSize', undefined, undefined, 'LAKEVAULT_MULTIPART_PART_SIZE', 128 * MiB);

  const pathStyle = read<boolean>('forcePathStyle', 'pathStyle', '--path-style', 'S3_FORCE_PATH_STYLE');
  const profile = overrides.profile ?? (env.AWS_PROFILE || undefined);
  const region = read<string>('region', 'region', '--region', 'AWS_REGION', 'AWS_DEFAULT_REGION');
  const place = (setting: 'warehouse' | 'backups' | 'checkpoints', flag: string, variable: string, fallback: string): Location => {
    const raw = read<string>(setting, setting, flag, variable);
    return location(raw.name, raw.value === undefined ? fallback : String(raw.value));
  };
  const warehouse = place('warehouse', '--warehouse', 'LAKEVAULT_WAREHOUSE', 's3://lake/warehouse');
  const backups = place('backups', '--backups', 'LAKEVAULT_BACKUPS', 's3://lake-backups');
  const checkpoints = place('checkpoints', '--checkpoints', 'LAKEVAULT_CHECKPOINTS', 's3://lake-checkpoints');
  const locationEndpoints = readLocationEndpoints(env);
  // A backup inside the warehouse is deleted with its table; backups and checkpoints in one
  // place are listed, pruned and deleted as each other. Locations on different endpoints are
  // different stores: the same bucket name there is another bucket.
  const places = [
    { name: 'the warehouse', location: warehouse, on: 'warehouse' as const },
    { name: 'the backups location', location: backups, on: 'backups' as const },
    { name: 'the checkpoints location', location: checkpoints, on: 'checkpoints' as const },
  ];
  const endpointOf = (on: keyof LocationEndpoints) => {
    const own = locationEndpoints[on];
    return own ? `${own.endpoint ?? ''}|${own.profile ?? ''}` : 'primary';
  };
  for (const store of new Set(places.map((place) => endpointOf(place.on)))) {
    refuseOverlap(places.filter((place) => endpointOf(place.on) === store), (message) => new ConfigError(message));
  }
  const home = read<string>('home', undefined, undefined, 'LAKEVAULT_HOME');
  const manifestKey = readManifestKey(overrides, env);

  return {
    ...(endpoint ? { endpoint } : {}),
    // Custom endpoints (MinIO, RGW) rarely have wildcard DNS for virtual-hosted buckets.
    forcePathStyle: bool(pathStyle.name, pathStyle.value) ?? (endpoint !== undefined && endpoint !== 'aws'),
    region: region.value === undefined ? 'us-east-1' : String(region.value),
    ...(caBundle ? { caBundle, caBundlePath } : {}),
    ...(credentials ? { credentials } : {}),
    ...(profile ? { profile } : {}),
    warehouse,
    backups,
    checkpoints,
    concurrency: number('concurrency', 'concurrency', '--concurrency', 'LAKEVAULT_CONCURRENCY', 64),
    multipartThreshold,
    multipartPartSize,
    maxAttempts: number('maxAttempts', undefined, undefined, 'LAKEVAULT_MAX_ATTEMPTS', 6),
    requestTimeoutMs: number('requestTimeoutMs', undefined, undefined, 'LAKEVAULT_REQUEST_TIMEOUT_MS', 60_000),
    home: home.value === undefined ? foundHome(origins) : resolve(String(home.value)),
    ...(manifestKey ? { manifestKey } : {}),
    origins,
    locationEndpoints,
  };
}

/** The embedded server's home when LAKEVAULT_HOME does not name one; doctor shows how it was found. */
function foundHome(origins: Record<SettingName, SettingOrigin>): string {
  const found = findEmbeddedHome();
  origins.home = { source: 'default', from: found.how };
  return found.path;
}

/** The manifest key: given, from a given file, or from the variables; undefined = manifests are not authenticated. */
function readManifestKey(overrides: Pick<ConfigOverrides, 'manifestKey' | 'manifestKeyFile'>, env: Env): ManifestKey | undefined {
  if (overrides.manifestKey !== undefined) return loadManifestKey({ LAKEVAULT_MANIFEST_KEY: overrides.manifestKey }, overrides.manifestKeyFile);
  return loadManifestKey(env, overrides.manifestKeyFile);
}

/**
 * A configuration resolved earlier, with the manifest key it lacks: given, from a given file,
 * or from the variables (the library's `config` option reads the key as before).
 */
export function withManifestKey(config: Config, overrides: Pick<ConfigOverrides, 'manifestKey' | 'manifestKeyFile'>, env?: Env): Config {
  if (config.manifestKey && overrides.manifestKey === undefined && overrides.manifestKeyFile === undefined) return config;
  const manifestKey = readManifestKey(overrides, env ?? loadEnvironment().variables);
  return manifestKey ? { ...config, manifestKey } : config;
}

/** Static keys: an override, or both variables (never one without the other); else none (the SDK's chain or a profile). */
function readCredentials(overrides: ConfigOverrides, env: Env, fromFile: ReadonlySet<string>, origins: Record<SettingName, SettingOrigin>): Config['credentials'] {
  if (overrides.credentials) {
    origins.credentials = { source: 'flag', from: 'credentials' };
    return overrides.credentials;
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if ((accessKeyId && !secretAccessKey) || (!accessKeyId && secretAccessKey)) {
    throw new ConfigError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  }
  if (!accessKeyId || !secretAccessKey) {
    const profile = overrides.profile ? { source: 'flag', from: 'profile' } as const : env.AWS_PROFILE ? { source: fromFile.has('AWS_PROFILE') ? '.env file' : 'environment', from: 'AWS_PROFILE' } as const : { source: 'default' } as const;
    origins.credentials = profile;
    return undefined;
  }
  origins.credentials = { source: fromFile.has('AWS_ACCESS_KEY_ID') ? '.env file' : 'environment', from: 'AWS_ACCESS_KEY_ID' };
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
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

/** One setting as `doctor` shows it: its value (no secret) and where it came from. */
export interface ShownSetting extends SettingOrigin {
  setting: SettingName;
  value: string | number | boolean;
}

/** Every setting with its source: a .env file that redirects S3_ENDPOINT shows as such. */
export function describeSettings(config: Config): ShownSetting[] {
  const shown = describeConfig(config) as Record<string, string | number | boolean | undefined>;
  const values: Record<SettingName, string | number | boolean> = {
    endpoint: shown.endpoint!,
    region: config.region,
    // The embedded server is always addressed path-style, with keys of its own.
    forcePathStyle: config.endpoint ? config.forcePathStyle : true,
    caBundle: config.caBundlePath ?? 'the system\'s CAs',
    credentials: config.endpoint ? shown.credentials! : 'the embedded server\'s',
    warehouse: shown.warehouse!,
    backups: shown.backups!,
    checkpoints: shown.checkpoints!,
    concurrency: config.concurrency,
    multipartThreshold: config.multipartThreshold,
    multipartPartSize: config.multipartPartSize,
    maxAttempts: config.maxAttempts,
    requestTimeoutMs: config.requestTimeoutMs,
    home: config.home,
  };
  return (Object.keys(values) as SettingName[]).map((setting) => ({ setting, value: values[setting], ...(config.origins?.[setting] ?? { source: 'default' }) }));
}

/** Shows enough of an access key id to recognise it, never enough to use it. */
export function redactKeyId(keyId: string): string {
  return keyId.length <= 4 ? '****' : `${keyId.slice(0, 4)}…`;
}
