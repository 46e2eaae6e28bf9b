import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkCredentials } from '../../src/audit/checks/credentials';
import type { AuditContext } from '../../src/audit/context';

/** LV-CRED-002 reads git-tracked configuration files: keys are findings, references to keys are not. */
describe('keys in git-tracked files (LV-CRED-002)', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'lv-cred-'));
    execFileSync('git', ['init', '-q'], { cwd });
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  const track = (file: string, text: string) => {
    mkdirSync(join(cwd, file, '..'), { recursive: true });
    writeFileSync(join(cwd, file), text);
    execFileSync('git', ['add', file], { cwd });
  };
  const judge = async (secretAccessKey = 'a-different-secret-key-0000000000000000') => {
    const context = { cwd, endpoint: 'https://s3.example.com', env: {}, credentials: { accessKeyId: 'AKIAEXAMPLEKEY000001', secretAccessKey, source: 'configuration' } } as unknown as AuditContext;
    return (await checkCredentials(context)).find((r) => r.id === 'LV-CRED-002')!;
  };

  it('does not flag the project\'s own minio/docker-compose.yml (a comment and ${VAR:?...} references)', async () => {
    track('minio/docker-compose.yml', readFileSync(resolve(__dirname, '../../minio/docker-compose.yml'), 'utf8'));
    track('.env.example', readFileSync(resolve(__dirname, '../../.env.example'), 'utf8'));
    const r = await judge();
    expect(r).toMatchObject({ status: 'pass' });
  });

  it('flags a literal secret assignment medium, and the secret key in use high', async () => {
    track('deploy/values.yaml', 'minio:\n  MINIO_ROOT_PASSWORD: "k3Jd9sLq0pZx7YwV"\n');
    expect(await judge()).toMatchObject({ status: 'fail', severity: 'medium', evidence: 'deploy/values.yaml:2 assigns MINIO_ROOT_PASSWORD=<redacted>' });
    track('.env', 'AWS_SECRET_ACCESS_KEY=the-secret-in-use-1234567890\n');
    const r = await judge('the-secret-in-use-1234567890');
    expect(r.severity).toBe('high');
    expect(r.evidence).toContain('.env:1 holds the secret key in use');
    expect(r.evidence).not.toContain('the-secret-in-use');
  });
});
