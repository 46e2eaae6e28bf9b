import { z } from 'zod';
import { count, schemaVersion, timestamp, validation } from './common';

export const validate = validation.extend({ schemaVersion }).describe('lakevault validate --json');

const severity = z.enum(['critical', 'high', 'medium', 'low', 'info']);
const theme = z.enum(['authentication', 'authorization', 'encryption', 'monitoring', 'compliance']);
const checkResult = z.object({
  id: z.string().describe('stable check id, e.g. LV-TLS-001'),
  title: z.string(),
  theme,
  status: z.enum(['pass', 'fail', 'unsupported', 'not-verifiable', 'not-applicable', 'error']),
  severity,
  resource: z.string(),
  evidence: z.string(),
  recommendation: z.string().optional(),
  references: z.array(z.string()),
  details: z.record(z.string(), z.unknown()).optional().describe('the observation as data (e.g. LV-POL-002: the actions each audience can call)'),
});

export const audit = z.object({
  schemaVersion,
  tool: z.string(),
  version: z.string(),
  endpoint: z.string(),
  embedded: z.boolean(),
  generatedAt: timestamp,
  failOn: severity,
  buckets: z.array(z.object({
    bucket: z.string(),
    roles: z.array(z.enum(['warehouse', 'backups', 'checkpoints', 'named'])),
    exists: z.boolean().optional(),
    error: z.string().optional(),
  })),
  summary: z.object({
    checks: count,
    passed: count,
    findings: z.object({ critical: count, high: count, medium: count, low: count, info: count }),
    notVerifiable: count,
    notApplicable: count,
  }),
  findings: z.array(checkResult),
  passed: z.array(checkResult),
  other: z.array(checkResult),
  themes: z.array(z.object({ theme, advice: z.string(), findings: z.array(z.string()) })),
  exitCode: z.union([z.literal(0), z.literal(1)]),
}).describe('lakevault audit --json (also --format json)');

export const auditChecks = z.object({
  schemaVersion,
  checks: z.array(z.object({
    id: z.string(),
    title: z.string(),
    theme,
    severity: severity.describe('severity when the check fails'),
    observes: z.string(),
    references: z.array(z.string()),
  })),
}).describe('lakevault audit --list-checks --json');

/** What every command prints on stdout with --json when it fails. */
export const error = z.object({
  schemaVersion,
  ok: z.literal(false),
  error: z.object({
    code: z.enum(['CONFIG', 'USAGE', 'ACCESS', 'NOT_FOUND', 'CONFLICT', 'INTEGRITY', 'UNREACHABLE', 'UNSUPPORTED', 'STORE', 'INTERNAL']),
    message: z.string(),
  }),
}).describe('lakevault <any command> --json, when it fails');
