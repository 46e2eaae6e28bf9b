import { z } from 'zod';

/**
 * The plan file (YAML), as written by a person: kebab-case keys, retention rules under
 * restic's option names. Checked with this schema (published as schemas/v1/plan-file.json
 * for editors), then by src/plan/load.ts for what a schema cannot say (intervals, rules,
 * overlapping locations).
 */
const interval = z.string().describe('how often: minutes, hours, days, weeks (30m, 6h, 1d12h, 1w), or hourly / daily / weekly');
const target = z.string().describe('a duration in seconds, minutes, hours or days (90s, 15m, 24h)');
const s3Uri = z.string().regex(/^s3:\/\/[^/]+/, 'an s3:// location (s3://bucket/prefix)');
const count = z.union([z.number().int().min(-1), z.literal('unlimited')]).describe('how many to keep; -1 or unlimited: all');
const duration = z.string().describe('restic\'s duration: 1y2m3d4h (m = months)');

/** restic's `forget` options, by their names without the dashes. */
export const retentionFile = z.object({
  'keep-last': count.optional(),
  'keep-hourly': count.optional(),
  'keep-daily': count.optional(),
  'keep-weekly': count.optional(),
  'keep-monthly': count.optional(),
  'keep-yearly': count.optional(),
  'keep-within': duration.optional(),
  'keep-within-hourly': duration.optional(),
  'keep-within-daily': duration.optional(),
  'keep-within-weekly': duration.optional(),
  'keep-within-monthly': duration.optional(),
  'keep-within-yearly': duration.optional(),
  'keep-tag': z.array(z.union([z.string(), z.array(z.string())])).optional().describe('each entry is one --keep-tag: a tag, "a,b", or a list; a backup with every tag of any entry is kept'),
}).strict().describe('retention exactly as restic\'s forget (its option names, its rules)');

const repositoryFile = z.object({
  backups: s3Uri.optional().describe('backup repository (default: the configured backups location)'),
  checkpoints: s3Uri.optional().describe('where checkpoints go (default: the configured checkpoints location)'),
  warehouse: s3Uri.optional().describe('where named tables live (default: the configured warehouse)'),
}).strict().describe('a repository on the configured endpoint; off-site repositories (endpoint, profile) are coming');

const tableFile = z.object({
  table: z.string().min(1).describe('a table name in the warehouse, or an s3:// URI'),
  repository: z.string().optional().describe('name of a repository under repositories: (default: the only one)'),
  backup: z.object({
    every: interval,
    tags: z.array(z.string()).optional().describe('tags given to each backup the plan takes'),
    retention: retentionFile.optional().describe('applied after each backup the plan takes'),
  }).strict().optional(),
  checkpoint: z.object({
    every: interval,
    retention: retentionFile.optional().describe('applied to the table\'s checkpoints after each checkpoint'),
  }).strict().optional(),
  drill: z.object({
    every: interval,
    disaster: z.enum(['delete-prefix', 'delete-objects', 'corrupt-object', 'drop-bucket']).optional().describe('default delete-prefix'),
    level: z.enum(['quick', 'full']).optional().describe('validation of the recovered copy (default full)'),
    scratch: s3Uri.optional().describe('where the copy that is drilled goes (default: beside the table, <table>.lakevault-drill/); never the table itself'),
    'rto-target': target.optional(),
    'rpo-target': target.optional(),
  }).strict().optional().describe('a disaster-recovery drill on a fresh server-side copy of the table, never on the table'),
  verify: z.object({
    every: interval,
    slices: z.number().int().min(1).max(10_000).optional().describe('one of this many key-hash slices per run (default 7)'),
    'max-bytes': z.union([z.string(), z.number().int().positive()]).optional().describe('or: up to this many bytes per run (10GiB, 500MB)'),
    level: z.enum(['quick', 'full']).optional().describe('default full'),
  }).strict().optional().describe('a verification cycle over the table\'s backups'),
}).strict();

export const planFile = z.object({
  version: z.literal(1),
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "_" and "-" (up to 63)').describe('the plan\'s name: its runs are kept under _lakevault/runs/<name>/'),
  repositories: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/), repositoryFile).optional().describe('default: one repository, "default", at the configured locations'),
  'retry-after': interval.optional().describe('a step that failed runs again no sooner than this (default 1h)'),
  'lock-stale-after': interval.optional().describe('a run whose lock shows no heartbeat for this long is taken over (default 15m)'),
  tables: z.array(tableFile).min(1),
  audit: z.object({
    every: interval,
    'fail-on': z.enum(['critical', 'high', 'medium', 'low']).optional().describe('findings at or above fail the run (default high)'),
    repository: z.string().optional(),
  }).strict().optional().describe('the store\'s security audit; findings at or above fail-on fail the run (exit 1)'),
}).strict().describe('lakevault backup plan (plan.yaml)');

export type PlanFile = z.infer<typeof planFile>;
export type RetentionFile = z.infer<typeof retentionFile>;
