import { z } from 'zod';
import { count, field, millis, s3Uri, schemaVersion, timestamp, totals, validation } from './common';

const kind = z.enum(['backup', 'checkpoint']);
const transfer = z.object({ objects: count, bytes: count });

/** `backup create` and `checkpoint create`. */
const snapshotCreateShape = {
  schemaVersion,
  kind,
  id: z.string().describe('sortable UTC id, e.g. 20261207T192747.396Z-4b3673'),
  table: z.string(),
  source: s3Uri.optional().describe('the table\'s location: what the snapshot belongs to'),
  uri: s3Uri,
  state: z.literal('complete'),
  createdAt: timestamp,
  generation: z.string(),
  rows: count,
  objects: count,
  bytes: count,
  copied: transfer.describe('copied by this run'),
  skipped: transfer.describe('already there from an interrupted run (resume)'),
  reused: transfer.describe('referenced from earlier backups (incremental)'),
  attempts: count.describe('1 unless the table was overwritten mid-copy and the snapshot restarted'),
  tags: z.array(z.string()).optional(),
  lock: z.object({ mode: z.string(), retainUntil: timestamp }).optional(),
  elapsedMs: millis,
};
export const backupCreate = z.object(snapshotCreateShape).describe('lakevault backup create --json');
export const checkpointCreate = z.object(snapshotCreateShape).describe('lakevault checkpoint create --json');

export const backupCopy = z.object({
  schemaVersion,
  kind,
  id: z.string().describe('the backup\'s id, kept by the copy'),
  table: z.string(),
  source: s3Uri.describe('the table\'s location the backup was taken of'),
  from: s3Uri.describe('the backup copied'),
  uri: s3Uri.describe('the copy'),
  state: z.enum(['copied', 'present']).describe('present: the destination already held this complete backup; nothing was copied'),
  objects: count,
  bytes: count,
  copied: transfer.describe('copied by this run'),
  skipped: transfer.describe('already at the destination from an interrupted copy (resumed)'),
  reused: transfer.describe('referenced from backups the destination already held (same digest, size and source ETag)'),
  authenticated: z.boolean().describe('the copy\'s manifest is signed with the configured manifest key'),
  path: z.enum(['between endpoints', 'server-side']).describe('between endpoints: the bytes streamed through lakevault, checked on their way'),
  validation: validation.optional().describe('the copy checked from the destination before its manifest was written (absent when it was already there)'),
  lock: z.object({ mode: z.string(), retainUntil: timestamp }).optional(),
  elapsedMs: millis,
}).describe('lakevault backup copy --json');

const snapshotSummary = z.object({
  id: z.string(),
  kind,
  table: z.string().describe('the source table\'s readable name (its last segment); source says which table it is'),
  source: s3Uri.optional().describe('the source table\'s location: snapshots are selected by it'),
  endpoint: z.string().optional().describe('the source\'s endpoint as recorded (embedded, aws, or scheme://host:port); absent for layout-1 snapshots'),
  uri: s3Uri,
  series: z.string().optional().describe('the folder under the repository root: <name>-<hash> (layout 2) or the table name (layout 1)'),
  layout: z.union([z.literal(1), z.literal(2)]).optional().describe('1 = filed as lakevault 0.1.0 did (lakevault repo upgrade moves it)'),
  state: z.enum(['complete', 'incomplete']),
  createdAt: timestamp,
  label: z.string().optional(),
  tags: z.array(z.string()).optional(),
  rows: count.optional(),
  objects: count.optional(),
  bytes: count.optional(),
  lockedUntil: timestamp.optional(),
  lockMode: z.string().optional(),
  reusedObjects: count.optional(),
  empty: z.literal(true).optional().describe('the snapshot holds no data files (taken with --allow-empty)'),
  generation: z.string().optional(),
  authenticated: z.boolean().optional().describe('with a manifest key configured: whether it authenticates this snapshot\'s manifest'),
});

const orphaned = z.array(z.object({
  id: z.string(),
  series: z.string(),
  uri: s3Uri,
  objects: count,
  bytes: count,
})).optional().describe('snapshot folders with no manifest and no marker (an interrupted delete): `backup delete <id>` removes them');

export const backupList = z.object({ schemaVersion, repository: s3Uri, backups: z.array(snapshotSummary), orphaned }).describe('lakevault backup list --json');
export const checkpointList = z.object({
  schemaVersion,
  repository: s3Uri.describe('the checkpoints location listed'),
  table: z.string().optional().describe('the table asked for (absent: every table\'s checkpoints)'),
  source: s3Uri.optional(),
  checkpoints: z.array(snapshotSummary),
  orphaned,
}).describe('lakevault checkpoint list --json');

