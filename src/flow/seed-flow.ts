import type { Config } from '../config/config';
import type { ObjectStore } from '../store/types';
import { createSalesTable } from '../table/create';
import { requireTableManifest } from '../table/manifest';
import { openTableSource, snapshotRestorer } from '../sources/registry';
import { resolveTable } from '../table/table-ref';
import { createSnapshot } from '../snapshot/create';
import { snapshotFileSet } from '../snapshot/file-set';
import { tableFileSet } from '../table/file-set';
import { requireCompleteSnapshot } from '../snapshot/catalog';
import { backupRepository } from '../snapshot/repository';
import { compareFileSets, type ValidationReport } from '../validate';
import { restoreSnapshot } from '../restore/restore';
import { createCheckpoint } from '../dr/checkpoint';
import { simulateDisaster, type DisasterKind } from '../dr/disasters';
import { recoverableDestruction } from '../dr/blast-radius';
import { recoverTable } from '../dr/recover';
import { auditStep } from '../audit/flow-step';
import { SCHEMA_VERSION } from '../api/report';

export interface FlowOptions {
  table: string;
  rows: number;
  seed: number;
  rowsPerFile: number;
  disaster?: DisasterKind;
  onStep?: (step: string) => void;
}

/** What a validation contributes to the summary: the verdict and what differs, not every figure. */
function verdict(report: ValidationReport) {
  return {
    ok: report.ok, level: report.level,
    // Each side's rows; rowsChecked sums the sides (a comparison checks every row of both).
    rows: report.subjects.map((subject) => subject.rows), rowsChecked: report.rowsChecked, elapsedMs: report.elapsedMs,
    differences: report.differences, fileErrors: report.fileErrors,
  };
}

/**
 * The seed project's flow, S3-native, one step after the other:
 *   1. generate the sales rows and create the table;
 *   2. back it up (server-side);
 *   3. restore the backup to a new table;
 *   4. validate original = backup = restored (full: content digests);
 *   5. checkpoint; 6. simulate a disaster; 7. recover from the checkpoint;
 *   8. validate the recovered table against the checkpoint.
 *   9. audit the store's security (findings in the summary; they do not fail the flow).
 */
export async function runSeedFlow(store: ObjectStore, config: Config, options: FlowOptions) {
  const started = Date.now();
  const table = resolveTable(config, options.table);
  const restoredTable = resolveTable(config, `${table.name}_restored`);
  const backups = backupRepository(config);
  const steps: Record<string, unknown> = {};
  const step = (name: string) => options.onStep?.(name);

  step('1. generate and create table');
  steps.create = await createSalesTable(store, table, {
    rows: options.rows, seed: options.seed, rowsPerFile: options.rowsPerFile, rowGroupRows: 262_144, overwrite: true,
  });

  step('2. backup');
  const backup = await createSnapshot(store, backups, table, openTableSource, { concurrency: config.concurrency, label: 'seed flow' });
  steps.backup = backup;

  step('3. restore to a new table');
  const backupManifest = await requireCompleteSnapshot(store, backups, { id: backup.id, of: table.location });
  const restored = await restoreSnapshot(store, backups, backupManifest, restoredTable, snapshotRestorer, { force: true, concurrency: config.concurrency });
  steps.restore = { ...restored, validation: verdict(restored.validation) };

  step('4. validate original = backup = restored');
  const original = tableFileSet(table, await requireTableManifest(store, table.location, table.name));
  const backupSet = snapshotFileSet(backups, backupManifest);
  const restoredSet = tableFileSet(restoredTable, await requireTableManifest(store, restoredTable.location, restoredTable.name));
  const originalVsBackup = await compareFileSets(store, original, backupSet, { level: 'full' });
  const backupVsRestored = await compareFileSets(store, backupSet, restoredSet, { level: 'full' });
  steps.validate = { originalVsBackup: verdict(originalVsBackup), backupVsRestored: verdict(backupVsRestored) };
  const integrityOk = originalVsBackup.ok && backupVsRestored.ok && restored.ok;

  step('5. checkpoint');
  const checkpoint = await createCheckpoint(store, config, table, { label: 'seed flow' });
  steps.checkpoint = checkpoint;

  step(`6. disaster (${options.disaster ?? 'delete-prefix'})`);
  const version = await (await openTableSource(store, table)).readVersion();
  const disaster = options.disaster ?? 'delete-prefix';
  steps.disaster = await simulateDisaster(store, table, version, disaster, await recoverableDestruction(store, table, version, disaster));
  const detectedAt = new Date();

  step('7. recover from the checkpoint');
  const recovered = await recoverTable(store, config, table, { checkpoint: checkpoint.id, detectedAt, level: 'full', onValidate: () => step('8. validate the recovered table') });
  steps.recover = { ...recovered, restore: { ...recovered.restore, validation: verdict(recovered.restore.validation) } };

  const recoveryValid = recovered.recovery_valid && recovered.recovered_records === options.rows;

  step('9. security audit of the store');
  steps.audit = await auditStep(store, config);

  const ok = integrityOk && recoveryValid;
  return {
    schemaVersion: SCHEMA_VERSION,
    ok,
    status: ok ? 'SUCCESS' : 'FAILED',
    endpoint: store.endpoint,
    table: table.uri,
    records_generated: options.rows,
    backup_name: backup.id,
    backup_path: backup.uri,
    restore_path: restoredTable.uri,
    integrity_ok: integrityOk,
    checkpoint_timestamp: recovered.checkpoint_timestamp,
    checkpoint_location: recovered.checkpoint_location,
    original_records: version.totals.rows,
    recovered_records: recovered.recovered_records,
    recovery_valid: recoveryValid,
    rto_ms: recovered.rto_ms,
    rpo_ms: recovered.rpo_ms,
    steps,
    elapsedMs: Date.now() - started,
  };
}
