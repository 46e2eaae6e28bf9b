import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redactKeyId } from '../../config/config';
import { outcome, pass } from '../catalog';
import { isLoopbackEndpoint, type AuditContext } from '../context';
import type { CheckResult } from '../types';

const run = promisify(execFile);

/** Key pairs published in documentation and default installs: anyone can try them. */
const WELL_KNOWN: { accessKeyId: string; secretAccessKey?: string; what: string; root?: boolean }[] = [
  { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin', what: 'MinIO\'s default root credentials', root: true },
  { accessKeyId: 'minio', secretAccessKey: 'minio123', what: 'the MinIO docker-compose example credentials', root: true },
  { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', what: 'the AWS documentation example key' },
  { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', what: 'the AWS documentation example key' },
  { accessKeyId: 'accessKey1', secretAccessKey: 'verySecretKey1', what: 'the Zenko CloudServer default credentials' },
  { accessKeyId: 'test', secretAccessKey: 'test', what: 'the LocalStack default credentials' },
];
const WELL_KNOWN_SECRETS = new Set(['minioadmin', 'minio123', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY', 'verySecretKey1']);

/** Files that commonly hold configuration. */
const CONFIG_FILE = /(^|\/)(\.env(\.[\w.-]+)?|[^/]*\.(env|ini|cfg|conf|toml|ya?ml|json|properties)|credentials|config|\.s3cfg|rclone\.conf)$/i;
/** Assignments of a secret key in the formats those files use. */
const SECRET_ASSIGNMENT = /\b(AWS_SECRET_ACCESS_KEY|aws_secret_access_key|secret_access_key|secretAccessKey|secret_key|MINIO_ROOT_PASSWORD|MINIO_SECRET_KEY)\b["']?\s*[:=]\s*["']?([^"'\s,}#]+)/;
const PLACEHOLDER = /^(<.*>|\*+|x+|changeme|change-me|your[-_]?.*|example|secret|\.\.\.|""|'')$/i;
/** A reference to a value kept elsewhere: $VAR, ${VAR}, ${VAR:?message}, ${{ secrets.X }}, %(var)s, {{ var }}. */
const REFERENCE = /^(\$\{?\{?|%\(|\{\{)/;
/** The name of another variable (MINIO_ROOT_USER) rather than a value. */
const VARIABLE_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

/** Whether an assigned value can be a literal secret key. */
function literalSecret(value: string): boolean {
  return !PLACEHOLDER.test(value) && !REFERENCE.test(value) && !VARIABLE_NAME.test(value) && !WELL_KNOWN_SECRETS.has(value);
}

export async function checkCredentials(context: AuditContext): Promise<CheckResult[]> {
  return [wellKnownKeys(context), ...(await keysInTrackedFiles(context)), sessionCredentials(context), rootIdentity(context)];
}

function matchWellKnown(context: AuditContext) {
  const creds = context.credentials;
  if (!creds) return undefined;
  return WELL_KNOWN.find((k) => k.accessKeyId === creds.accessKeyId && (!k.secretAccessKey || k.secretAccessKey === creds.secretAccessKey))
    ?? (WELL_KNOWN_SECRETS.has(creds.secretAccessKey) ? { accessKeyId: creds.accessKeyId, what: 'a secret key published in documentation' } : undefined);
}

function wellKnownKeys(context: AuditContext): CheckResult {
  const resource = context.endpoint;
  const creds = context.credentials;
  if (!creds) return outcome('LV-CRED-001', 'not-verifiable', { resource, evidence: 'credentials could not be resolved' });
  if (creds.source === 'embedded server') {
    return outcome('LV-CRED-001', 'fail', { resource, severity: 'info', evidence: `the embedded server's fixed development key (${redactKeyId(creds.accessKeyId)}); the server listens on loopback only and lives as long as the command` });
  }
  const known = matchWellKnown(context);
  if (!known) return pass('LV-CRED-001', resource, `access key ${redactKeyId(creds.accessKeyId)} is not a default or documented example key`);
  return outcome('LV-CRED-001', 'fail', {
    resource,
    severity: isLoopbackEndpoint(context.endpoint) ? 'high' : 'critical',
    evidence: `the access key in use (${redactKeyId(creds.accessKeyId)}, from the ${creds.source}) is ${known.what}`,
    recommendation: 'MinIO: set MINIO_ROOT_USER and a long random MINIO_ROOT_PASSWORD (openssl rand -base64 30) and restart; then create a non-root user for lakevault: `mc admin user add ALIAS lakevault "$(openssl rand -base64 30)"` and `mc admin policy attach ALIAS readwrite --user lakevault`. AWS: deactivate the key (`aws iam update-access-key --status Inactive`) and use a role.',
  });
}

async function keysInTrackedFiles(context: AuditContext): Promise<CheckResult[]> {
  const resource = context.cwd;
  let files: string[];
  try {
    const { stdout } = await run('git', ['ls-files', '-z', '--', '.'], { cwd: context.cwd, timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
    files = stdout.split('\0').filter((f) => f && CONFIG_FILE.test(f));
  } catch {
    return [outcome('LV-CRED-002', 'not-applicable', { resource, evidence: 'the working directory is not in a git repository (or git is missing)' })];
  }
  const secret = context.credentials?.source === 'embedded server' ? undefined : context.credentials?.secretAccessKey;
  const hits: string[] = [];
  let configured = false;
  for (const file of files.slice(0, 2000)) {
    const path = join(context.cwd, file);
    try {
      if ((await stat(path)).size > 512 * 1024) continue;
      const lines = (await readFile(path, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (secret && secret.length >= 6 && line.includes(secret)) {
          configured = true;
          hits.push(`${file}:${index + 1} holds the secret key in use`);
          return;
        }
        const match = SECRET_ASSIGNMENT.exec(line);
        if (match && literalSecret(match[2]!)) hits.push(`${file}:${index + 1} assigns ${match[1]}=<redacted>`);
      });
    } catch {
      // unreadable or deleted since git listed it: nothing to report
    }
  }
  if (!hits.length) return [pass('LV-CRED-002', resource, `${files.length} tracked configuration files scanned, no secret keys`)];
  return [outcome('LV-CRED-002', 'fail', {
    resource,
    severity: configured ? 'high' : 'medium',
    evidence: hits.slice(0, 10).join('; ') + (hits.length > 10 ? `; and ${hits.length - 10} more` : ''),
    recommendation: 'Rotate the exposed keys first (they stay in git history), then `git rm --cached <file>`, add it to .gitignore, and keep only placeholders in a committed .env.example. Purge history with git filter-repo if the repository is shared.',
  })];
}

function sessionCredentials(context: AuditContext): CheckResult {
  const creds = context.credentials;
  const resource = context.endpoint;
  if (!creds) return outcome('LV-CRED-003', 'not-verifiable', { resource, evidence: 'credentials could not be resolved' });
  if (creds.sessionToken) {
    return pass('LV-CRED-003', resource, `temporary session credentials${creds.expiration ? `, expiring ${creds.expiration.toISOString()}` : ''}`);
  }
  return outcome('LV-CRED-003', 'fail', {
    resource,
    severity: creds.source === 'embedded server' ? 'info' : 'low',
    evidence: `long-lived static key ${redactKeyId(creds.accessKeyId)} from the ${creds.source}, no session token`,
    recommendation: 'Use short-lived credentials: MinIO STS (AssumeRole / AssumeRoleWithWebIdentity) or an AWS role via AWS_PROFILE with role_arn; otherwise rotate static keys at least every 90 days.',
  });
}

function rootIdentity(context: AuditContext): CheckResult {
  const known = matchWellKnown(context);
  const resource = context.endpoint;
  if (known && 'root' in known && known.root) {
    return outcome('LV-CRED-004', 'fail', {
      resource,
      evidence: `${known.what} are the server's root identity: lakevault runs with unrestricted rights`,
      recommendation: 'Create a dedicated user limited to the lakevault buckets (MinIO: `mc admin user add` + a policy granting s3:* on arn:aws:s3:::lake*, arn:aws:s3:::lake*/*) and use its keys.',
    });
  }
  return outcome('LV-CRED-004', 'not-verifiable', { resource, evidence: 'S3 does not tell whether a key belongs to the root identity; only default root keys are recognisable' });
}
