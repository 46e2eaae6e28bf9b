import { join } from 'node:path';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { ConfigError } from '../errors';
import type { Config } from '../config/config';
import { primaryEndpoint, type ResolvedEndpoint } from '../config/endpoints';
import { createS3Client, type ClientSettings } from './client';
import { S3Store } from './s3-store';
import { startEmbeddedServer, EMBEDDED_CREDENTIALS, type EmbeddedServer } from './embedded/embedded-server';

export interface OpenStore {
  store: S3Store;
  /** The endpoint in use (the embedded server's when none was configured). */
  endpoint: string;
  embedded: boolean;
  /** What it was opened from: its identity, region, credentials source. */
  resolved: ResolvedEndpoint;
  close(): Promise<void>;
}

/** What every store of a run shares, whatever its endpoint. */
export type StoreTuning = Pick<Config, 'concurrency' | 'maxAttempts' | 'requestTimeoutMs' | 'multipartThreshold' | 'multipartPartSize' | 'home'>;

/**
 * Connects to the configured store, or starts the embedded server when no endpoint is
 * configured. Credentials are resolved before any S3 request so that their absence is a
 * configuration error (exit 2), not a confusing failure of the first request.
 */
export function openStore(config: Config): Promise<OpenStore> {
  return openEndpoint(primaryEndpoint(config), config);
}

/** Where an embedded server keeps its data: the primary's under home, a named site's beside it. */
function embeddedHome(home: string, site: string): string {
  return site ? join(home, 'sites', site) : home;
}

/** Opens one endpoint (see openStore): a client of its own, an embedded server started if it is one. */
export async function openEndpoint(resolved: ResolvedEndpoint, tuning: StoreTuning): Promise<OpenStore> {
  let server: EmbeddedServer | undefined;
  let endpoint: string | undefined;
  let credentials: ClientSettings['credentials'];
  const address = resolved.address;
  if (address.kind === 'embedded') {
    server = await startEmbeddedServer(embeddedHome(tuning.home, address.site));
    endpoint = server.endpoint;
    credentials = { ...EMBEDDED_CREDENTIALS };
  } else {
    endpoint = address.kind === 'aws' ? 'aws' : address.url;
    if (resolved.credentials.kind === 'static') credentials = resolved.credentials.keys;
    // A profile's keys, role, SSO session or credential_process, resolved by the SDK's own reader.
    if (resolved.credentials.kind === 'profile') credentials = fromIni({ profile: resolved.credentials.profile, ignoreCache: true });
  }
  const client = createS3Client({
    ...(endpoint !== 'aws' ? { endpoint } : {}),
    forcePathStyle: resolved.forcePathStyle,
    region: resolved.region,
    ...(resolved.caBundle ? { caBundle: resolved.caBundle } : {}),
    ...(credentials ? { credentials } : {}),
    concurrency: tuning.concurrency,
    maxAttempts: tuning.maxAttempts,
    requestTimeoutMs: tuning.requestTimeoutMs,
  });
  if (resolved.credentials.kind !== 'static' && !server) {
    // Outside AWS, asking the EC2 metadata service only adds seconds of timeouts.
    if (endpoint !== 'aws') process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
    try {
      await client.config.credentials();
    } catch (error) {
      client.destroy();
      const via = resolved.credentials.kind === 'profile' ? ` (profile ${resolved.credentials.profile}: ${(error as Error).message.split('\n')[0]})` : '';
      throw new ConfigError(`no credentials for ${endpoint} from ${resolved.source}${via}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile`);
    }
  }
  const store = new S3Store(client, {
    endpoint: endpoint === 'aws' ? `AWS S3 (${resolved.region})` : endpoint,
    identity: resolved.identity,
    multipartThreshold: tuning.multipartThreshold,
    multipartPartSize: tuning.multipartPartSize,
  });
  return {
    store,
    endpoint: store.endpoint,
    embedded: server !== undefined,
    resolved,
    close: async () => {
      client.destroy();
      await server?.stop();
    },
  };
}
