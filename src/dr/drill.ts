import type { Config } from '../config/config';
import { refuseOverlap } from '../store/overlap';
import type { ObjectStore } from '../store/types';
import { openTableSource } from '../sources/registry';
import type { TableRef } from '../table/table-ref';
import type { ValidationLevel, ValidationReport } from '../validate';
import { createCheckpoint } from './checkpoint';
import { checkDisaster, simulateDisaster, type DisasterKind, type DisasterOutcome } from './disasters';
import { recoverTable } from './recover';
import { accountForRecovery, recoverableDestruction, refuseChangedPlan } from './blast-radius';

export interface DrillOptions {
  disaster: DisasterKind;
  /** How the recovered table is validated against the checkpoint (default: full). */
  level?: ValidationLevel;
  onStep?: (step: string) => void;
}

/** The seed's DR summary fields, plus what lakevault measures. */
export interface DrillReport {
  table: string;
  disaster: DisasterKind;
  checkpoint_id: string;
  checkpoint_timestamp: number;
  checkpoint_location: string;
  original_records: number;
  recovered_records: number;
  recovery_valid: boolean;
  status: 'SUCCESS' | 'FAILED';
  rto_ms: number;
  /** Of rto_ms, the validation of the recovered table. */
  validation_ms: number;
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
  refuseOverlap([{ name: `table ${table.name}`, location: table.location }, { name: 'the checkpoints location', location: config.checkpoints }]);
  const source = await openTableSource(store, table);
  const original = await source.readVersion();
  await checkDisaster(store, table, options.disaster, config.checkpoints.bucket);
  const doomed = await recoverableDestruction(store, table, original, options.disaster);

  options.onStep?.('checkpoint');
  const checkpoint = await createCheckpoint(store, config, table, { label: `drill ${options.disaster}` });
  await refuseChangedPlan(store, table, original, options.disaster, doomed, checkpoint.generation);

  options.onStep?.(`disaster: ${options.disaster}`);
  const disaster = await simulateDisaster(store, table, original, options.disaster, doomed);
  const detectedAt = new Date();

  options.onStep?.('recover');
  const recovered = await recoverTable(store, config, table, { checkpoint: checkpoint.id, detectedAt, level: options.level ?? 'full' });
  const account = await accountForRecovery(store, table, doomed, original, await source.readVersion());

  const valid = recovered.recovery_valid && recovered.recovered_records === original.totals.rows
    && recovered.restore.rows === checkpoint.rows && account.missing.length === 0;
  return {
    table: table.name,
    disaster: options.disaster,
    checkpoint_id: checkpoint.id,
    checkpoint_timestamp: recovered.checkpoint_timestamp,
    checkpoint_location: recovered.checkpoint_location,
    original_records: original.totals.rows,
    recovered_records: recovered.recovered_records,
    recovery_valid: valid,
    status: valid ? 'SUCCESS' : 'FAILED',
    rto_ms: recovered.rto_ms,
    validation_ms: recovered.validation_ms,
    rpo_ms: recovered.rpo_ms,
    objects: recovered.restore.objects,
    bytes: recovered.restore.bytes,
    objects_destroyed: account.destroyed.length,
    objects_recovered: account.recovered.length,
    destroyed_objects: account.destroyed,
    recovered_objects: account.recovered,
    not_recovered: account.missing,
    disaster_detail: disaster,
    validation: recovered.restore.validation,
    elapsed_ms: Date.now() - started,
  };
}
