import { ConfigError } from '../errors';
import type { Config } from '../config/config';
import { createS3Client } from './client';
import { S3Store } from './s3-store';
import { startEmbeddedServer, EMBEDDED_CREDENTIALS, type EmbeddedServer } from './embedded/embedded-server';

export interface OpenStore {
  store: S3Store;
  /** The endpoint in use (the embedded server's when none was configured). */
  endpoint: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects to the configured store, or starts the embedded server when no endpoint is
 * configured. Credentials are resolved before any S3 request so that their absence is a
 * configuration error (exit 2), not a confusing failure of the first request.
 */
export async function openStore(config: Config): Promise<OpenStore> {
  let server: EmbeddedServer | undefined;
  let endpoint = config.endpoint;
  let credentials = config.credentials;
  if (!endpoint) {
    server = await startEmbeddedServer(config.home);
    endpoint = server.endpoint;
    credentials = { ...EMBEDDED_CREDENTIALS };
  }
  const client = createS3Client({
    ...(endpoint !== 'aws' ? { endpoint } : {}),
    forcePathStyle: server ? true : config.forcePathStyle,
    region: config.region,
    ...(config.caBundle ? { caBundle: config.caBundle } : {}),
    ...(credentials ? { credentials } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    concurrency: config.concurrency,
    maxAttempts: config.maxAttempts,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  if (!credentials) {
    // Outside AWS, asking the EC2 metadata service only adds seconds of timeouts.
    if (endpoint !== 'aws') process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
    try {
      await client.config.credentials();
    } catch {
      client.destroy();
      throw new ConfigError(`no credentials for ${endpoint}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE`);
    }
  }
  const store = new S3Store(client, {
    endpoint: endpoint === 'aws' ? `AWS S3 (${config.region})` : endpoint,
    ...(server ? { identity: 'embedded' } : endpoint === 'aws' ? { identity: 'aws' } : {}),
    multipartThreshold: config.multipartThreshold,
    multipartPartSize: config.multipartPartSize,
  });
  return {
    store,
    endpoint: store.endpoint,
    embedded: server !== undefined,
    close: async () => {
      client.destroy();
      await server?.stop();
    },
  };
}
