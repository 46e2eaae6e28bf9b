import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Runs the real CLI (`node bin/lakevault.js …`, the built dist/: build first) as a child
 * process in a sealed environment: an empty working directory (no .env) and an empty HOME
 * (no ~/.aws), and only the variables the test passes. What the CLI sees is what the test
 * says it sees, not whatever the developer's shell holds.
 */

export const BIN = resolve(__dirname, '../../bin/lakevault.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON document; undefined when it is empty or not one JSON document. */
  json: any;
}

export interface CliOptions {
  /** The child's environment besides PATH, HOME and LAKEVAULT_HOME; an undefined value is left out. */
  env?: Record<string, string | undefined>;
  /** Working directory and HOME (default: one empty directory, made once per test file). */
  home?: string;
  /** The child is killed after this long (code null then). */
  timeoutMs?: number;
}

/** The variables through which the CLI finds the suite's S3 target (exported by global-setup). */
const TARGET_VARIABLES = ['S3_ENDPOINT', 'S3_FORCE_PATH_STYLE', 'S3_CA_BUNDLE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'];

/** The suite's S3 target, as the CLI reads it from the environment. */
export function targetEnv(): Record<string, string> {
  return Object.fromEntries(TARGET_VARIABLES.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]!]));
}

/** A new empty directory to serve as a CLI child's working directory and HOME. */
export function emptyHome(label = 'cli'): string {
  return mkdtempSync(join(tmpdir(), `lakevault-${label}-`));
}

let defaultHome: string | undefined;

function parseJson(stdout: string): unknown {
  try {
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `lakevault ...args` to its end; no stdin. */
export function runLakevault(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const home = options.home ?? (defaultHome ??= emptyHome());
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, LAKEVAULT_HOME: join(home, '.lakevault'), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr, json: parseJson(stdout) }));
  });
}
