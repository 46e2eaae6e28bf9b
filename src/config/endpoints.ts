import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { getHomeDir, loadSharedConfigFiles } from '@smithy/core/config';
import { ConfigError } from '../errors';
import { checkEndpoint, redactEndpoint } from './endpoint';

/*
 * Endpoints of their own for lakevault's locations (an off-site backup repository, say),
 * described the way the AWS tools describe them:
 *
 * - a named profile of the AWS shared config and credentials files (AWS_CONFIG_FILE,
 *   AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/config and ~/.aws/credentials), read with the
 *   SDK's own loader: `endpoint_url` (or `services = NAME` and its `[services NAME]` section's
 *   `s3 = endpoint_url = …`, the SDK's service-specific endpoints), `region`, `ca_bundle` and
 *   `s3 = addressing_style = path|virtual|auto` (the AWS CLI's), keys, roles, SSO and
 *   credential_process (resolved by the SDK's fromIni);
 * - or variables only: LAKEVAULT_<LOCATION>_ENDPOINT, _REGION, _CA_BUNDLE, _PATH_STYLE,
 *   _ACCESS_KEY_ID / _SECRET_ACCESS_KEY / _SESSION_TOKEN, which also override the profile's
 *   values (and flags override both).
 *
 * Why not hand the profile to the S3 client: the pinned SDK reads `endpoint_url` only for the
 * process's AWS_PROFILE, never for a profile given to one client (test/unit/endpoints.test.ts
 * shows it), reads no `ca_bundle` at all, and one process here needs several profiles at once.
 *
 * A location with settings of its own inherits nothing from the primary endpoint (S3_ENDPOINT,
 * AWS_ACCESS_KEY_ID, AWS_REGION…): the keys of one site are never sent to another.
 */

export const LOCATION_NAMES = ['warehouse', 'backups', 'checkpoints'] as const;
export type LocationName = (typeof LOCATION_NAMES)[number];

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One endpoint as configured, before any file is read: from flags or LAKEVAULT_<LOCATION>_* variables. */
export interface EndpointSettings {
  /** How messages name these settings: `LAKEVAULT_BACKUPS_*`, or the flags that gave them. */
  source: string;
  /** A URL (http(s) origin), `aws`, or `embedded:<site>` (a second embedded server, for trying two sites on one machine). */
  endpoint?: string;
  profile?: string;
  region?: string;
  caBundle?: string;
  pathStyle?: boolean;
  credentials?: StaticCredentials;
}

export type LocationEndpoints = Partial<Record<LocationName, EndpointSettings>>;

export type EndpointAddress =
  | { kind: 'url'; url: string }
  | { kind: 'aws' }
  /** The primary embedded server has the site `''`; `embedded:<site>` servers keep their data apart. */
  | { kind: 'embedded'; site: string };

export type CredentialSource =
  | { kind: 'static'; keys: StaticCredentials }
  | { kind: 'profile'; profile: string }
  | { kind: 'default-chain' }
  | { kind: 'embedded' };

/** An endpoint with every setting decided: what a store is opened with. */
export interface ResolvedEndpoint {
  /**
   * Which server this is, stable across runs and free of secrets: `aws`, `embedded`,
   * `embedded:<site>`, or the URL's origin (scheme, host, port). Locations with the same
   * identity are on the same server.
   */
  identity: string;
  address: EndpointAddress;
  region: string;
  forcePathStyle: boolean;
  caBundle?: string;
  caBundlePath?: string;
  credentials: CredentialSource;
  /** Where the settings came from, for messages (`LAKEVAULT_BACKUPS_*`, `profile dr`, `S3_ENDPOINT`…). */
  source: string;
}

const VARIABLE = (location: LocationName, setting: string) => `LAKEVAULT_${location.toUpperCase()}_${setting}`;
const SITE = /^[a-z0-9][a-z0-9-]{0,31}$/;

type Env = Record<string, string | undefined>;

