import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { StandardRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentityProvider, RetryErrorInfo, RetryStrategyV2, StandardRetryToken } from '@smithy/types';

export interface ClientSettings {
  /** undefined or 'aws' = the SDK's own AWS endpoint resolution. */
  endpoint?: string;
  forcePathStyle: boolean;
  region: string;
  caBundle?: string;
  /** Static keys, or a provider (a profile's, from the SDK's fromIni); otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | AwsCredentialIdentityProvider;
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
 * The SDK's standard retries — which errors, how many attempts, the backoff — with the
 * retry quota kept per request instead of per client.
 *
 * Why: the standard strategy keeps one bucket of 500 retry tokens per client; a retry
 * costs 14 (5 when throttled) and a success gives back only 1. Measured through the fault
 * proxy at a 30 % fault rate, a few hundred requests empty it (500 → 7 after ~300), and from
 * then on every fault fails its request at the FIRST attempt: HEADs, listings and copy
 * parts alike (multipart copies, at ~5 requests an object, get there first). The SDK has
 * no setting for the quota, so each request gets a fresh standard strategy; it still stops
 * after maxAttempts, with the SDK's own backoff (1 s base when throttled).
 */
class PerRequestRetryQuota implements RetryStrategyV2 {
  private readonly strategies = new WeakMap<StandardRetryToken, StandardRetryStrategy>();

  constructor(private readonly maxAttempts: number) {}

  async acquireInitialRetryToken(scope: string): Promise<StandardRetryToken> {
    const strategy = new StandardRetryStrategy(this.maxAttempts);
    const token = await strategy.acquireInitialRetryToken(scope);
    this.strategies.set(token, strategy);
    return token;
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    const strategy = this.strategies.get(token)!;
    const next = await strategy.refreshRetryTokenForRetry(token, errorInfo);
    this.strategies.set(next, strategy);
    return next;
  }

  recordSuccess(token: StandardRetryToken): void {
    this.strategies.get(token)?.recordSuccess(token);
  }
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
    retryStrategy: new PerRequestRetryQuota(settings.maxAttempts),
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
  const client = new S3Client(config);
  transports.set(client, { httpAgent, httpsAgent, requestTimeoutMs: settings.requestTimeoutMs });
  return client;
}