export const backupShow = z.object({
  schemaVersion,
  format: z.literal('lakevault.snapshot'),
  formatVersion: z.union([z.literal(1), z.literal(2)]).describe('1: lakevault 0.1.0 (source.uri only); 2: source.location recorded, optional authentication'),
  kind,
  id: z.string(),
  label: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: timestamp,
  completedAt: timestamp,
  toolVersion: z.string(),
  source: z.object({
    table: z.string(),
    uri: s3Uri,
    location: z.object({ endpoint: z.string(), bucket: z.string(), prefix: z.string() }).optional().describe('format 2: where the table was, and the endpoint it was taken through'),
    generation: z.string(),
    manifestDigest: z.string(),
    manifestEtag: z.string(),
    tableCreatedAt: timestamp,
    origin: z.record(z.string(), z.unknown()).optional(),
  }),
  schema: z.array(field),
  files: z.array(z.object({
    relativeKey: z.string(),
    bucket: z.string(),
    key: z.string(),
    size: count,
    etag: z.string(),
    sourceEtag: z.string(),
    digest: z.string(),
    columnDigests: z.record(z.string(), z.string()),
    rows: count,
    rowGroups: count,
    reusedFrom: z.string().optional(),
    kind: z.enum(['data', 'metadata']).optional().describe('tables lakevault did not write: metadata = logs and layout files; absent = data'),
    schema: z.array(field).optional().describe('a file\'s own schema when it drifts from the table\'s'),
  })),
  totals,
  contentDigest: z.string(),
  transfer: z.object({ copiedObjects: count, copiedBytes: count, reusedObjects: count, reusedBytes: count }),
  lock: z.object({ mode: z.enum(['GOVERNANCE', 'COMPLIANCE']), retainUntil: timestamp }).optional(),
  empty: z.literal(true).optional().describe('the snapshot holds no data files: taken with --allow-empty of a table meant to be empty'),
  authentication: z.object({ algorithm: z.literal('HMAC-SHA256'), keyId: z.string(), mac: z.string() }).optional().describe('written with a manifest key configured'),
}).describe('lakevault backup show --json (the backup manifest)');

const snapshotDelete = z.object({
  schemaVersion,
  kind,
  id: z.string(),
  table: z.string(),
  source: s3Uri.optional().describe('the source location (unknown for an orphaned snapshot)'),
  state: z.enum(['complete', 'incomplete', 'orphaned']),
  deletedObjects: count,
  keptForOthers: count,
  collected: count,
});
export const backupDelete = snapshotDelete.describe('lakevault backup delete --json');
export const checkpointDelete = snapshotDelete.describe('lakevault checkpoint delete --json');

const retentionCount = z.number().int().min(-1).describe('how many to keep; -1: unlimited');
const retentionDuration = z.string().describe('restic\'s duration syntax, e.g. 1y2m3d4h, counted back from the newest backup');
const snapshotPrune = z.object({
  schemaVersion,
  table: z.string(),
  source: s3Uri.optional().describe('the table\'s location: prune decides over its backups only'),
  dryRun: z.boolean(),
  policy: z.object({
    last: retentionCount, hourly: retentionCount, daily: retentionCount, weekly: retentionCount, monthly: retentionCount, yearly: retentionCount,
    within: retentionDuration, withinHourly: retentionDuration, withinDaily: retentionDuration, withinWeekly: retentionDuration,
    withinMonthly: retentionDuration, withinYearly: retentionDuration,
    tags: z.array(z.array(z.string())).describe('one list per --keep-tag: a backup with every tag of any list is kept'),
  }).partial().describe('the rules applied, with restic\'s names (--keep-last … --keep-tag)'),
  kept: count,
  removed: count,
  decisions: z.array(z.object({
    id: z.string(),
    createdAt: timestamp,
    tags: z.array(z.string()).optional(),
    state: z.enum(['complete', 'incomplete']),
    action: z.enum(['keep', 'remove']),
    reasons: z.array(z.string()).describe('restic\'s words for each rule that kept it (e.g. "daily snapshot", "oldest yearly snapshot", "within 7d", "has tags [legal]"), or why it is kept or removed otherwise'),
    deletedObjects: count.optional(),
  })),
});
export const backupPrune = snapshotPrune.describe('lakevault backup prune --json');
export const checkpointPrune = snapshotPrune.describe('lakevault checkpoint prune --json (the same rules as backup prune, over a table\'s checkpoints)');

