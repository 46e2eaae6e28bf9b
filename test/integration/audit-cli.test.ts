import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenStore } from '../../src/store/open';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, removeBucket, TARGET, targetHas, uniqueBucket } from '../support/target';

/** The audit command end to end: exit codes, formats, and no secret in any output. */
interface Run { status: number; stdout: string; stderr: string }
async function cli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  const run = await runLakevault(args, { home: options.cwd, env: { ...targetEnv(), ...options.env }, timeoutMs: 90_000 });
  return { status: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
}
interface Finding { id: string; status: string; severity: string; evidence: string; resource: string }
const findings = (run: Run) => (JSON.parse(run.stdout) as { findings: Finding[] }).findings;

describe(`lakevault audit CLI (${TARGET})`, () => {
  let open: OpenStore;
  let cwd: string;
  const bucket = uniqueBucket('auditcli');
  const absent = uniqueBucket('absent');
  const customerKey = randomBytes(32);
  const secret = process.env.AWS_SECRET_ACCESS_KEY!;

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
    await open.store.put(bucket, 'wh/t/data/part-0.parquet', 'rows', targetHas('sse-c') ? { encryption: { customerKey } } : {});
    // A git repository whose tracked .env holds the secret key in use: the audit must find it, and never print it.
    cwd = mkdtempSync(join(tmpdir(), 'lv-audit-cli-'));
    execFileSync('git', ['init', '-q'], { cwd });
    writeFileSync(join(cwd, '.env'), `S3_ENDPOINT=${process.env.S3_ENDPOINT}\nAWS_SECRET_ACCESS_KEY=${secret}\n`);
    writeFileSync(join(cwd, 'sse-c.key'), customerKey.toString('base64') + '\n');
    execFileSync('git', ['add', '.env'], { cwd });
  });
  afterAll(async () => {
    await removeBucket(open, bucket);
    await open.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('never prints the secret key or the SSE-C key, in any format', async () => {
    const env = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${absent}`, LAKEVAULT_CHECKPOINTS: `s3://${absent}-cp` };
    const forbidden = [secret, customerKey.toString('base64'), customerKey.toString('hex'), JSON.stringify(secret).slice(1, -1)];
    for (const format of ['text', 'json', 'sarif']) {
      const run = await cli(['audit', '--format', format, '--sse-c-key-file', 'sse-c.key', '--fail-on', 'critical'], { cwd, env });
      const output = run.stdout + run.stderr;
      expect({ format, length: output.length > 500 }).toEqual({ format, length: true });
      for (const value of forbidden) expect({ format, leaked: output.includes(value) }).toEqual({ format, leaked: false });
      // ...while the report did look at both: the tracked .env and the sampled object.
      expect(output).toContain('.env:2 holds the secret key in use');
      expect(output).toContain('LV-ENC-003');
      if (targetHas('sse-c')) expect(output).toMatch(/1 SSE-C/);
    }
  });

  it('flags keys in a git-tracked .env as high', async () => {
    const run = await cli(['audit', '--json', '--bucket', bucket], { cwd });
    const f = findings(run).find((x) => x.id === 'LV-CRED-002');
    expect(f).toMatchObject({ status: 'fail', severity: 'high' });
    expect(run.status).toBe(1);
  });

  it('detects MinIO default credentials (high on loopback) and the root identity', async () => {
    const run = await cli(['audit', '--json', '--bucket', bucket], { cwd: tmpdir(), env: { AWS_ACCESS_KEY_ID: 'minioadmin', AWS_SECRET_ACCESS_KEY: 'minioadmin', LAKEVAULT_MAX_ATTEMPTS: '1' } });
    const all = findings(run);
    expect(all.find((x) => x.id === 'LV-CRED-001')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(all.find((x) => x.id === 'LV-CRED-001')!.evidence).toContain('MinIO\'s default root credentials');
    expect(all.find((x) => x.id === 'LV-CRED-004')).toMatchObject({ status: 'fail' });
    expect(run.status).toBe(1);
  });

  it('--fail-on decides the exit code', async () => {
    const clean = mkdtempSync(join(tmpdir(), 'lv-audit-clean-'));
    try {
      const all = await cli(['audit', '--json', '--bucket', bucket, '--fail-on', 'low'], { cwd: clean });
      const ranks = ['low', 'medium', 'high', 'critical'];
      const worst = Math.max(...findings(all).map((f) => ranks.indexOf(f.severity)));
      expect(worst).toBeGreaterThanOrEqual(0);
      expect(all.status).toBe(1);
      // At the worst finding's severity the audit fails; one step above it passes.
      expect((await cli(['audit', '--json', '--bucket', bucket, '--fail-on', ranks[worst]!], { cwd: clean })).status).toBe(1);
      if (worst < 3) {
        const above = await cli(['audit', '--bucket', bucket, '--fail-on', ranks[worst + 1]!], { cwd: clean });
        expect(above.status).toBe(0);
        expect(above.stdout).toContain(`OK: no finding at or above ${ranks[worst + 1]}`);
      }
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });

  it('a --bucket that does not exist is an error: exit 1, one line, nothing audited', async () => {
    const text = await cli(['audit', '--bucket', absent], { cwd: tmpdir() });
    expect(text.status).toBe(1);
    expect(text.stdout).toBe('');
    expect(text.stderr.split('\n').filter((line) => line.startsWith('lakevault:'))).toEqual([expect.stringMatching(new RegExp(`^lakevault: error: bucket "${absent}" does not exist at `))]);
    const json = await cli(['audit', '--json', '--bucket', absent], { cwd: tmpdir() });
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('--json and --format text contradict each other: exit 2; --json with sarif is JSON', async () => {
    const run = await cli(['--json', 'audit', '--format', 'text', '--bucket', bucket], { cwd: tmpdir() });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/lakevault: error: --json and --format text contradict each other/);
    const sarif = await cli(['--json', 'audit', '--format', 'sarif', '--bucket', bucket, '--fail-on', 'critical'], { cwd: tmpdir() });
    expect(JSON.parse(sarif.stdout)).toMatchObject({ version: '2.1.0' });
  });

  const ignoresSseS3 = targetHas('sse-s3') ? it.skip : it;
  ignoresSseS3('table create --sse AES256 fails (exit 1) when the server stores the data unencrypted', async () => {
    const run = await cli(['table', 'create', 'enc', '--rows', '100', '--sse', 'AES256'], { cwd: tmpdir(), env: { LAKEVAULT_WAREHOUSE: `s3://${bucket}/sse` } });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/SSE-S3 \(AES256\) was requested, but .* stored it unencrypted at s3:\/\/.*\/sse\/enc\/data\/part-00000-.*\.parquet/);
  });

  it('--list-checks prints the catalog without connecting: id, severity on failure, title and what is observed', async () => {
    const run = await cli(['audit', '--list-checks', '--json'], { cwd: tmpdir(), env: { S3_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(run.status).toBe(0);
    const checks = (JSON.parse(run.stdout) as { checks: { id: string; severity: string; observes: string }[] }).checks;
    expect(checks.map((c) => c.id)).toEqual(expect.arrayContaining(['LV-TLS-001', 'LV-POL-002', 'LV-POL-004', 'LV-DP-004', 'LV-DP-006']));
    const text = await cli(['audit', '--list-checks'], { cwd: tmpdir(), env: { S3_ENDPOINT: 'http://127.0.0.1:1' } });
    for (const c of checks) {
      expect(text.stdout).toMatch(new RegExp(`^${c.id} +${c.severity} `, 'm'));
      expect(text.stdout).toContain(`observes: ${c.observes}`);
    }
  });

  it('rejects bad input with exit 2 and one error line', async () => {
    for (const args of [['--fail-on', 'severe'], ['--sample', '0'], ['--bucket', 'Not_A_Bucket'], ['--format', 'xml'], ['--sse-c-key-file', '/nonexistent/key']]) {
      const run = await cli(['audit', ...args], { cwd: tmpdir() });
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
