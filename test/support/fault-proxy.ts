import { createServer, request as httpRequest, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A fault-injecting HTTP proxy for the reliability tests. It sits on a loopback port
 * between the SDK and a real S3 server and, at seeded rates, answers requests itself or
 * breaks them the ways real networks and servers do:
 *
 *  - slowdown  503 SlowDown (S3's throttling answer), the server never sees the request;
 *  - internal  500 InternalError, the server never sees the request;
 *  - reset     the connection is destroyed — half of the time before the request reaches
 *              the server, half of the time after the server has applied it (the client
 *              cannot tell which: retries must be idempotent);
 *  - stall     the request is held without an answer until the client gives up (its
 *              request timeout), the server never sees it;
 *  - truncate  the server's answer is relayed with its full Content-Length but only half
 *              of the body, then the connection is destroyed (the server applied it).
 *
 * The Host header is passed through unchanged, so SigV4 signatures stay valid. The same
 * seed gives the same sequence of decisions for the same sequence of requests.
 */
export type FaultKind = 'slowdown' | 'internal' | 'reset' | 'stall' | 'truncate';
export const FAULT_KINDS: FaultKind[] = ['slowdown', 'internal', 'reset', 'stall', 'truncate'];

/** Probability per request of each fault (their sum is the total fault rate, at most 1). */
export type FaultRates = Partial<Record<FaultKind, number>>;

/** What a request looks like to the fault selector and the hooks. */
export interface ProxiedRequest {
  /** 1-based arrival order. */
  index: number;
  method: string;
  /** Path and query as sent, e.g. /bucket/key?uploadId=… */
  url: string;
}

export interface FaultProxyOptions {
  /** The real server's origin, e.g. http://127.0.0.1:17480 (plain HTTP). */
  upstream: string;
  seed: number;
  rates?: FaultRates;
  /** Which requests may be faulted (default: all). Others are always forwarded intact. */
  eligible?: (request: ProxiedRequest) => boolean;
  /** Longest a stalled request is held before its socket is destroyed (default 5 min). */
  maxStallMs?: number;
  /**
   * Answers a request itself, in place of the server (e.g. an empty listing: a server that
   * lies). Undefined: the request goes on to the fault draw and the server as usual.
   */
  respond?: (request: ProxiedRequest) => { status: number; body: string } | undefined;
  /** Called as each request arrives, before any decision (the crash harness kills here). */
  onRequest?: (request: ProxiedRequest) => void;
  /** Called when the server's answer to a forwarded request arrives, before it is relayed. */
  onResponse?: (request: ProxiedRequest, status: number) => void;
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  injected: Record<FaultKind, number>;
  /** Faults that hit after the server had applied the request (reset after forward, truncate). */
  afterApplied: number;
  /** Per request kind ("GET list", "PUT", …): requests and faults. */
  byOperation: Record<string, { requests: number; faults: number }>;
  /** Every fault injected, in order (request index, kind, operation). */
  events: { index: number; kind: FaultKind; operation: string }[];
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>: give it to the SDK as the endpoint. */
  readonly endpoint: string;
  readonly stats: FaultStats;
  totalInjected(): number;
  setRates(rates: FaultRates): void;
  close(): Promise<void>;
}

/** mulberry32: a small, fast, seedable PRNG (same seed → same decisions). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A total fault rate split over the kinds. Stalls cost a client timeout each, so they get
 * the smallest share; throttling is the commonest fault real servers answer with.
 */
export function mixedFaults(total: number): FaultRates {
  return { slowdown: total * 0.3, internal: total * 0.2, reset: total * 0.2, truncate: total * 0.2, stall: total * 0.1 };
}

/** A short name for the S3 operation a request is, for the per-operation figures. */
export function operationOf(method: string, url: string): string {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  if (method === 'GET' && /(^|&)list-type=2/.test(query)) return 'ListObjectsV2';
  if (method === 'GET' && /(^|&)uploads(=|&|$)/.test(query)) return 'ListMultipartUploads';
  if (method === 'POST' && /(^|&)delete(=|&|$)/.test(query)) return 'DeleteObjects';
  if (method === 'POST' && /(^|&)uploads(=|&|$)/.test(query)) return 'CreateMultipartUpload';
  if (method === 'POST' && /uploadId=/.test(query)) return 'CompleteMultipartUpload';
  if (method === 'PUT' && /partNumber=/.test(query)) return 'UploadPart';
  if (method === 'DELETE' && /uploadId=/.test(query)) return 'AbortMultipartUpload';
  return method;
}

const errorXml = (code: string, message: string, id: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>lakevault-fault-${id}</RequestId></Error>`;

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`fault proxy: upstream must be plain http, got ${options.upstream}`);
  const random = seededRandom(options.seed);
  let rates: FaultRates = { ...(options.rates ?? {}) };
  const maxStallMs = options.maxStallMs ?? 300_000;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const stats: FaultStats = {
    requests: 0, forwarded: 0, afterApplied: 0, byOperation: {}, events: [],
    injected: { slowdown: 0, internal: 0, reset: 0, stall: 0, truncate: 0 },
  };

  /** One draw per request, always (so the sequence depends only on the seed and request order). */
  function decide(): FaultKind | undefined {
    const draw = random();
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += rates[kind] ?? 0;
      if (draw < edge) return kind;
    }
    return undefined;
  }

  function inject(kind: FaultKind, index: number, operation: string, afterApplied = false): void {
    stats.injected[kind] += 1;
    stats.events.push({ index, kind, operation });
    stats.byOperation[operation]!.faults += 1;
    if (afterApplied) stats.afterApplied += 1;
  }

  /** Reads the request body to its end (a client must be allowed to finish sending). */
  function drain(req: IncomingMessage, then: () => void): void {
    req.on('end', then);
    req.on('error', () => undefined);
    req.resume();
  }

  function answer(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  function forward(req: IncomingMessage, res: ServerResponse, info: ProxiedRequest, fault: FaultKind | undefined, operation: string): void {
    stats.forwarded += 1;
    const outgoing = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: req.headers, // Host included: the signature covers it
      agent,
    }, (incoming) => {
      options.onResponse?.(info, incoming.statusCode ?? 0);
      if (fault === 'reset') {
        inject('reset', info.index, operation, true);
        incoming.resume();
        req.socket.destroy();
        return;
      }
      if (fault === 'truncate') {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const body = Buffer.concat(chunks);
          // Nothing to cut (HEAD, empty answers): the fault becomes a reset after the fact.
          inject(body.length > 1 ? 'truncate' : 'reset', info.index, operation, true);
          if (body.length <= 1) { req.socket.destroy(); return; }
          res.writeHead(incoming.statusCode ?? 500, incoming.headers);
          res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
        });
        return;
      }
      res.writeHead(incoming.statusCode ?? 500, incoming.headers);
      incoming.pipe(res);
    });
    outgoing.on('error', () => { if (!res.headersSent) answer(res, 502, errorXml('BadGateway', 'fault proxy: upstream failed', info.index)); else res.destroy(); });
    req.pipe(outgoing);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    stats.requests += 1;
    const info: ProxiedRequest = { index: stats.requests, method: req.method ?? 'GET', url: req.url ?? '/' };
    const operation = operationOf(info.method, info.url);
    stats.byOperation[operation] ??= { requests: 0, faults: 0 };
    stats.byOperation[operation].requests += 1;
    options.onRequest?.(info);
    const answered = options.respond?.(info);
    if (answered) {
      stats.byOperation[operation].faults += 1;
      drain(req, () => answer(res, answered.status, answered.body));
      return;
    }
    const drawn = decide();
    const fault = drawn && (options.eligible?.(info) ?? true) ? drawn : undefined;
    switch (fault) {
      case 'slowdown':
        inject(fault, info.index, operation);
        drain(req, () => answer(res, 503, errorXml('SlowDown', 'Please reduce your request rate.', info.index)));
        return;
      case 'internal':
        inject(fault, info.index, operation);
        drain(req, () => answer(res, 500, errorXml('InternalError', 'We encountered an internal error. Please try again.', info.index)));
        return;
      case 'stall': {
        inject(fault, info.index, operation);
        req.resume();
        const timer = setTimeout(() => req.socket.destroy(), maxStallMs);
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
      case 'reset':
        if (random() < 0.5) {
          inject(fault, info.index, operation);
          req.socket.destroy();
          return;
        }
        forward(req, res, info, 'reset', operation); // after the server applied it
        return;
      default:
        forward(req, res, info, fault, operation);
    }
  }

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('fault proxy: no address');

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stats,
    totalInjected: () => FAULT_KINDS.reduce((sum, kind) => sum + stats.injected[kind], 0),
    setRates(next) { rates = { ...next }; },
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      server.close(() => resolve());
    }),
  };
}
