import { deletePolicy, putPolicy } from '../../src/store/bucket-settings';
import type { OpenStore } from '../../src/store/open';
import { compareVerdict, deniesOwner, expectationOn, loadCorpus, policyFor, type CorpusCase, type Verdict } from '../support/policy-corpus';
import { runLakevault, targetEnv } from '../support/cli';
import { openTestStore, removeBucket, TARGET, targetHas, uniqueBucket } from '../support/target';

/**
 * The policy corpus on a real server: each policy the server accepts is put on a bucket of
 * its own, and `lakevault audit --json` judges them all, as a user would run it. The verdict
 * read from the report must be the corpus's (with the server's own expectation where it
 * differs). A policy the server refuses, or that the corpus keeps off live buckets, is
 * listed with its reason in the test output — never dropped silently.
 */
const https = process.env.S3_ENDPOINT_HTTPS && process.env.S3_TEST_CA ? { endpoint: process.env.S3_ENDPOINT_HTTPS, ca: process.env.S3_TEST_CA } : undefined;
const runs = targetHas('bucket-policy') && https !== undefined;
if (!runs) process.stdout.write(`skipped on ${TARGET}: the live policy corpus needs bucket policies and an HTTPS endpoint (S3_ENDPOINT_HTTPS, S3_TEST_CA): a SecureTransport deny refuses every plain-HTTP request\n`);

interface Outcome { case: CorpusCase; bucket?: string; status: 'judged' | 'refused by the server' | 'not applied'; note?: string }
interface Finding { id: string; status: string; resource: string; details?: Record<string, unknown> }

async function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const run = await runLakevault(args, { env: { ...targetEnv(), S3_ENDPOINT: https!.endpoint, S3_CA_BUNDLE: https!.ca }, timeoutMs: 300_000 });
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
}

function verdictFrom(results: Finding[], bucket: string): Verdict | string {
  const at = (id: string) => results.find((r) => r.id === id && r.resource === `s3://${bucket}`);
  const exposure = at('LV-POL-002');
  const tls = at('LV-POL-001');
  if (!exposure?.details || !tls?.details) return `no judgement of the policy (LV-POL-002 ${exposure?.status}, LV-POL-001 ${tls?.status})`;
  const list = (key: string) => new Map((exposure.details![key] as { action: string; scope: string }[]).map((e) => [e.action, e.scope]));
  const t = tls.details.tls as { enforced: boolean; minimumVersion?: number };
  const problems = exposure.details.problems as string[];
  return {
    readable: tls.status !== 'not-verifiable' || !problems.length, problems: problems.length,
    anonymous: list('anonymous'), anyAwsAccount: list('anyAwsAccount'),
    tlsEnforced: t.enforced, ...(t.minimumVersion !== undefined ? { tlsMinimumVersion: t.minimumVersion } : {}),
  };
}

(runs ? describe : describe.skip)(`bucket-policy corpus on ${TARGET}, judged through the CLI`, () => {
  let open: OpenStore;
  const outcomes: Outcome[] = [];
  const server = TARGET === 'rgw' ? 'ceph-rgw' : 'aws';

  beforeAll(async () => {
    open = await openTestStore({ S3_ENDPOINT: https!.endpoint, S3_CA_BUNDLE: https!.ca });
    for (const c of loadCorpus()) {
      if (c.rgw?.apply === false) { outcomes.push({ case: c, status: 'not applied', note: c.rgw.why }); continue; }
      const bucket = uniqueBucket(`pol-${c.name}`);
      const policy = policyFor(c, bucket);
      const denied = deniesOwner(policy, bucket);
      // A Deny the owner cannot get past would leave a bucket no test can remove.
      if (denied) throw new Error(`${c.name} denies the owner ${denied}: mark it "rgw": {"apply": false, "why": ...} in its corpus file`);
      await open.store.ensureBucket(bucket);
      try {
        await putPolicy(open.store.client, bucket, policy);
        outcomes.push({ case: c, bucket, status: 'judged' });
      } catch (error) {
        outcomes.push({ case: c, bucket, status: 'refused by the server', note: `${(error as Error).name}: ${(error as Error).message}` });
      }
    }
  }, 600_000);

  afterAll(async () => {
    for (const o of outcomes) {
      if (!o.bucket) continue;
      await deletePolicy(open.store.client, o.bucket).catch(() => undefined);
      await removeBucket(open, o.bucket).catch(() => undefined);
    }
    await open?.close();
  }, 600_000);

  it('gives every policy the server accepts the corpus verdict, and lists the rest with their reason', async () => {
    const judged = outcomes.filter((o) => o.status === 'judged');
    expect(judged.length).toBeGreaterThan(0);
    const run = await cli(['audit', '--json', '--fail-on', 'critical', '--bucket', ...judged.map((o) => o.bucket!)]);
    const report = JSON.parse(run.stdout) as { findings: Finding[]; passed: Finding[]; other: Finding[] };
    const results = [...report.findings, ...report.passed, ...report.other];
    const mismatches: string[] = [];
    let falsePositives = 0;
    let falseNegatives = 0;
    for (const o of judged) {
      const verdict = verdictFrom(results, o.bucket!);
      if (typeof verdict === 'string') { mismatches.push(`${o.case.name}: ${verdict}`); continue; }
      const comparison = compareVerdict(o.case, verdict, expectationOn(o.case, server));
      falsePositives += comparison.falsePositives.length;
      falseNegatives += comparison.falseNegatives.length;
      const wrong = [...comparison.falsePositives, ...comparison.falseNegatives, ...comparison.other];
      if (wrong.length) mismatches.push(`${o.case.name}: ${wrong.join('; ')}`);
    }
    const lines = outcomes.map((o) => `  ${o.case.name.padEnd(40)} ${o.status}${o.note ? `: ${o.note}` : ''}${o.status === 'judged' && o.case.rgw?.expected ? ` (server's own expectation: ${o.case.rgw.why})` : ''}`);
    process.stdout.write(`policy corpus on ${TARGET} through the CLI: ${judged.length} judged, ${outcomes.filter((o) => o.status === 'refused by the server').length} refused by the server, `
      + `${outcomes.filter((o) => o.status === 'not applied').length} not applied; false positives ${falsePositives}, false negatives ${falseNegatives}\n${lines.join('\n')}\n`);
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('agrees with the server itself: the owner\'s plain-HTTP request is refused exactly where TLS is judged enforced', async () => {
    const http = await openTestStore();
    try {
      const disagreements: string[] = [];
      let tried = 0;
      for (const o of outcomes.filter((x) => x.status === 'judged' && JSON.stringify(x.case.policy).includes('SecureTransport'))) {
        tried += 1;
        const enforced = expectationOn(o.case, server).tlsEnforced;
        const refused = await http.store.bucketExists(o.bucket!).then(() => false, () => true);
        if (refused !== enforced) disagreements.push(`${o.case.name}: judged ${enforced ? '' : 'not '}enforced, but a plain-HTTP HeadBucket by the owner was ${refused ? 'refused' : 'allowed'}`);
      }
      process.stdout.write(`plain-HTTP cross-check on ${TARGET}: ${tried} policies with a SecureTransport condition\n`);
      expect(tried).toBeGreaterThan(0);
      expect(disagreements).toEqual([]);
    } finally {
      await http.close();
    }
  }, 600_000);
});
