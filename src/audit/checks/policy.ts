import { outcome, pass } from '../catalog';
import { isLoopbackEndpoint, type AuditContext, type AuditedBucket } from '../context';
import { analysePolicy, audienceName, type Audience, type Exposure, type PolicyAnalysis } from '../policy';
import { severityRank, type CheckResult, type Severity } from '../types';
import type { Setting } from '../../store/bucket-settings';
import { tlsOnlyPolicy } from './fixes';

/** What unsigned requests got: the status of a listing, and of a GET and a HEAD of a sampled key. */
export interface AnonymousProbe {
  list?: number;
  get?: number;
  head?: number;
  /** The sampled key the GET and HEAD asked for. */
  key?: string;
  /** Why nothing was sent. */
  skipped?: string;
}

const RGW_BLOCK_NOTE = 'On Ceph RGW 16 do not combine a Principal "*" Deny with a public access block whose BlockPublicPolicy or RestrictPublicBuckets is on: the owner\'s own PUTs then fail with AccessDenied over HTTPS (measured).';

function tlsFix(context: AuditContext, bucket: string): string {
  return `Add this statement to the bucket policy (BoolIfExists also catches requests where the key is absent; on Ceph RGW only BoolIfExists fires):\n${JSON.stringify(tlsOnlyPolicy(bucket), null, 2)}\naws s3api put-bucket-policy --bucket ${bucket} --policy file://tls-only.json  |  mc anonymous set-json tls-only.json ALIAS/${bucket}`
    + (context.serverKind === 'ceph-rgw' ? `\n${RGW_BLOCK_NOTE}` : '');
}

export function publicAccessBlockNote(context: AuditContext): string {
  return context.serverKind === 'ceph-rgw' ? ` ${RGW_BLOCK_NOTE}` : '';
}

/** LV-POL-001 (TLS only), LV-POL-002 (outsiders' access by policy) and LV-POL-004 (anonymous requests, tried). */
export function checkPolicy(context: AuditContext, audited: AuditedBucket, probe: AnonymousProbe | undefined): CheckResult[] {
  const policy = audited.settings!.policy;
  const bucket = audited.bucket;
  const resource = `s3://${bucket}`;
  const results: CheckResult[] = [];
  const detail = (setting: Setting<unknown>) => (setting.state !== 'present' ? setting.detail : '');
  if (policy.state === 'present') {
    const analysis = analysePolicy(policy.value, bucket, { now: context.now, plainHttpOmitsSecureTransport: context.serverKind === 'ceph-rgw' });
    results.push(tlsResult(context, resource, bucket, analysis), exposureResult(resource, bucket, analysis));
  } else if (policy.state === 'absent') {
    results.push(outcome('LV-POL-001', 'fail', { resource, evidence: 'no bucket policy, so nothing denies plain-HTTP requests', recommendation: tlsFix(context, bucket) }));
    results.push(pass('LV-POL-002', resource, 'no bucket policy: nothing is granted to outsiders by policy'));
  } else if (policy.state === 'unsupported') {
    results.push(outcome('LV-POL-001', 'unsupported', { resource, severity: 'low', evidence: `bucket policies not supported by this server (${detail(policy)}): TLS cannot be enforced per bucket`, recommendation: 'Serve only HTTPS on the server (no plain-HTTP listener) so that no request can travel unencrypted.' }));
    results.push(outcome('LV-POL-002', 'unsupported', { resource, severity: 'info', evidence: `bucket policies not supported by this server (${detail(policy)}): what anonymous requests get is tried by LV-POL-004` }));
  } else if (policy.state === 'denied' && context.endpoint.startsWith('http:')) {
    // Measured on RGW: under a SecureTransport deny every plain-HTTP request, the owner's too, gets 403.
    results.push(outcome('LV-POL-001', 'not-verifiable', { resource, evidence: `reading the bucket policy over plain HTTP was refused (${detail(policy)}): consistent with a SecureTransport deny in force; audit over HTTPS to verify` }));
    results.push(outcome('LV-POL-002', 'error', { resource, severity: 'info', evidence: `bucket policy could not be read: ${detail(policy)}` }));
  } else {
    results.push(outcome('LV-POL-001', 'error', { resource, severity: 'info', evidence: `bucket policy could not be read: ${detail(policy)}` }));
    results.push(outcome('LV-POL-002', 'error', { resource, severity: 'info', evidence: `bucket policy could not be read: ${detail(policy)}` }));
  }
  results.push(anonymousResult(context, resource, bucket, probe));
  return results;
}

