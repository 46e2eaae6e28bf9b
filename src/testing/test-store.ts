import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmbeddedServer, EMBEDDED_CREDENTIALS } from '../store/embedded/embedded-server';
import { loadMinio } from './minio-loader';

/** A running S3 endpoint for a test suite, and how to reach it. */
export interface TestStore {
  kind: 'minio' | 'embedded';
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The variables that point lakevault (and most S3 tools) at this store. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface StartTestStoreOptions {
  /** 'auto' (default): MinIO via testcontainers when a Docker engine answers, else embedded. */
  prefer?: 'auto' | 'minio' | 'embedded';
  /** MinIO image for testcontainers. */
  minioImage?: string;
}

const DEFAULT_MINIO_IMAGE = 'minio/minio:RELEASE.2025-04-22T22-12-26Z';

/**
 * Starts an S3 endpoint for tests: MinIO in a container when Docker is usable (needs the
 * optional peer dependencies testcontainers and @testcontainers/minio), otherwise
 * lakevault's embedded server in a temporary directory. Always pair with stop().
 */
export async function startTestStore(options: StartTestStoreOptions = {}): Promise<TestStore> {
  const prefer = options.prefer ?? 'auto';
  if (prefer === 'minio' || (prefer === 'auto' && (await dockerAnswers()))) {
    return startMinio(options.minioImage ?? DEFAULT_MINIO_IMAGE);
  }
  const home = mkdtempSync(join(tmpdir(), 'lakevault-teststore-'));
  const server = await startEmbeddedServer(home);
  return describe('embedded', server.endpoint, EMBEDDED_CREDENTIALS.accessKeyId, EMBEDDED_CREDENTIALS.secretAccessKey, async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  });
}

async function startMinio(image: string): Promise<TestStore> {
  const { MinioContainer } = await loadMinio();
  const container = await new MinioContainer(image).start();
  return describe('minio', container.getConnectionUrl(), container.getUsername(), container.getPassword(), async () => { await container.stop(); });
}

function describe(kind: TestStore['kind'], endpoint: string, accessKeyId: string, secretAccessKey: string, stop: () => Promise<void>): TestStore {
  const region = 'us-east-1';
  return {
    kind, endpoint, accessKeyId, secretAccessKey, region,
    env: {
      S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: region,
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop,
  };
}

async function dockerAnswers(): Promise<boolean> {
  try {
    await promisify(execFile)('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
