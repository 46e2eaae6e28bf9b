import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, TARGET } from '../support/target';
import { emptyHome, runLakevault, targetEnv, type CliRun as Run } from '../support/cli';
import type { OpenStore } from '../../src/store/open';

/** A working directory without .env and a HOME without ~/.aws: only what a test passes counts. */
const EMPTY = emptyHome('cli');

/** Runs `node bin/lakevault.js ...args` with exactly `env` (plus PATH); no stdin. */
function cli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  return runLakevault(args, { env, home: EMPTY });
}

function oneErrorLine(run: Run, pattern: RegExp): void {
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^lakevault: error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('CLI configuration errors: one line, exit 2, before any request', () => {
  it('a malformed S3_ENDPOINT', async () => {
    const run = await cli(['table', 'list'], { S3_ENDPOINT: 'http//127.0.0.1:9000', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    expect(run.code).toBe(2);
    oneErrorLine(run, /S3_ENDPOINT/);
    expect(run.stdout).toBe('');
  });

  it('an unreadable S3_CA_BUNDLE', async () => {
    const run = await cli(['table', 'list'], { S3_ENDPOINT: 'https://127.0.0.1:1', S3_CA_BUNDLE: join(EMPTY, 'no-such-ca.pem'), AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    expect(run.code).toBe(2);
    oneErrorLine(run, /S3_CA_BUNDLE: cannot read .*no-such-ca\.pem/);
  });

  it('no credentials for a non-embedded endpoint (nothing listens there: a request would fail with exit 1)', async () => {
    const run = await cli(['table', 'list'], { S3_ENDPOINT: 'http://127.0.0.1:1' });
    expect(run.code).toBe(2);
    oneErrorLine(run, /no credentials for http:\/\/127\.0\.0\.1:1/);
  });

  it('with --json the configuration error is one JSON document', async () => {
    const run = await cli(['--json', 'table', 'list'], { S3_ENDPOINT: 'ftp://x' });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({ schemaVersion: 1, ok: false, error: { code: 'CONFIG', message: expect.stringContaining('S3_ENDPOINT') } });
  });

  it('a bad --endpoint flag is checked like the variable', async () => {
    const run = await cli(['--endpoint', 'nonsense', 'table', 'list'], {});
    expect(run.code).toBe(2);
    oneErrorLine(run, /--endpoint is not a valid URL/);
  });
});

describe('CLI usage errors: exit 2', () => {
  it('an unknown command', async () => {
    const run = await cli(['frobnicate'], {});
    expect(run.code).toBe(2);
    oneErrorLine(run, /unknown command 'frobnicate'/);
  });

  it('an unknown flag', async () => {
    const run = await cli(['table', 'create', 'x', '--rowz', '5'], {});
    expect(run.code).toBe(2);
    oneErrorLine(run, /unknown option '--rowz'/);
  });
});

describe(`CLI against ${TARGET}`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('cli');
  const warehouse = ['--warehouse', `s3://${bucket}/wh`];
  const secret = process.env.AWS_SECRET_ACCESS_KEY;
  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  async function lakevault(...args: string[]): Promise<Run> {
    const run = await cli([...warehouse, ...args], targetEnv());
    if (secret) expect(run.stdout + run.stderr).not.toContain(secret);
    return run;
  }

  it.each(['0', '-1', 'abc'])('table create --rows %s: exit 2, nothing written', async (rows) => {
    const run = await lakevault('table', 'create', 'nothing', '--rows', rows);
    expect(run.code).toBe(2);
    oneErrorLine(run, /--rows must be a whole number/);
    expect(await open.store.bucketExists(bucket)).toBe(false);
  });

  it('table create / inspect / list / drop round trip, each printing one JSON document', async () => {
    const created = await lakevault('--json', 'table', 'create', 'roundtrip', '--rows', '5000', '--rows-per-file', '2000', '--seed', '3');
    expect(created.code).toBe(0);
    const result = JSON.parse(created.stdout);
    expect(result).toMatchObject({ table: 'roundtrip', uri: `s3://${bucket}/wh/roundtrip/`, rows: 5000, files: 3 });

    const inspected = JSON.parse((await lakevault('--json', 'table', 'inspect', 'roundtrip')).stdout);
    expect(inspected).toMatchObject({ hasManifest: true, generation: result.generation, totals: { files: 3, rows: 5000, bytes: result.bytes }, problems: [] });
    expect(inspected.files.map((f: { rows: number }) => f.rows)).toEqual([2000, 2000, 1000]);

    const listed = JSON.parse((await lakevault('--json', 'table', 'list')).stdout);
    expect(listed.tables).toEqual([expect.objectContaining({ name: 'roundtrip', rows: 5000, files: 3 })]);

    const again = await lakevault('--json', 'table', 'create', 'roundtrip', '--rows', '10');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).error.code).toBe('CONFLICT');

    const dropped = await lakevault('--json', 'table', 'drop', 'roundtrip');
    expect(dropped.code).toBe(0);
    expect(JSON.parse(dropped.stdout)).toMatchObject({ table: 'roundtrip', deletedObjects: 4, errors: [] });
    expect(JSON.parse((await lakevault('--json', 'table', 'list')).stdout).tables).toEqual([]);

    const missing = await lakevault('table', 'drop', 'roundtrip');
    expect(missing.code).toBe(1);
    oneErrorLine(missing, /table "roundtrip" not found/);
  }, 600_000);

  it('text output is for people: no JSON without --json', async () => {
    const run = await lakevault('table', 'list');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^no tables\n$|^name\s+rows/);
  });
});
