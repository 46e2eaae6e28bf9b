import { resolveEndpoint } from '../../src/config/endpoints';
import { openEndpoint, type OpenStore } from '../../src/store/open';
import { testConfig } from './target';

/**
 * The second S3 server tests use as another site: LAKEVAULT_TEST_OFFSITE_ENDPOINT with its
 * keys (CI's second RGW cluster, or the second embedded server global-setup starts beside
 * the embedded one). Which server it is: LAKEVAULT_TEST_OFFSITE_TARGET (rgw, embedded…).
 */
export const OFFSITE_TARGET = process.env.LAKEVAULT_TEST_OFFSITE_TARGET ?? (process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT ? 'custom' : 'none');

/** Why the off-site tests cannot run here, or undefined when they can. */
export function offsiteMissing(): string | undefined {
  if (process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT) return undefined;
  return 'no second S3 server: set LAKEVAULT_TEST_OFFSITE_ENDPOINT, _ACCESS_KEY_ID and _SECRET_ACCESS_KEY (CI starts a second RGW cluster; on the embedded default a second embedded server is started)';
}

/** `describe` when an off-site server exists; otherwise a skipped block whose reason is printed. */
export function describeWithOffsite(name: string, body: () => void): void {
  const missing = offsiteMissing();
  if (!missing) { describe(name, body); return; }
  process.stdout.write(`skipped: "${name}": ${missing}\n`);
  describe.skip(`${name} [skipped: ${missing}]`, body);
}

/** Opens the off-site server as lakevault would open an off-site location given by variables. */
export async function openOffsiteStore(): Promise<OpenStore> {
  const resolved = await resolveEndpoint({
    source: 'LAKEVAULT_TEST_OFFSITE_*',
    endpoint: process.env.LAKEVAULT_TEST_OFFSITE_ENDPOINT!,
    credentials: { accessKeyId: process.env.LAKEVAULT_TEST_OFFSITE_ACCESS_KEY_ID!, secretAccessKey: process.env.LAKEVAULT_TEST_OFFSITE_SECRET_ACCESS_KEY! },
  });
  return openEndpoint(resolved, testConfig());
}
