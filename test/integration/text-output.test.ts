import type { OpenStore } from '../../src/store/open';
import { openTestStore, TARGET } from '../support/target';
import { cliWith, testBuckets } from './backup-support';

jest.setTimeout(300_000);

/** Text output is for people: counts agree with their nouns and carry thousands separators. */
describe(`text output on ${TARGET}`, () => {
  const env = testBuckets('textout');
  const lakevault = cliWith(env);
  let open: OpenStore;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await env.cleanup(open); await open.close(); });

  it('one file, one object, one request: singular; 12,000 rows: separated', async () => {
    const created = await lakevault('table', 'create', 'single', '--rows', '12000');
    expect(created.stdout).toMatch(/: 12,000 rows in 1 file \(/);
    const backup = await lakevault('backup', 'create', 'single');
    expect(backup.stdout).toMatch(/12,000 rows, 1 object \(/);
    expect(backup.stdout).not.toMatch(/\b1 (objects|files|requests)\b/);
    const shown = await lakevault('table', 'inspect', 'single');
    expect(shown.stdout).not.toMatch(/\b1 (objects|files)\b/);
  });

  it('a comparison of tables of different sizes says so with formatted numbers', async () => {
    await lakevault('table', 'create', 'bigger', '--rows', '50000');
    const compared = await lakevault('--json', 'validate', 'single', 'bigger');
    expect(compared.code).toBe(1);
    expect(compared.json.differences.map((d: { message: string }) => d.message)).toContain('a has 12,000 rows, b has 50,000');
  });
});