function tlsResult(context: AuditContext, resource: string, bucket: string, analysis: PolicyAnalysis): CheckResult {
  const tls = analysis.tls;
  const details = { tls };
  if (!analysis.readable) {
    return outcome('LV-POL-001', 'not-verifiable', { resource, evidence: `the bucket policy cannot be read (${analysis.problems.join('; ')}): whether it denies plain HTTP is unknown`, details });
  }
  if (!analysis.complete) return outcome('LV-POL-001', 'not-verifiable', { resource, evidence: 'the bucket policy has too many combinations of conditions to judge them all', details });
  const floor = tls.minimumVersion ? `; TLS below ${tls.minimumVersion} denied` : '';
  if (tls.enforced) {
    const caveat = tls.gapWhereKeyOmitted
      ? '; on servers that leave aws:SecureTransport out of plain-HTTP requests (Ceph RGW 16) a Bool deny does not fire: BoolIfExists covers both'
      : '';
    return pass('LV-POL-001', resource, `every plain-HTTP request is denied — every principal, action, the bucket and its objects (${tls.denies.map((s) => `"${s}"`).join(', ') || 'by the policy\'s Deny statements'})${floor}${caveat}`, details);
  }
  const rgw = context.serverKind === 'ceph-rgw' && tls.denies.length ? ' (this server, Ceph RGW, leaves aws:SecureTransport out of plain-HTTP requests: a Bool deny does not fire here, BoolIfExists does)' : '';
  const evidence = tls.denies.length
    ? `SecureTransport deny incomplete (${tls.denies.map((s) => `"${s}"`).join(', ')}): ${tls.gap}${rgw}${floor}`
    : `the bucket policy has no Deny for aws:SecureTransport=false: ${tls.gap}${floor}`;
  return outcome('LV-POL-001', 'fail', { resource, evidence, recommendation: tlsFix(context, bucket), details });
}

function worst(exposures: Exposure[]): Severity {
  return exposures.reduce<Severity>((w, e) => (severityRank(e.severity) > severityRank(w) ? e.severity : w), 'info');
}

/** "read s3:GetObject, s3:GetObjectVersion on all objects; list s3:ListBucket on the bucket" */
function summarise(exposures: Exposure[]): string {
  const groups = new Map<string, string[]>();
  for (const e of exposures) {
    const group = `${e.category} (${e.severity})`;
    groups.set(group, [...(groups.get(group) ?? []), `${e.action}${e.scope === 'the bucket' || e.scope === 'all objects' ? '' : ` [${e.scope}]`}`]);
  }
  return [...groups].map(([group, actions]) => `${group}: ${actions.length > 6 ? `${actions.slice(0, 6).join(', ')} and ${actions.length - 6} more` : actions.join(', ')}`).join('; ');
}

