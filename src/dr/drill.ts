import type { Config } from '../config/config';
import { refuseOverlap } from '../store/overlap';
import type { ObjectStore } from '../store/types';
import { openTableSource } from '../sources/registry';
import type { TableRef } from '../table/table-ref';
import { compareFileSets, validateFileSet, type ValidationLevel, type ValidationReport } from '../validate';
import type { ValidatedSets } from '../restore/restore';
import { createCheckpoint } from './checkpoint';
import { checkDisaster, simulateDisaster, type DisasterKind, type DisasterOutcome } from './disasters';
import { recoverTable } from './recover';
import { accountForRecovery, recoverableDestruction, refuseChangedPlan } from './blast-radius';

export interface DrillOptions {
  disaster: DisasterKind;
  /**
   * How the recovered table is validated against the checkpoint (default: full). The RTO
   * includes a quick validation; a full one runs after it, once the table is back.
   */
  level?: ValidationLevel;
  /** Drill a table meant to be empty (its checkpoint holds no data files); refused otherwise. */
  allowEmpty?: boolean;
  /** Told each step as it starts; the drill waits for what it returns. */
  onStep?: (step: string) => void | Promise<void>;
  /** The checkpoints' store when they live on another endpoint (off-site): the checkpoint and the recovery cross endpoints. */
  checkpointStore?: ObjectStore;
  /** Objects copied by the checkpoint and by the recovery (a bar within their phases). */
  onProgress?: (progress: { objects: number; bytes: number; totalObjects: number }) => void;
}

/** The seed's DR summary fields, plus what lakevault measures. */
export interface DrillReport {
  table: string;
  disaster: DisasterKind;
  checkpoint_id: string;
  checkpoint_timestamp: number;
  checkpoint_location: string;
  checkpoint_endpoint: string;
  original_records: number;
  recovered_records: number;
  recovery_valid: boolean;
  status: 'SUCCESS' | 'FAILED';
  /** Time until the data was back: finding the checkpoint, copying, switching, and a validation at rto_validation_level. */
  rto_ms: number;
  /** The validation level rto_ms includes: always quick (objects, sizes, ETags, footers). */
  rto_validation_level: ValidationLevel;
  /** Of rto_ms, the validation of the recovered table. */
  validation_ms: number;
  /** The full validation run after the table was back (not part of rto_ms), when the drill's level is full. */
  full_validation_ms?: number;
  /** Time until the recovered table was verified at the drill's level: rto_ms plus full_validation_ms. */
  verified_ms: number;
  rpo_ms: number;
  objects: number;
  bytes: number;
  /** How many objects the disaster destroyed (deleted or damaged), and how many of them the recovery brought back. */
  objects_destroyed: number;
  objects_recovered: number;
  /** The destroyed objects (s3:// URIs), the objects holding their content after the recovery, and any not brought back. */
  destroyed_objects: string[];
  recovered_objects: string[];
  not_recovered: string[];
  disaster_detail: DisasterOutcome;
  /** The validation at the drill's level: the full one when it ran, else the quick one inside rto_ms. */
  validation: ValidationReport;
  elapsed_ms: number;
}

/**
 * The seed's disaster-recovery procedure, end to end, on one table: checkpoint →
 * simulate the disaster → recover from that checkpoint → validate. It destroys only what
 * its checkpoint brings back: the objects the disaster would destroy are listed first, and
 * a drill that would destroy anything else (an object beside a table's manifest, a file of
 * an older Delta version, a neighbour in a dropped bucket) is refused before anything
 * happens, naming it. The table is a lakevault table or a prefix lakevault did not write
 * (Hive/DuckDB output, a Delta table): its version is what its kind reads
 * (src/sources), and the recovery puts every object back under its own key.
 */
export async function runDrill(store: ObjectStore, config: Config, table: TableRef, options: DrillOptions): Promise<DrillReport> {
  const started = Date.now();
  const offsite = options.checkpointStore !== undefined && options.checkpointStore !== store;
  const atCheckpoints = offsite ? { repositoryStore: options.checkpointStore! } : {};
  if (!offsite) refuseOverlap([{ name: `table ${table.name}`, location: table.location }, { name: 'the checkpoints location', location: config.checkpoints }]);
  const source = await openTableSource(store, table);
  const original = await source.readVersion();
  await checkDisaster(store, table, options.disaster, config.checkpoints.bucket, offsite);
  const doomed = await recoverableDestruction(store, table, original, options.disaster);

  await options.onStep?.('checkpoint');
  const checkpoint = await createCheckpoint(store, config, table, { label: `drill ${options.disaster}`, ...atCheckpoints, ...(options.allowEmpty ? { allowEmpty: true } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  await refuseChangedPlan(store, table, original, options.disaster, doomed, checkpoint.generation);

  await options.onStep?.(`disaster: ${options.disaster}`);
  const disaster = await simulateDisaster(store, table, original, options.disaster, doomed);
  const detectedAt = new Date();

  await options.onStep?.('recover');
  // RTO is the time until the data is back: the recovery checks it quickly (every object, its
  // size, ETag and footer); the full validation, which reads every page, comes after.
  let sets: ValidatedSets | undefined;
  const recovered = await recoverTable(store, config, table, { checkpoint: checkpoint.id, detectedAt, level: 'quick', ...atCheckpoints, ...(options.onProgress ? { onProgress: options.onProgress } : {}), onValidate: () => void options.onStep?.('quick validation'), onValidated: (validated) => { sets = validated; } });
  let full: ValidationReport | undefined;
  if ((options.level ?? 'full') === 'full' && sets) {
    await options.onStep?.('full validation');
    // Off-site, the recovered table is held to the digests the checkpoint recorded (restore.ts).
    full = offsite
      ? await validateFileSet(store, sets.restored, { level: 'full' })
      : await compareFileSets(store, sets.expected, sets.restored, { level: 'full' });
  }
  await options.onStep?.('account for what was destroyed and recovered');
  const account = await accountForRecovery(store, table, doomed, original, await source.readVersion());

  const valid = recovered.recovery_valid && (full?.ok ?? true) && recovered.recovered_records === original.totals.rows
    && recovered.restore.rows === checkpoint.rows && account.missing.length === 0;
  return {
    table: table.name,
    disaster: options.disaster,
    checkpoint_id: checkpoint.id,
    checkpoint_timestamp: recovered.checkpoint_timestamp,
    checkpoint_location: recovered.checkpoint_location,
    checkpoint_endpoint: recovered.checkpoint_endpoint,
    original_records: original.totals.rows,
    recovered_records: recovered.recovered_records,
    recovery_valid: valid,
    status: valid ? 'SUCCESS' : 'FAILED',
    rto_ms: recovered.rto_ms,
    rto_validation_level: 'quick',
    validation_ms: recovered.validation_ms,
    ...(full ? { full_validation_ms: full.elapsedMs } : {}),
    verified_ms: recovered.rto_ms + (full?.elapsedMs ?? 0),
    rpo_ms: recovered.rpo_ms,
    objects: recovered.restore.objects,
    bytes: recovered.restore.bytes,
    objects_destroyed: account.destroyed.length,
    objects_recovered: account.recovered.length,
    destroyed_objects: account.destroyed,
    recovered_objects: account.recovered,
    not_recovered: account.missing,
    disaster_detail: disaster,
    validation: full ?? recovered.restore.validation,
    elapsed_ms: Date.now() - started,
  };
}
