import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** What startTestStore uses of @testcontainers/minio. */
export interface MinioModule {
  MinioContainer: new (image: string) => {
    start(): Promise<{ getConnectionUrl(): string; getUsername(): string; getPassword(): string; stop(): Promise<unknown> }>;
  };
}

const PEERS = ['testcontainers', '@testcontainers/minio'] as const;

/**
 * Loads testcontainers' MinIO module, an optional peer dependency. When it cannot be
 * loaded the error says why: which package is not installed, or — when both are
 * installed — the error the import threw, the installed versions and what they declare
 * they need (testcontainers 12 needs Node 22: on Node 20 it fails to import).
 */
export async function loadMinio(load: () => Promise<unknown> = () => import('@testcontainers/minio')): Promise<MinioModule> {
  try {
    return (await load()) as MinioModule;
  } catch (error) {
    const missing = missingPeer(error);
    const message = missing
      ? `startTestStore: MinIO needs the packages testcontainers and @testcontainers/minio (${installHint()}); ${missing} is not installed`
      : `startTestStore: @testcontainers/minio is installed but failed to load on Node ${process.version}: ${describeError(error)}${installedNote()}`;
    throw new Error(message, { cause: error });
  }
}

/** The peer a "module not found" error names, if it is one of ours (not a file inside one, not a dependency of one). */
function missingPeer(error: unknown): string | undefined {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const named = /Cannot find (?:package|module) '([^']+)'/.exec(message ?? '')?.[1];
  return PEERS.find((peer) => peer === named);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${error.name}: ${error.message.split('\n')[0]}`;
}

/** Installed versions of the peers and the Node versions they declare, e.g. " (installed: testcontainers 12.2.0, needs node >= 22.22; ...)". */
function installedNote(): string {
  const found = PEERS.flatMap((peer) => {
    const manifest = readManifest(peer);
    if (!manifest) return [];
    return [`${peer} ${manifest.version}${manifest.engines?.node ? `, needs node ${manifest.engines.node}` : ''}`];
  });
  const installed = found.length ? `installed: ${found.join('; ')}. ` : '';
  return ` (${installed}lakevault works with ${installHint()})`;
}

function readManifest(name: string): { version?: string; engines?: { node?: string } } | undefined {
  try {
    // The manifest of the copy this module would load: resolved from here, not from the working directory.
    const path = createRequire(__filename).resolve(`${name}/package.json`);
    return JSON.parse(readFileSync(path, 'utf8')) as { version?: string; engines?: { node?: string } };
  } catch {
    return undefined;
  }
}

/** The install command for the peer range lakevault declares (package.json), so the message never drifts from it. */
function installHint(): string {
  const peers = (require('../../package.json') as { peerDependencies?: Record<string, string> }).peerDependencies ?? {};
  return `npm i -D ${PEERS.map((peer) => `${peer}@'${peers[peer] ?? '*'}'`).join(' ')}`;
}