function bool(name: string, raw: string): boolean {
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Checks an endpoint as written: a URL's origin, `aws`, or `embedded[:site]`. */
export function checkEndpointSetting(raw: string, name: string): string {
  const embedded = /^embedded(?::(.*))?$/.exec(raw);
  if (!embedded) return checkEndpoint(raw, name);
  const site = embedded[1];
  if (site !== undefined && !SITE.test(site)) {
    throw new ConfigError(`${name}: "${raw}": an embedded site is 1-32 characters of a-z, 0-9 and "-" (e.g. embedded:offsite)`);
  }
  return raw;
}

/**
 * The settings one location's variables give (undefined when it has none and lives on the
 * primary endpoint). Values are checked here, so a typo stops the run before any request.
 */
export function readLocationEndpoint(location: LocationName, env: Env): EndpointSettings | undefined {
  const read = (setting: string) => {
    const value = env[VARIABLE(location, setting)];
    return value === undefined || value === '' ? undefined : value;
  };
  const endpoint = read('ENDPOINT');
  const profile = read('PROFILE');
  const region = read('REGION');
  const caBundle = read('CA_BUNDLE');
  const pathStyle = read('PATH_STYLE');
  const accessKeyId = read('ACCESS_KEY_ID');
  const secretAccessKey = read('SECRET_ACCESS_KEY');
  const sessionToken = read('SESSION_TOKEN');
  if ([endpoint, profile, region, caBundle, pathStyle, accessKeyId, secretAccessKey, sessionToken].every((v) => v === undefined)) return undefined;
  const source = `${VARIABLE(location, '*')}`;
  if (endpoint === undefined && profile === undefined) {
    throw new ConfigError(`${source}: say where the ${location} live: set ${VARIABLE(location, 'ENDPOINT')} or ${VARIABLE(location, 'PROFILE')}`);
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError(`${VARIABLE(location, 'ACCESS_KEY_ID')} and ${VARIABLE(location, 'SECRET_ACCESS_KEY')} must be set together`);
  }
  return {
    source,
    ...(endpoint !== undefined ? { endpoint: checkEndpointSetting(endpoint, VARIABLE(location, 'ENDPOINT')) } : {}),
    ...(profile !== undefined ? { profile } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(caBundle !== undefined ? { caBundle } : {}),
    ...(pathStyle !== undefined ? { pathStyle: bool(VARIABLE(location, 'PATH_STYLE'), pathStyle) } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
  };
}

/** Every location's own endpoint settings (locations without any are absent). */
export function readLocationEndpoints(env: Env): LocationEndpoints {
  const result: LocationEndpoints = {};
  for (const location of LOCATION_NAMES) {
    const settings = readLocationEndpoint(location, env);
    if (settings) result[location] = settings;
  }
  return result;
}

/** The file the SDK reads a profile's settings from (for messages). */
function configFilePath(): string {
  return process.env.AWS_CONFIG_FILE || join(getHomeDir(), '.aws', 'config');
}

function credentialsFilePath(): string {
  return process.env.AWS_SHARED_CREDENTIALS_FILE || join(getHomeDir(), '.aws', 'credentials');
}

/** What a profile says about the endpoint, from the shared files as the SDK parses them. */
interface ProfileEndpoint {
  endpointUrl?: string;
  region?: string;
  caBundle?: string;
  addressingStyle?: string;
  hasKeys: boolean;
}

async function readProfile(profile: string, source: string): Promise<ProfileEndpoint> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const fromConfig = configFile[profile];
  const fromCredentials = credentialsFile[profile];
  if (!fromConfig && !fromCredentials) {
    throw new ConfigError(`${source}: profile "${profile}" is in neither ${configFilePath()} nor ${credentialsFilePath()}`);
  }
  // The config file wins over the credentials file, as in the SDK's own loader.
  const section: Record<string, string | undefined> = { ...fromCredentials, ...fromConfig };
  let endpointUrl = section.endpoint_url;
  if (section.services) {
    const services = configFile[`services.${section.services}`];
    if (!services) {
      throw new ConfigError(`${source}: profile "${profile}" names services section "${section.services}", which is not in ${configFilePath()}`);
    }
    endpointUrl = services['s3.endpoint_url'] ?? endpointUrl;
  }
  if (/^true$/i.test(section.ignore_configured_endpoint_urls ?? '')) endpointUrl = undefined;
  return {
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(section.region ? { region: section.region } : {}),
    ...(section.ca_bundle ? { caBundle: section.ca_bundle } : {}),
    ...(section['s3.addressing_style'] ? { addressingStyle: section['s3.addressing_style'] } : {}),
    hasKeys: Boolean(section.aws_access_key_id),
  };
}

function readCaBundle(path: string, name: string): string {
  const expanded = path.startsWith('~/') ? join(getHomeDir(), path.slice(2)) : path;
  let pem: string;
  try {
    pem = readFileSync(expanded, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read CA bundle "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${name}: CA bundle "${path}" holds no PEM certificate`);
  return pem;
}

function addressOf(endpoint: string): EndpointAddress {
  if (endpoint === 'aws') return { kind: 'aws' };
  const embedded = /^embedded(?::(.*))?$/.exec(endpoint);
  if (embedded) return { kind: 'embedded', site: embedded[1] ?? '' };
  return { kind: 'url', url: endpoint };
}

/** The identity of an address (see ResolvedEndpoint.identity). */
export function identityOf(address: EndpointAddress): string {
  if (address.kind === 'aws') return 'aws';
  if (address.kind === 'embedded') return address.site ? `embedded:${address.site}` : 'embedded';
  return new URL(address.url).origin;
}

/**
 * Turns one location's settings into an endpoint: the profile (if any) read from the shared
 * files, flags and variables over it, then defaults. Every problem is a ConfigError (exit 2)
 * raised before any request.
 */
export async function resolveEndpoint(settings: EndpointSettings): Promise<ResolvedEndpoint> {
  const profile = settings.profile ? await readProfile(settings.profile, settings.source) : undefined;
  const origin = settings.profile ? `${settings.source}, profile ${settings.profile}` : settings.source;
  const rawEndpoint = (settings.endpoint !== undefined ? checkEndpointSetting(settings.endpoint, settings.source) : undefined)
    ?? (profile?.endpointUrl !== undefined ? checkEndpoint(profile.endpointUrl, `endpoint_url of profile "${settings.profile}"`) : 'aws');
  const address = addressOf(rawEndpoint);
  const plainHttp = address.kind === 'url' && new URL(address.url).protocol !== 'https:';
  if (settings.caBundle && plainHttp) throw new ConfigError(`${origin}: a CA bundle is given for ${address.url}, which is plain HTTP`);
  // A profile's CA bundle is for its own https endpoint; over plain HTTP it has nothing to verify.
  const caBundlePath = settings.caBundle ?? (plainHttp ? undefined : profile?.caBundle);
  const caBundle = caBundlePath ? readCaBundle(caBundlePath, origin) : undefined;
  const addressing = profile?.addressingStyle;
  if (addressing !== undefined && !['path', 'virtual', 'auto'].includes(addressing)) {
    throw new ConfigError(`${origin}: s3.addressing_style must be path, virtual or auto, got "${addressing}"`);
  }
  // Custom endpoints (MinIO, RGW) rarely have wildcard DNS for virtual-hosted buckets.
  const forcePathStyle = settings.pathStyle
    ?? (addressing === 'path' ? true : addressing === 'virtual' ? false : address.kind !== 'aws');
  return {
    identity: identityOf(address),
    address,
    region: settings.region ?? profile?.region ?? 'us-east-1',
    forcePathStyle: address.kind === 'embedded' ? true : forcePathStyle,
    ...(caBundle && caBundlePath ? { caBundle, caBundlePath } : {}),
    credentials: credentialSource(settings, address, origin),
    source: origin,
  };
}

function credentialSource(settings: EndpointSettings, address: EndpointAddress, origin: string): CredentialSource {
  if (address.kind === 'embedded') return { kind: 'embedded' };
  if (settings.credentials) return { kind: 'static', keys: settings.credentials };
  if (settings.profile) return { kind: 'profile', profile: settings.profile };
  if (address.kind === 'aws') return { kind: 'default-chain' };
  throw new ConfigError(`${origin}: no credentials for ${redactEndpoint(address.url)}: set a profile or the access key variables of this location (the primary endpoint's keys are never sent to another endpoint)`);
}

/**
 * Who signs the requests, without the secret: two locations whose endpoints have the same
 * identity and the same credentials are one store (one client per run), and a copy between
 * them can stay on the server.
 */
export function credentialsIdentity(source: CredentialSource): string {
  switch (source.kind) {
    case 'static':
      return `key:${createHash('sha256').update(source.keys.accessKeyId).digest('hex').slice(0, 16)}`;
    case 'profile':
      return `profile:${source.profile}`;
    default:
      return source.kind;
  }
}

/** The key one store is kept under for a run: the same server, region, signer, addressing and CAs. */
export function storeKey(endpoint: ResolvedEndpoint): string {
  return [endpoint.identity, endpoint.region, credentialsIdentity(endpoint.credentials), endpoint.forcePathStyle ? 'path' : 'virtual', endpoint.caBundlePath ?? ''].join('|');
}

/** The settings of config.ts's Config that make the primary endpoint. */
export interface PrimarySettings {
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
  caBundle?: string;
  caBundlePath?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
}

/**
 * The primary endpoint, as config.ts resolved it (S3_ENDPOINT, AWS_* variables, the SDK's
 * chain; the embedded server when no endpoint is configured). Its profile, if any, reaches
 * the SDK as before: AWS_PROFILE is the process's own.
 */
export function primaryEndpoint(config: PrimarySettings): ResolvedEndpoint {
  const address: EndpointAddress = config.endpoint ? addressOf(config.endpoint) : { kind: 'embedded', site: '' };
  const credentials: CredentialSource = address.kind === 'embedded' ? { kind: 'embedded' }
    : config.credentials ? { kind: 'static', keys: config.credentials }
      : config.profile ? { kind: 'profile', profile: config.profile } : { kind: 'default-chain' };
  return {
    identity: identityOf(address),
    address,
    region: config.region,
    forcePathStyle: address.kind === 'embedded' ? true : config.forcePathStyle,
    ...(config.caBundle && config.caBundlePath ? { caBundle: config.caBundle, caBundlePath: config.caBundlePath } : {}),
    credentials,
    source: config.endpoint ? 'S3_ENDPOINT' : 'the embedded server (no S3_ENDPOINT)',
  };
}
