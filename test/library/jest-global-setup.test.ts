/**
 * The documented jest pair — globalSetup: 'lakevault/testing/global-setup',
 * globalTeardown: 'lakevault/testing/global-teardown' — starts a store the suite can use,
 * exports it through the environment, and stops it. Here Docker does not answer, so the
 * store is the embedded server (with Docker it would be MinIO).
 */
import { Lakevault } from 'lakevault';

const VARIABLES = ['S3_ENDPOINT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'S3_FORCE_PATH_STYLE'];

describe('lakevault/testing jest globalSetup and globalTeardown', () => {
  const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  beforeAll(() => { for (const name of VARIABLES) delete process.env[name]; });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  });

  it('starts a store, exports it to the environment, and stops it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const setup = require('lakevault/testing/global-setup') as () => Promise<void>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const teardown = require('lakevault/testing/global-teardown') as () => Promise<void>;
    await setup();
    const endpoint = process.env.S3_ENDPOINT;
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env.AWS_ACCESS_KEY_ID).toBeTruthy();

    const lv = await Lakevault.open({ warehouse: 's3://global-setup-lake/warehouse' });
    try {
      expect(lv.endpoint).toBe(endpoint);
      expect(lv.embedded).toBe(false); // the suite's store, not one the client started
      const created = await lv.table.create('t', { rows: 100 });
      expect((await lv.table.list()).tables.map((t) => t.name)).toEqual(['t']);
      expect(created.rows).toBe(100);
    } finally {
      await lv.close();
    }

    await teardown();
    expect(process.env.S3_ENDPOINT).toBeUndefined();
    await expect(fetch(endpoint!)).rejects.toThrow(); // the server is gone
  });
});
