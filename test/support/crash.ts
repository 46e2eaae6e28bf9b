import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startFaultProxy, seededRandom, type FaultProxy } from './fault-proxy';

/**
 * Runs the real CLI (`node bin/lakevault.js …`, the built dist/) as a child process, and
 * kills it with SIGKILL at seeded random moments. A "moment" is a request boundary: the
 * CLI talks to the server through a fault proxy (injecting nothing), which counts its
 * requests; the child is killed when request number N arrives (before the server sees
 * it) or when the server's answer to it arrives (the server applied it, the client never
 * learns). N is drawn from the number of requests a full, unkilled run of the same
 * command made, so kills land anywhere from the first request to the last.
 */

export const CLI = join(__dirname, '..', '..', 'bin', 'lakevault.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function collect(child: ChildProcess, started: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started }));
  });
}

/** The environment a CLI child gets: the suite's (S3 target, credentials) plus overrides; undefined removes. */
export function cliEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `lakevault <args>` to its end (or kills it after timeoutMs: a hang is a failure the caller sees). */
export function runCli(args: string[], env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliResult> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], { env: cliEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return collect(child, started).finally(() => clearTimeout(timer));
}

export interface KillPoint {
  /** Kill when this request (1-based) arrives or is answered. */
  request: number;
  when: 'before-request' | 'after-applied';
}

export interface CrashOutcome extends CliResult {
  killed: boolean;
  at: KillPoint;
  /** Requests the child made before it died. */
  requests: number;
}

/** Draws kill points from a seed: uniform over 1..requests, before or after the server applied it. */
export function killPoints(seed: number, requests: number, count: number): KillPoint[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    request: 1 + Math.floor(random() * Math.max(1, requests)),
    when: random() < 0.5 ? 'before-request' as const : 'after-applied' as const,
  }));
}

/**
 * Runs `lakevault <args>` through a counting proxy and kills it with SIGKILL at the kill
 * point. `killed` is false when the command finished before reaching it.
 */
export async function runCliKilledAt(args: string[], env: Record<string, string | undefined>, upstream: string, at: KillPoint, timeoutMs = 60_000): Promise<CrashOutcome> {
  let child: ChildProcess | undefined;
  let killed = false;
  const kill = (index: number, point: KillPoint['when']) => {
    if (!killed && index === at.request && point === at.when && child) {
      killed = child.kill('SIGKILL');
    }
  };
  const proxy: FaultProxy = await startFaultProxy({
    upstream,
    seed: 0,
    onRequest: (request) => kill(request.index, 'before-request'),
    onResponse: (request) => kill(request.index, 'after-applied'),
    // A request that reaches the proxy once the child is dead (the kill point itself when it
    // is before-request, or one the child had queued) never reaches the server: otherwise it
    // could land after the test has started checking what the kill left.
    respond: () => (killed ? { status: 503, body: '<Error><Code>ServiceUnavailable</Code><Message>the client was killed</Message></Error>' } : undefined),
  });
  try {
    const started = Date.now();
    child = spawn(process.execPath, [CLI, ...args], { env: cliEnv({ ...env, S3_ENDPOINT: proxy.endpoint }), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child!.kill('SIGKILL'), timeoutMs);
    const result = await collect(child, started).finally(() => clearTimeout(timer));
    return { ...result, killed, at, requests: proxy.stats.requests };
  } finally {
    await proxy.close();
  }
}

/** Runs the command once through a counting proxy: its exit and how many requests it made. */
export async function countRequests(args: string[], env: Record<string, string | undefined>, upstream: string): Promise<CliResult & { requests: number }> {
  const proxy = await startFaultProxy({ upstream, seed: 0 });
  try {
    const result = await runCli(args, { ...env, S3_ENDPOINT: proxy.endpoint });
    return { ...result, requests: proxy.stats.requests };
  } finally {
    await proxy.close();
  }
}
