import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer, EMBEDDED_CREDENTIALS } from '../../src/store/embedded/embedded-server';
import { loadMinio } from '../../src/testing/minio-loader';

/**
 * Resolves the S3 server the whole suite runs against, in this order, and prints it (and the
 * off-site endpoint: LAKEVAULT_TEST_OFFSITE_* when set, a second embedded server beside the
 * embedded one):
 *   1. S3_ENDPOINT if set (CI sets it to the project's Ceph RGW);
 *   2. MinIO via testcontainers when a Docker engine answers, unless
 *      LAKEVAULT_TEST_TARGET=embedded asks for the embedded server (CI's other Node lines);
 *   3. the embedded server.
 * The choice reaches the test files through environment variables.
 */
export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (process.env.S3_ENDPOINT) {
    // .ci/run (and anyone pointing the suite at a known server) says what it is with
    // LAKEVAULT_TEST_TARGET=rgw|minio; otherwise the standard RGW port is recognised.
    process.env.LAKEVAULT_TEST_TARGET ||= /:17480$/.test(process.env.S3_ENDPOINT) ? 'rgw' : 'custom';
    report(`S3_ENDPOINT ${process.env.S3_ENDPOINT} (${process.env.LAKEVAULT_TEST_TARGET})`);
    return;
  }
  if (process.env.LAKEVAULT_TEST_TARGET !== 'embedded' && dockerAnswers()) {
    const { MinioContainer } = await loadMinio();
    const container = await new MinioContainer('minio/minio:RELEASE.2025-04-22T22-12-26Z').start();
    (globalThis as Record<string, unknown>).__lakevaultStop = () => container.stop();
    process.env.S3_ENDPOINT = container.getConnectionUrl();
    process.env.AWS_ACCESS_KEY_ID = container.getUsername();
    process.env.AWS_SECRET_ACCESS_KEY = container.getPassword();
    process.env.S3_FORCE_PATH_STYLE = 'true';
    process.env.LAKEVAULT_TEST_TARGET = 'minio';
    report(`MinIO via testcontainers at ${process.env.S3_ENDPOINT}`);
    return;
  }
  const home = mkdtempSync(join(tmpdir(), 'lakevault-test-'));
  const server = await startEmbeddedServer(home);
  // A second embedded server stands for another site (copies between endpoints, off-site backups).
  const offsite = await startEmbeddedServer(join(home, 'offsite'));
  (globalThis as Record<string, unknown>).__lakevaultStop = () => Promise.all([server.stop(), offsite.stop()]);
  setOffsite(offsite.endpoint, EMBEDDED_CREDENTIALS, 'embedded');
  process.env.S3_ENDPOINT = server.endpoint;
  process.env.AWS_ACCESS_KEY_ID = EMBEDDED_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = EMBEDDED_CREDENTIALS.secretAccessKey;
  process.env.S3_FORCE_PATH_STYLE = 'true';
  process.env.LAKEVAULT_TEST_TARGET = 'embedded';
  report(`embedded server at ${server.endpoint} (no S3_ENDPOINT, no Docker engine); another at ${offsite.endpoint} stands for an off-site endpoint`);
}

/** The off-site endpoint tests read (test/support/offsite.ts); CI's RGW run sets these for its second cluster. */
function setOffsite(endpoint: string, keys: { accessKeyId: string; secretAccessKey: string }, target: string): void {
  process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT = endpoint;
  process.env.LAKEVAULT_TEST_OFFSITE_ACCESS_KEY_ID = keys.accessKeyId;
  process.env.LAKEVAULT_TEST_OFFSITE_SECRET_ACCESS_KEY = keys.secretAccessKey;
  process.env.LAKEVAULT_TEST_OFFSITE_TARGET = target;
}

function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function report(line: string): void {
  process.stdout.write(`\nlakevault tests: S3 target = ${line}\n`);
}
