import { z } from 'zod';
import { count, s3Uri, schemaVersion, timestamp } from './common';
import { restoreResult } from './snapshots';

const point = z.object({
  kind: z.enum(['current', 'backup', 'checkpoint', 'version']).describe('version: an earlier generation whose manifest the versioned bucket still holds'),
  id: z.string().describe('what --as-of accepts for it: current, the backup or checkpoint id, the manifest version id'),
  at: timestamp.describe('the manifest\'s write (current, version: in force from then until the next point), or the snapshot\'s creation'),
  generation: z.string(),
  rows: count,
  contentDigest: z.string(),
  restorable: z.boolean(),
  reason: z.string().optional().describe('why it cannot be brought back (a file no longer held)'),
  uri: s3Uri,
});

export const tableHistory = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  versioning: z.object({
    bucket: z.string(),
    status: z.enum(['Enabled', 'Suspended', 'Off', 'unsupported', 'unreadable']).describe('earlier generations are listed only from a bucket that keeps versions'),
    detail: z.string().optional(),
  }),
  points: z.array(point).describe('newest first'),
  drops: z.array(z.object({ at: timestamp, versionId: z.string() })).describe('delete markers on the manifest: the table did not exist from then until the next point'),
  notes: z.array(z.string()),
}).describe('lakevault table history --json');

export const tableRestore = z.object({
  schemaVersion,
  table: z.string(),
  uri: s3Uri,
  asOf: z.object({
    requested: z.string(),
    inForce: point.describe('the newest point at or before the time (or the point named)'),
    from: point.describe('the point restored from: one that holds the generation in force (the table itself, a backup, a checkpoint, the versions)'),
  }),
  restore: restoreResult.optional().describe('absent when the target already is that generation'),
  ok: z.boolean(),
}).describe('lakevault table restore --json');
