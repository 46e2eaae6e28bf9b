import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { StoreError } from '../../errors';

/** The embedded server's fixed keys: it accepts any, these are what the client signs with. */
export const EMBEDDED_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface EmbeddedServer {
  endpoint: string;
  directory: string;
  stop(): Promise<void>;
}

const SCRIPT = join(__dirname, 'server-process.js');

/**
 * Starts the embedded S3 server on 127.0.0.1 (a free port) with its data under
 * `home/s3`, as a child process (it needs a Node flag that cannot be set at run time).
 */
export async function startEmbeddedServer(home: string, port = 0): Promise<EmbeddedServer> {
  const directory = join(home, 's3');
  mkdirSync(directory, { recursive: true });
  const child = spawn(process.execPath, ['--openssl-legacy-provider', SCRIPT, directory, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const actualPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreError(`embedded S3 server did not start within 15 s${stderr ? `: ${stderr.trim()}` : ''}`)), 15_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^READY (\d+)$/.exec(line);
      if (match) { clearTimeout(timer); resolve(Number(match[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new StoreError(`embedded S3 server exited (${code})${stderr ? `: ${stderr.trim()}` : ''}`)); });
  });
  child.removeAllListeners('exit');
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return { endpoint: `http://127.0.0.1:${actualPort}`, directory, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}
