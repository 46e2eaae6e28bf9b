import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface ClientSettings {
  /** undefined or 'aws' = the SDK's own AWS endpoint resolution. */
  endpoint?: string;
  forcePathStyle: boolean;
  region: string;
  caBundle?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  profile?: string;
  /** Sockets kept per host: sized to the number of requests in flight. */
  concurrency: number;
  maxAttempts: number;
  requestTimeoutMs: number;
  /** Off only for tests that inspect certificates themselves. */
  rejectUnauthorized?: boolean;
}

/**
 * What a client was built with that the SDK does not expose again: its keep-alive agents
 * and request timeout. The direct CopyObject path (direct-copy.ts) sends over the same
 * sockets, so a prefix copy keeps one pool of connections sized to its concurrency.
 */
export interface ClientTransport {
  httpAgent: HttpAgent;
  httpsAgent: HttpsAgent;
  requestTimeoutMs: number;
}

const transports = new WeakMap<S3Client, ClientTransport>();

/** The transport of a client made by createS3Client (undefined for any other client). */
export function clientTransport(client: S3Client): ClientTransport | undefined {
  return transports.get(client);
}

/**
 * Builds the one S3Client a run uses.
 *
 * Checksums: since v3.729 the SDK sends CRC32 trailers (aws-chunked) on every upload.
 * Ceph RGW answers 411 to streamed bodies framed that way and the JS servers mis-store
 * them, so checksums are computed only where the API requires them (DeleteObjects).
 * lakevault proves integrity with its own content digests instead.
 */
export function createS3Client(settings: ClientSettings): S3Client {
  const sockets = Math.max(8, settings.concurrency + 8);
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    maxSockets: sockets,
    ...(settings.caBundle ? { ca: settings.caBundle } : {}),
    ...(settings.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  });
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: settings.maxAttempts,
    retryMode: 'standard',
    requestHandler: new NodeHttpHandler({
      httpAgent,
      httpsAgent,
      connectionTimeout: Math.min(10_000, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
      // Without this the handler only logs a warning when the timeout passes and the
      // request waits forever on a server that accepted the connection and never answers.
      throwOnRequestTimeout: true,
    }),
  };
  if (settings.endpoint && settings.endpoint !== 'aws') config.endpoint = settings.endpoint;
  if (settings.credentials) config.credentials = settings.credentials;
  if (settings.profile && !settings.credentials) config.profile = settings.profile;
  const client = new S3Client(config);
  transports.set(client, { httpAgent, httpsAgent, requestTimeoutMs: settings.requestTimeoutMs });
  return client;
}
