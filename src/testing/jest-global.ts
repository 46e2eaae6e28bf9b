import { startTestStore, type StartTestStoreOptions, type TestStore } from './test-store';

const KEY = '__lakevaultTestStore';

/**
 * A jest globalSetup: starts a test store (MinIO via testcontainers when Docker answers,
 * else the embedded server) and exports its S3_ENDPOINT and keys to the environment the
 * test workers inherit. When S3_ENDPOINT is already set (CI pointing at a real server),
 * it starts nothing and uses that.
 *
 *   // jest.config.js
 *   module.exports = {
 *     globalSetup: 'lakevault/testing/global-setup',
 *     globalTeardown: 'lakevault/testing/global-teardown',
 *   };
 */
export async function globalSetup(options: StartTestStoreOptions = {}): Promise<void> {
  if (process.env.S3_ENDPOINT) return;
  const store = await startTestStore(options);
  Object.assign(process.env, store.env);
  (globalThis as Record<string, unknown>)[KEY] = store;
}

/** The matching globalTeardown: stops what globalSetup started. */
export async function globalTeardown(): Promise<void> {
  const store = (globalThis as Record<string, unknown>)[KEY] as TestStore | undefined;
  if (!store) return;
  delete (globalThis as Record<string, unknown>)[KEY];
  for (const name of Object.keys(store.env)) delete process.env[name];
  await store.stop();
}