export const restoreResult = z.object({
  snapshot: z.object({ kind: z.string(), id: z.string(), uri: s3Uri, table: z.string() }),
  table: z.string(),
  uri: s3Uri,
  mode: z.enum(['new', 'replace']).describe('new: into an empty prefix; replace: over what was there'),
  inPlace: z.boolean().describe('mode replace into the snapshot\'s own source location: the table was replaced where it stands (never with mode new)'),
  generation: z.string(),
  replacedGeneration: z.string().optional(),
  rows: count,
  objects: count,
  bytes: count,
  removedObjects: count,
  metadataLocation: z.string().optional().describe('an Iceberg table: the restored metadata file, for a catalog\'s register_table'),
  validation,
  ok: z.boolean(),
  elapsedMs: millis,
});
export const backupRestore = restoreResult.extend({ schemaVersion }).describe('lakevault backup restore --json');

const recovery = {
  table: z.string(),
  uri: s3Uri,
  checkpoint_id: z.string(),
  checkpoint_timestamp: count.describe('Unix seconds'),
  checkpoint_location: s3Uri,
  checkpoint_endpoint: z.string().describe('the endpoint the checkpoint is kept on (embedded, embedded:<site>, aws, or scheme://host:port): off-site when it is not the table\'s'),
  rto_ms: millis,
  rpo_ms: millis,
  recovered_records: count,
  recovery_valid: z.boolean(),
  validation_ms: millis.describe('time spent validating the recovered table (part of rto_ms)'),
};
export const recover = z.object({
  schemaVersion,
  ...recovery,
  table_before: z.enum(['missing', 'damaged', 'intact']).describe('what was at the table before the recovery replaced it; intact: its manifest and every file it lists, with their sizes (contents not read)'),
  restore: restoreResult,
}).describe('lakevault recover --json');

export const drill = z.object({
  schemaVersion,
  table: z.string(),
  disaster: z.enum(['delete-prefix', 'delete-objects', 'corrupt-object', 'drop-bucket', 'lose-site']),
  checkpoint_id: z.string(),
  checkpoint_timestamp: count,
  checkpoint_location: s3Uri,
  checkpoint_endpoint: z.string().describe('the endpoint the checkpoint is kept on (embedded, embedded:<site>, aws, or scheme://host:port): off-site when it is not the table\'s'),
  original_records: count,
  recovered_records: count,
  recovery_valid: z.boolean(),
  status: z.enum(['SUCCESS', 'FAILED']),
  rto_ms: millis.describe('time until the data was back: finding the checkpoint, copying, switching, and a validation at rto_validation_level'),
  rto_validation_level: z.enum(['quick', 'full']).describe('the validation level rto_ms includes (quick: every object, its size, ETag and footer)'),
  rpo_ms: millis,
  validation_ms: millis.describe('time spent validating the recovered table (part of rto_ms)'),
  full_validation_ms: millis.optional().describe('the full validation (every page and row group) run after the table was back, not part of rto_ms; present when the drill\'s level is full'),
  verified_ms: millis.describe('time until the recovered table was verified at the drill\'s level: rto_ms plus full_validation_ms'),
  objects: count,
  bytes: count,
  objects_destroyed: count.describe('objects the disaster deleted or damaged (every one held by the checkpoint, or the drill is refused)'),
  objects_recovered: count.describe('of objects_destroyed, how many the recovery brought back'),
  destroyed_objects: z.array(s3Uri).describe('the objects the disaster destroyed'),
  recovered_objects: z.array(s3Uri).describe('where their content is after the recovery (a lakevault table\'s data files come back under new generation keys)'),
  not_recovered: z.array(s3Uri).describe('destroyed objects whose content is not back: any makes the drill FAILED'),
  disaster_detail: z.object({ disaster: z.string(), objectsAffected: count, detail: z.string(), at: timestamp }),
  validation: validation.describe('the validation at the drill\'s level: the full one when it ran, else the quick one inside rto_ms'),
  elapsed_ms: millis,
}).describe('lakevault drill --json');

export const repoUpgrade = z.object({
  schemaVersion,
  repository: s3Uri,
  dryRun: z.boolean(),
  formatBefore: count.describe('1 = written by lakevault 0.1.0 (no format marker)'),
  formatAfter: count,
  moves: z.array(z.object({
    id: z.string(),
    state: z.enum(['complete', 'incomplete', 'retained']),
    source: s3Uri.optional(),
    from: s3Uri,
    to: s3Uri,
    alreadyCopied: z.boolean().describe('moved by an earlier, interrupted run: only its layout-1 objects were left to remove'),
  })),
  rewritten: z.array(s3Uri).describe('layout-2 snapshots whose manifests referenced moved files'),
  collected: count.describe('files of deleted snapshots that nothing references any more, removed'),
  orphaned: z.array(z.object({ id: z.string(), series: z.string(), uri: s3Uri, objects: count, bytes: count })).describe('layout-1 folders with neither manifest nor marker: left as they are'),
  validation: z.array(z.object({ id: z.string(), source: s3Uri, before: z.boolean(), after: z.boolean().optional() })),
  ok: z.boolean(),
  elapsedMs: millis,
}).describe('lakevault repo upgrade --json');