function exposureResult(resource: string, bucket: string, analysis: PolicyAnalysis): CheckResult {
  const { anonymous, anyAwsAccount } = analysis.exposure;
  const details = {
    problems: analysis.problems,
    anonymous: anonymous.map(({ example: _, ...e }) => e),
    anyAwsAccount: anyAwsAccount.map(({ example: _, ...e }) => e),
    narrowed: analysis.narrowed,
  };
  const unreadable = analysis.problems.length ? `the bucket policy cannot be read in full: ${analysis.problems.join('; ')}; the server enforces something lakevault cannot judge` : '';
  const fix = `Remove what the policy grants outsiders (aws s3api delete-bucket-policy --bucket ${bucket}, or put back a policy without those statements; MinIO: mc anonymous set none ALIAS/${bucket}). If outside access is intended, pin it with a fixed value (aws:SourceVpce, aws:PrincipalOrgID, aws:PrincipalAccount, a narrow aws:SourceIp range), and turn on the public access block.`;
  if (!analysis.complete) {
    return outcome('LV-POL-002', 'not-verifiable', { resource, evidence: `the bucket policy has too many combinations of conditions to judge them all${unreadable ? `; ${unreadable}` : ''}`, details });
  }
  if (!anonymous.length && !anyAwsAccount.length) {
    if (unreadable) return outcome('LV-POL-002', 'fail', { resource, severity: 'high', evidence: unreadable, recommendation: 'Rewrite the bucket policy so that every statement is valid (aws s3api put-bucket-policy refuses invalid ones on AWS), then audit again.', details });
    const narrowed = analysis.narrowed.map((n) => `"${n.sid}": ${n.reason}`);
    return pass('LV-POL-002', resource, `no statement lets anonymous callers or other AWS accounts in${narrowed.length ? `; statements naming everyone that grant nothing: ${narrowed.join('; ')}` : ''}`, details);
  }
  const same = anonymous.length === anyAwsAccount.length && anonymous.every((e, i) => e.action === anyAwsAccount[i]!.action && e.scope === anyAwsAccount[i]!.scope);
  const audiences: [string, Exposure[]][] = same ? [[`${audienceName('anonymous')} and ${audienceName('anyAwsAccount')}`, anonymous]]
    : (['anonymous', 'anyAwsAccount'] as Audience[]).filter((a) => analysis.exposure[a].length).map((a) => [audienceName(a), analysis.exposure[a]]);
  const scopes = [...new Set([...anonymous, ...anyAwsAccount].filter((e) => e.scope !== 'the bucket').map((e) => e.scope))];
  const via = [...new Set([...anonymous, ...anyAwsAccount].flatMap((e) => e.via))].map((s) => `"${s}"`);
  const example = (anonymous[0] ?? anyAwsAccount[0])!.example;
  const evidence = `${audiences.map(([who, list]) => `${who} can call ${summarise(list)}`).join('. ')}. Objects: ${scopes.join('; ') || 'none'}. Granted by ${via.join(', ')}; e.g. ${example} is allowed${unreadable ? `. Also: ${unreadable}` : ''}`;
  const severity = worst([...anonymous, ...anyAwsAccount]);
  return outcome('LV-POL-002', 'fail', { resource, severity: unreadable && severityRank(severity) < severityRank('high') ? 'high' : severity, evidence, recommendation: fix, details });
}

/** LV-POL-004: what anyone on the network gets, tried with unsigned requests. */
function anonymousResult(context: AuditContext, resource: string, bucket: string, probe: AnonymousProbe | undefined): CheckResult {
  if (!probe || probe.skipped || probe.list === undefined) {
    return outcome('LV-POL-004', 'not-verifiable', { resource, evidence: probe?.skipped ?? 'no unsigned request could be sent' });
  }
  const ok = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;
  const tried = [`ListObjectsV2 → HTTP ${probe.list}`, ...(probe.key ? [`GetObject ${probe.key} → HTTP ${probe.get}`, `HeadObject ${probe.key} → HTTP ${probe.head}`] : [])];
  const details = { ...probe };
  const open = [ok(probe.list) && 'list it', (ok(probe.get) || ok(probe.head)) && 'read its objects'].filter(Boolean);
  if (!open.length) return pass('LV-POL-004', resource, `unsigned requests refused: ${tried.join(', ')}${probe.key ? '' : ' (the bucket holds no object to try a GET on)'}`, details);
  const loopback = isLoopbackEndpoint(context.endpoint);
  return outcome('LV-POL-004', 'fail', {
    resource, severity: loopback ? 'high' : 'critical', details,
    evidence: `unsigned (anonymous) requests succeeded: ${tried.join(', ')}: anyone who can reach the server can ${open.join(' and ')}${loopback ? ' (the endpoint is loopback: anyone on this machine)' : ''}`,
    recommendation: `Turn anonymous access off: mc anonymous set none ALIAS/${bucket}; delete public bucket policies and ACL grants; on a server that does not check signatures at all (a development fake), do not expose it beyond loopback.`,
  });
}
