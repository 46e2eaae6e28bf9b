import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { clientTransport, type ClientTransport } from './client';
import { copySource } from './multipart-copy';

/*
 * CopyObject without the SDK's per-request machinery, for the one request a prefix copy
 * sends thousands of times.
 *
 * Why: a server-side copy moves no data through the client, yet the SDK spends about
 * 3.5 ms of CPU per CopyObject (middleware stack, schema serde, endpoint rules, XML
 * parsing; measured with `node --cpu-prof`, see docs/BENCHMARKS.md) where a signed
 * request over a keep-alive socket costs about 1 ms. When client and server share a few
 * cores — a MinIO or RGW beside the job — every millisecond the client burns is taken
 * from the server, and the copy runs up to twice as fast without it.
 *
 * What it keeps from the SDK: the client's own SigV4 signer (credential chain, region),
 * the client's keep-alive agents, and everything that is not a clean success. Any other
 * answer — an error, throttling, a 200 carrying an error document, a reset, a timeout —
 * returns `undefined` and the caller sends the same request through the SDK, which
 * retries, corrects clock skew and turns errors into their usual exceptions. Copies are
 * idempotent, so repeating one is safe.
 *
 * Used only for path-style custom endpoints (MinIO, RGW, s3rver); AWS's own endpoints
 * (virtual-hosted buckets, region rules) stay with the SDK. LAKEVAULT_DIRECT_COPY=off
 * turns it off.
 */

/** One CopyObject to send. */
export interface DirectCopyRequest {
  srcBucket: string;
  srcKey: string;
  dstBucket: string;
  dstKey: string;
  /** Pin: the copy happens only if the source still has this ETag (unquoted). */
  sourceEtag?: string;
}

interface Endpoint {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}

interface Signer {
  sign(request: SignableRequest, options?: object): Promise<SignableRequest>;
}

interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

/** The SDK client's config fields this path reads (all resolved by the SDK itself). */
interface ResolvedConfig {
  isCustomEndpoint?: boolean;
  forcePathStyle?: boolean;
  endpoint?: () => Promise<Endpoint>;
  signer: () => Promise<Signer>;
}

/**
 * A CopyObject has no body, so there is no payload to sign. Declaring it unsigned (valid
 * SigV4 for S3) rather than sending the empty body's SHA-256 cost Ceph RGW about 30 % less
 * CPU per copy when measured (6.8 vs 9.5 ms of server CPU per copy of a 16 KiB object):
 * on a shared machine that is the server's throughput.
 */
const PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Failed direct attempts, before any succeeded, after which the path switches itself off. */
const GIVE_UP_AFTER = 8;
const MAX_RESPONSE = 64 * 1024; // a CopyObjectResult is a few hundred bytes

/** Path segments encoded as the SDK encodes them (RFC 3986: also ! ' ( ) *). */
function encodeKey(key: string): string {
  return key.split('/').map((segment) => encodeURIComponent(segment)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** The new ETag from a CopyObjectResult document, or undefined if the body is anything else. */
export function copyResultEtag(body: string): string | undefined {
  if (!/<CopyObjectResult[\s>]/.test(body)) return undefined;
  const match = /<ETag>([^<]*)<\/ETag>/.exec(body);
  if (!match) return undefined;
  return match[1]!.replace(/&quot;|&#34;|"/g, '');
}

export class DirectCopier {
  private setup: Promise<{ endpoint: Endpoint; signer: Signer }> | undefined;
  private succeeded = false;
  private failuresBeforeSuccess = 0;
  private disabled = false;

  private constructor(private readonly config: ResolvedConfig, private readonly transport: ClientTransport) {}

  /** A copier for this client, or undefined when the client does not qualify (see above). */
  static forClient(client: S3Client): DirectCopier | undefined {
    if (/^(0|off|false|no)$/i.test(process.env.LAKEVAULT_DIRECT_COPY ?? '')) return undefined;
    const transport = clientTransport(client);
    const config = client.config as unknown as ResolvedConfig;
    if (!transport || !config.isCustomEndpoint || !config.forcePathStyle || !config.endpoint) return undefined;
    return new DirectCopier(config, transport);
  }

  /**
   * Sends one CopyObject. Resolves to the new object's ETag (unquoted), or to undefined
   * when the caller must send it through the SDK instead. Never rejects.
   */
  async copy(req: DirectCopyRequest): Promise<string | undefined> {
    if (this.disabled) return undefined;
    const etag = await this.attempt(req);
    if (etag !== undefined) {
      this.succeeded = true;
    } else if (!this.succeeded && ++this.failuresBeforeSuccess >= GIVE_UP_AFTER) {
      // A server that refuses this path outright: stop paying two requests per copy.
      this.disabled = true;
    }
    return etag;
  }

  private async attempt(req: DirectCopyRequest): Promise<string | undefined> {
    try {
      const { endpoint, signer } = await this.resolve();
      const headers: Record<string, string> = {
        host: endpoint.port ? `${endpoint.hostname}:${endpoint.port}` : endpoint.hostname,
        'content-length': '0',
        'x-amz-content-sha256': PAYLOAD,
        'x-amz-copy-source': copySource(req.srcBucket, req.srcKey),
      };
      if (req.sourceEtag) {
        // RGW reads x-amz-copy-if-match (see copy-pinning.ts); S3 and MinIO the standard one.
        headers['x-amz-copy-source-if-match'] = `"${req.sourceEtag}"`;
        headers['x-amz-copy-if-match'] = `"${req.sourceEtag}"`;
      }
      const signed = await signer.sign({
        method: 'PUT',
        protocol: endpoint.protocol,
        hostname: endpoint.hostname,
        ...(endpoint.port ? { port: endpoint.port } : {}),
        path: `${endpoint.path.replace(/\/$/, '')}/${req.dstBucket}/${encodeKey(req.dstKey)}`,
        query: {},
        headers,
      });
      const response = await this.send(endpoint, signed);
      return response.status === 200 ? copyResultEtag(response.body) : undefined;
    } catch {
      return undefined;
    }
  }

  private resolve(): Promise<{ endpoint: Endpoint; signer: Signer }> {
    this.setup ??= (async () => ({ endpoint: await this.config.endpoint!(), signer: await this.config.signer() }))();
    return this.setup;
  }

  private send(endpoint: Endpoint, signed: SignableRequest): Promise<{ status: number; body: string }> {
    const https = endpoint.protocol === 'https:';
    const options: RequestOptions = {
      method: signed.method,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: endpoint.port } : {}),
      path: signed.path,
      headers: signed.headers,
      agent: https ? this.transport.httpsAgent : this.transport.httpAgent,
    };
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_RESPONSE) request.destroy(new Error('response too large for a copy result'));
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      };
      const request: ClientRequest = https ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
      request.setTimeout(this.transport.requestTimeoutMs, () => request.destroy(new Error('request timed out')));
      request.on('error', reject);
      request.end();
    });
  }
}
