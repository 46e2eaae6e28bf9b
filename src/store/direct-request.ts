import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { clientTransport, type ClientTransport } from './client';
import type { SizedStream } from './types';

export type { SizedStream } from './types';

/*
 * Signed S3 requests without the SDK's per-request machinery, for the two requests lakevault
 * sends by the thousand: CopyObject (direct-copy.ts) and ranged GetObject (direct-read.ts).
 *
 * Why: the SDK spends one to three milliseconds of CPU per request on its middleware stack,
 * schema serde, endpoint rules and body collection (measured with `node --cpu-prof`, see
 * docs/BENCHMARKS.md) where a signed request over a keep-alive socket costs a fraction of
 * that. When client and server share a few cores — a MinIO or RGW beside the job — every
 * millisecond the client burns is taken from the server.
 *
 * What it keeps from the SDK: the client's own SigV4 signer (credential chain, region) and
 * its keep-alive agents. Callers treat anything but a clean success as "send it again
 * through the SDK", which retries, corrects clock skew and turns errors into its usual
 * exceptions; both requests are idempotent, so repeating one is safe.
 *
 * Used only for path-style custom endpoints (MinIO, RGW, s3rver); AWS's own endpoints
 * (virtual-hosted buckets, region rules) stay with the SDK.
 */

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
 * These requests carry no body, so there is no payload to sign. Declaring it unsigned
 * (valid SigV4 for S3) rather than sending the empty body's SHA-256 cost Ceph RGW about
 * 30 % less CPU per copy when measured (6.8 vs 9.5 ms of server CPU per 16 KiB copy).
 */
const PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface DirectRequest {
  method: 'GET' | 'PUT';
  bucket: string;
  key: string;
  /** Query parameters (signed), e.g. an UploadPart's partNumber and uploadId. */
  query?: Record<string, string>;
  headers: Record<string, string>;
  /** A PUT's body: bytes, or a stream of exactly `length` bytes (sent as it arrives). */
  body?: Uint8Array | SizedStream;
  /** Answers longer than this are cut off and fail (the caller then uses the SDK). */
  maxBodyBytes: number;
  /**
   * A successful answer's exact length, when known (a ranged GET): its body is read into one
   * buffer of that size instead of chunks joined at the end, which would hold it twice.
   */
  expectBytes?: number;
}

export interface DirectResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** An answer whose body is left to the caller to read (a GET streamed into a PUT). */
export interface DirectStreamResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
}

/** Path segments encoded as the SDK encodes them (RFC 3986: also ! ' ( ) *). */
export function encodeKey(key: string): string {
  return key.split('/').map((segment) => encodeURIComponent(segment)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

/** True when LAKEVAULT_DIRECT_<what> turns this direct path off. */
export function switchedOff(variable: string): boolean {
  return /^(0|off|false|no)$/i.test(process.env[variable] ?? '');
}

/** Failed direct attempts, before any succeeded, after which a direct path switches itself off. */
const GIVE_UP_AFTER = 8;

/**
 * Runs a direct path's attempts, and closes it for good when its first attempts all fail:
 * a server that refuses it outright must not cost two requests for every one.
 */
export class GiveUpGate {
  private succeeded = false;
  private failures = 0;
  private open = true;

  /** The attempt's result; undefined (send it through the SDK) when closed, failed or thrown. */
  async run<T>(attempt: () => Promise<T | undefined>): Promise<T | undefined> {
    if (!this.open) return undefined;
    const result = await attempt().catch(() => undefined);
    if (result !== undefined) this.succeeded = true;
    else if (!this.succeeded && ++this.failures >= GIVE_UP_AFTER) this.open = false;
    return result;
  }
}

export class DirectRequests {
  private setup: Promise<{ endpoint: Endpoint; signer: Signer }> | undefined;

  private constructor(private readonly config: ResolvedConfig, private readonly transport: ClientTransport) {}

  /** Requests for this client, or undefined when the client does not qualify (see above). */
  static forClient(client: S3Client): DirectRequests | undefined {
    const transport = clientTransport(client);
    const config = client.config as unknown as ResolvedConfig;
    if (!transport || !config.isCustomEndpoint || !config.forcePathStyle || !config.endpoint) return undefined;
    return new DirectRequests(config, transport);
  }

  /** Signs and sends one request; rejects on network errors, timeouts and oversized answers. */
  async send(req: DirectRequest): Promise<DirectResponse> {
    const response = await this.open(req);
    return collect(response, req.maxBodyBytes, req.expectBytes);
  }

  /**
   * Signs and sends one request and resolves once the answer's headers arrive, its body
   * unread: the caller reads or destroys it. Rejects on network errors and timeouts.
   */
  async open(req: DirectRequest): Promise<DirectStreamResponse> {
    const { endpoint, signer } = await this.resolve();
    const length = req.body === undefined ? 0 : req.body instanceof Uint8Array ? req.body.length : req.body.length;
    const signed = await signer.sign({
      method: req.method,
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: endpoint.port } : {}),
      path: `${endpoint.path.replace(/\/$/, '')}/${req.bucket}/${encodeKey(req.key)}`,
      query: req.query ?? {},
      headers: {
        host: endpoint.port ? `${endpoint.hostname}:${endpoint.port}` : endpoint.hostname,
        'x-amz-content-sha256': PAYLOAD,
        ...(req.method === 'PUT' ? { 'content-length': String(length) } : {}),
        ...req.headers,
      },
    });
    return this.transmit(endpoint, signed, req.body);
  }

  private resolve(): Promise<{ endpoint: Endpoint; signer: Signer }> {
    this.setup ??= (async () => ({ endpoint: await this.config.endpoint!(), signer: await this.config.signer() }))();
    return this.setup;
  }

  private transmit(endpoint: Endpoint, signed: SignableRequest, body: DirectRequest['body']): Promise<DirectStreamResponse> {
    const https = endpoint.protocol === 'https:';
    const query = new URLSearchParams(signed.query).toString();
    const options: RequestOptions = {
      method: signed.method,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: endpoint.port } : {}),
      path: query ? `${signed.path}?${query}` : signed.path,
      headers: signed.headers,
      agent: https ? this.transport.httpsAgent : this.transport.httpAgent,
    };
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      const request: ClientRequest = https ? httpsRequest(options, onResponse) : httpRequest(options, onResponse);
      request.setTimeout(this.transport.requestTimeoutMs, () => request.destroy(new Error('request timed out')));
      request.on('error', reject);
      if (body === undefined) request.end();
      else if (body instanceof Uint8Array) request.end(body);
      else {
        // A source that fails mid-stream fails this request too (its length would be short).
        body.stream.once('error', (error) => request.destroy(error));
        body.stream.pipe(request);
      }
    });
  }
}

/** Reads a whole answer; bodies past `maxBodyBytes` (or past `expectBytes` on a success) fail. */
function collect(response: DirectStreamResponse, maxBodyBytes: number, expectBytes?: number): Promise<DirectResponse> {
  const { status, headers, body: res } = response;
  const whole = expectBytes !== undefined && status >= 200 && status < 300 ? Buffer.allocUnsafe(expectBytes) : undefined;
  const limit = whole ? whole.length : maxBodyBytes;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    res.on('data', (chunk: Buffer) => {
      if (length + chunk.length > limit) { res.destroy(new Error('answer larger than expected')); return; }
      if (whole) chunk.copy(whole, length);
      else chunks.push(chunk);
      length += chunk.length;
    });
    res.on('end', () => resolve({ status, headers, body: whole ? whole.subarray(0, length) : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length) }));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('answer cut short')));
  });
}
