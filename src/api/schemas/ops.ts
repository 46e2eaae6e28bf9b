import { z } from 'zod';
import { count, difference, millis, schemaVersion, timestamp, validationLevel } from './common';

/** `validate <subject> --cycle`. */
export const validateCycle = z.object({
  schemaVersion,
  subject: z.string().describe('table, backup, or backup repository (s3://root/ or s3://root/<table>/)'),
  level: validationLevel,
  ok: z.boolean().describe('false when an object verified by this run is bad'),
  budget: z.union([z.object({ slices: count }), z.object({ maxBytes: count })]),
  slice: count.optional().describe('slices mode: the slice this run verified (0-based)'),
  cycle: z.object({
    number: count,
    startedAt: timestamp,
    completed: z.boolean().describe('this run closed the cycle: every object present was verified (or found bad)'),
    completedAt: timestamp.optional(),
    objects: count,
    bytes: count,
    verifiedObjects: count,
    verifiedBytes: count,
    coverage: z.number().min(0).max(1).describe('verifiedBytes / bytes'),
    pendingObjects: count,
    pendingBytes: count,
    runsLeft: count.describe('runs still needed at this budget'),
    estimatedCompletion: timestamp.optional().describe('when the cycle completes at this budget and cadence'),
  }),
  run: z.object({
    objects: count,
    bytes: count,
    verified: z.array(z.string()).describe('s3:// URIs of the objects this run verified'),
    failed: z.array(z.string()).describe('s3:// URIs of the objects found bad'),
  }),
  bytesRead: count,
  differences: z.array(difference),
  fileErrors: z.array(z.object({ subject: z.string(), file: z.string(), uri: z.string(), error: z.string() })),
  notes: z.array(z.string()),
  elapsedMs: millis,
}).describe('lakevault validate <subject> --cycle --json');

const planError = z.object({ line: count, column: count, field: z.string(), message: z.string() });
const retention = z.record(z.string(), z.unknown()).describe('restic\'s rules (last, daily, within…, tags)');

export const planCheck = z.object({
  schemaVersion,
  file: z.string(),
  ok: z.boolean(),
  errors: z.array(planError),
  plan: z.object({
    name: z.string(),
    retryAfter: z.string(),
    repositories: z.array(z.object({ name: z.string(), backups: z.string().optional(), checkpoints: z.string().optional(), warehouse: z.string().optional() })),
    tables: z.array(z.object({
      table: z.string(),
      name: z.string(),
      repository: z.string(),
      backup: z.object({ every: z.string(), tags: z.array(z.string()), retention: retention.optional() }).optional(),
      checkpoint: z.object({ every: z.string(), retention: retention.optional() }).optional(),
      verify: z.object({ every: z.string(), slices: count.optional(), maxBytes: count.optional(), level: validationLevel }).optional(),
      drill: z.object({ every: z.string(), disaster: z.string(), level: validationLevel, scratch: z.string(), rtoTargetSeconds: z.number().optional(), rpoTargetSeconds: z.number().optional() }).optional(),
    })),
    audit: z.object({ every: z.string(), failOn: z.string(), repository: z.string() }).optional(),
  }).optional(),
}).describe('lakevault plan check --json (and plan run --json when the plan is invalid)');

const lock = z.object({ runId: z.string(), host: z.string(), pid: count, startedAt: timestamp, heartbeatAt: timestamp });

export const planRun = z.object({
  schemaVersion,
  plan: z.string(),
  runId: z.string(),
  startedAt: timestamp,
  finishedAt: timestamp,
  dryRun: z.boolean(),
  repositories: z.array(z.object({
    name: z.string(),
    backups: z.string(),
    outcome: z.enum(['ran', 'busy', 'idle', 'dry-run']).describe('busy: another run holds the plan\'s lock; idle: nothing was due'),
    holder: lock.optional(),
    tookOverFrom: lock.optional().describe('the stale lock of a run that died, taken over'),
  })),
  steps: z.array(z.object({
    step: z.string().describe('<table>:<kind>, or audit'),
    table: z.string().optional(),
    kind: z.string().describe('backup, retention, checkpoint, checkpoint-retention, verify, drill, audit'),
    status: z.enum(['ok', 'failed']),
    startedAt: timestamp,
    durationMs: millis,
    summary: z.string(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })),
  planned: z.array(z.object({
    step: z.string(), kind: z.string(), table: z.string().optional(), repository: z.string(),
    due: z.boolean(), dueAt: timestamp, reason: z.string(),
  })),
  ok: z.boolean(),
  exitCode: z.union([z.literal(0), z.literal(1)]),
}).describe('lakevault plan run --json');

const bytes = count;
export const reportDocument = z.object({
  schemaVersion,
  generatedAt: timestamp,
  repositories: z.array(z.string()),
  tables: z.array(z.object({
    table: z.string(),
    status: z.enum(['protected', 'at-risk', 'unprotected']),
    reasons: z.array(z.string()),
    backups: count,
    lastBackup: z.object({ at: timestamp, ok: z.boolean(), bytes: bytes.optional() }).optional(),
    lastCheckpoint: z.object({ at: timestamp, ok: z.boolean() }).optional(),
    lastDrill: z.object({ at: timestamp, ok: z.boolean(), rtoSeconds: z.number().optional(), rpoSeconds: z.number().optional() }).optional(),
    lastValidation: z.object({ at: timestamp, ok: z.boolean(), subject: z.string() }).optional(),
    rtoTargetSeconds: z.number().optional(),
    rpoTargetSeconds: z.number().optional(),
  })),
  backups: z.array(z.object({ at: timestamp, table: z.string(), ok: z.boolean(), bytes, copiedBytes: bytes, reusedBytes: bytes, objects: count, reusedObjects: count })),
  backupsByDay: z.array(z.object({ day: z.string(), count, failed: count, bytes, copiedBytes: bytes, reusedBytes: bytes })),
  drills: z.array(z.object({ at: timestamp, table: z.string(), ok: z.boolean(), rtoSeconds: z.number().optional(), rpoSeconds: z.number().optional(), rtoTargetSeconds: z.number().optional(), rpoTargetSeconds: z.number().optional() })),
  validations: z.array(z.object({ at: timestamp, subject: z.string(), ok: z.boolean(), bytesRead: bytes, coverage: z.number().optional(), cycle: count.optional() })),
  cycles: z.array(z.object({ subject: z.string(), cycle: count, coverage: z.number().optional(), completedCycles: count, lastCompletedAt: timestamp.optional(), badObjects: count })),
  audits: z.array(z.object({ at: timestamp, ok: z.boolean(), critical: count, high: count, medium: count, low: count, info: count })),
  plans: z.array(z.object({ plan: z.string(), updatedAt: timestamp, failingSteps: z.array(z.string()) })),
  totals: z.object({ backups: count, backupBytes: bytes, copiedBytes: bytes, reusedBytes: bytes, drills: count, failedDrills: count, validations: count, failedValidations: count, audits: count }),
  unreadableRecords: count,
  htmlFile: z.string().optional(),
}).describe('lakevault report --format json (the data of report --html)');
