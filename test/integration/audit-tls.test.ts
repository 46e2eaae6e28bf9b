import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLakevault, targetEnv } from '../support/cli';
import { uniqueBucket, TARGET } from '../support/target';

/**
 * TLS checks against real handshakes: a small TLS proxy in front of the suite's S3 server
 * serves certificates generated here (trusted CA, expired leaf), so the checks run on
 * every target; the real RGW HTTPS endpoint is checked too when it is configured.
 */
let dir: string;
const proxies: Server[] = [];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a valid leaf for 127.0.0.1/localhost, and a leaf that expired in 2020. */
function makeCertificates(): void {
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=lv-audit-test-ca', '-days', '30']);
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db/index'), '');
  writeFileSync(join(dir, 'db/serial'), '01\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = lv', '[lv]', 'database = db/index', 'new_certs_dir = db', 'serial = db/serial', 'default_md = sha256',
    'policy = any', 'x509_extensions = ext', 'unique_subject = no', '[any]', 'commonName = supplied', '[ext]', 'subjectAltName = IP:127.0.0.1,DNS:localhost', '',
  ].join('\n'));
  for (const [name, start, end] of [['valid', '20250101000000Z', '20991231000000Z'], ['expired', '20200101000000Z', '20200201000000Z']] as const) {
    openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost']);
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', start, '-enddate', end, '-notext']);
  }
}

/** TLS on a free loopback port, bytes forwarded to the plain-HTTP S3 server. */
async function startProxy(name: string): Promise<string> {
  const upstream = new URL(process.env.S3_ENDPOINT!);
  const server = createServer({ key: readFileSync(join(dir, `${name}.key`)), cert: readFileSync(join(dir, `${name}.crt`)) }, (socket) => {
    const back = netConnect(Number(upstream.port || 80), upstream.hostname);
    socket.pipe(back).pipe(socket);
    const end = () => { socket.destroy(); back.destroy(); };
    socket.on('error', end);
    back.on('error', end);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  proxies.push(server);
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Result { id: string; status: string; severity: string; evidence: string }
/** Runs the CLI asynchronously: the proxies live in this process and must keep serving. */
async function audit(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; byId: (id: string) => Result[] }> {
  // Locations in buckets that do not exist: nothing stored to audit but the endpoint itself.
  const absent = uniqueBucket('absent');
  const run = await runLakevault(['audit', '--json', ...args], {
    home: dir, timeoutMs: 60_000,
    env: { ...targetEnv(), LAKEVAULT_MAX_ATTEMPTS: '1', LAKEVAULT_WAREHOUSE: `s3://${absent}/wh`, LAKEVAULT_BACKUPS: `s3://${absent}-b`, LAKEVAULT_CHECKPOINTS: `s3://${absent}-c`, ...env },
  });
  if (!run.json) throw new Error(`audit ${args.join(' ')}: no JSON (exit ${run.code}); ${run.stderr}`);
  const report = run.json as { findings: Result[]; passed: Result[]; other: Result[] };
  const all = [...report.findings, ...report.passed, ...report.other];
  return { status: run.code, byId: (id: string) => all.filter((r) => r.id === id) };
}

describe(`audit TLS checks (${TARGET})`, () => {
  let valid: string;
  let expired: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lv-audit-tls-'));
    makeCertificates();
    valid = await startProxy('valid');
    expired = await startProxy('expired');
  });
  afterAll(() => {
    for (const p of proxies) p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a plain-HTTP endpoint (low on loopback) and skips certificate checks', async () => {
    const r = await audit([]);
    expect(r.byId('LV-TLS-001')[0]).toMatchObject({ status: 'fail', severity: 'low' });
    expect(r.byId('LV-TLS-002')[0]!.status).toBe('not-applicable');
  });

  it('passes chain, host, protocol and cipher with the CA trusted, and reports version and cipher', async () => {
    const r = await audit(['--endpoint', valid, '--ca-bundle', join(dir, 'ca.crt')]);
    for (const id of ['LV-TLS-001', 'LV-TLS-002', 'LV-TLS-003', 'LV-TLS-004', 'LV-TLS-005', 'LV-TLS-006']) expect(r.byId(id)[0]).toMatchObject({ id, status: 'pass' });
    expect(r.byId('LV-TLS-005')[0]!.evidence).toMatch(/negotiated TLSv1\.[23]/);
    expect(r.byId('LV-TLS-006')[0]!.evidence).toMatch(/TLS_AES_\d+_GCM_SHA\d+|ECDHE/);
    expect(r.byId('LV-CONN-001')[0]!.status).toBe('pass'); // the S3 requests went through the proxy
  });

  it('flags a certificate whose CA is not trusted', async () => {
    const r = await audit(['--endpoint', valid]);
    expect(r.byId('LV-TLS-002')[0]).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.byId('LV-TLS-002')[0]!.evidence).toMatch(/not trusted by the system CAs: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
    expect(r.status).toBe(1);
  });

  it('flags an expired certificate as critical', async () => {
    const r = await audit(['--endpoint', expired, '--ca-bundle', join(dir, 'ca.crt')]);
    expect(r.byId('LV-TLS-004')[0]).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.byId('LV-TLS-004')[0]!.evidence).toMatch(/expired on 2020-02-01/);
    expect(r.byId('LV-TLS-002')[0]!.evidence).toContain('CERT_HAS_EXPIRED');
  });

  it('flags NODE_TLS_REJECT_UNAUTHORIZED=0 in the process', async () => {
    const r = await audit([], { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    expect(r.byId('LV-TLS-007')[0]).toMatchObject({ status: 'fail', severity: 'high' });
  });

  const rgwHttps = process.env.S3_ENDPOINT_HTTPS && process.env.S3_TEST_CA ? it : it.skip;
  if (!process.env.S3_ENDPOINT_HTTPS) process.stdout.write('skipped: RGW HTTPS test needs S3_ENDPOINT_HTTPS and S3_TEST_CA (source /tmp/lakevault-rgw/env.sh)\n');
  rgwHttps('passes against the real RGW HTTPS endpoint with its CA trusted', async () => {
    const r = await audit(['--endpoint', process.env.S3_ENDPOINT_HTTPS!, '--ca-bundle', process.env.S3_TEST_CA!]);
    for (const id of ['LV-TLS-001', 'LV-TLS-002', 'LV-TLS-003', 'LV-TLS-005', 'LV-TLS-006']) expect(r.byId(id)[0]).toMatchObject({ id, status: 'pass' });
    expect(r.byId('LV-TLS-005')[0]!.evidence).toMatch(/TLSv1\.[23]/);
    expect(r.byId('LV-CONN-001')[0]!.status).toBe('pass');
  });
});
