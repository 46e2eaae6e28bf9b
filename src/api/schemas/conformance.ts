import type { z } from 'zod';
import type { AuditChecksReport, AuditRunReport, ValidateReport } from '../checks';
import type { BackupPlanReport, BackupPlanVerifyReport } from '../batch-plan';
import type { CopyReport } from '../copy';
import type { DoctorReport } from '../doctor';
import type { BackupCreateReport, BackupDeleteReport, BackupListReport, BackupPruneReport, BackupShowReport } from '../backups';
import type { CheckpointCreateReport, CheckpointDeleteReport, CheckpointListReport, CheckpointPruneReport, DrillRunReport } from '../recovery';
import type { RepoUpgradeReport } from '../repository';
import type { TableCreateReport, TableDropReport, TableHistoryReport, TableInspectReport, TableListReport } from '../tables';
import type { reportSchemas as S } from './index';

/**
 * Compile-time proof that the library's report types fit their published schemas: when a
 * module's result type changes, the build fails here until the schema follows.
 * (Reports that embed the validator's loosely typed report — restore, recover — are held
 * to their schemas by the tests instead.)
 */
type Fits<T extends z.input<U>, U extends z.ZodType> = [T, U];
export type Conformance = [
  Fits<TableCreateReport, typeof S['table-create']>,
  Fits<TableInspectReport, typeof S['table-inspect']>,
  Fits<TableListReport, typeof S['table-list']>,
  Fits<TableDropReport, typeof S['table-drop']>,
  Fits<TableHistoryReport, typeof S['table-history']>,
  Fits<CopyReport, typeof S['copy']>,
  Fits<BackupCreateReport, typeof S['backup-create']>,
  Fits<BackupListReport, typeof S['backup-list']>,
  Fits<BackupShowReport, typeof S['backup-show']>,
  Fits<BackupDeleteReport, typeof S['backup-delete']>,
  Fits<BackupPruneReport, typeof S['backup-prune']>,
  Fits<BackupPlanReport, typeof S['backup-plan']>,
  Fits<BackupPlanVerifyReport, typeof S['backup-plan-verify']>,
  Fits<CheckpointCreateReport, typeof S['checkpoint-create']>,
  Fits<CheckpointListReport, typeof S['checkpoint-list']>,
  Fits<CheckpointDeleteReport, typeof S['checkpoint-delete']>,
  Fits<CheckpointPruneReport, typeof S['checkpoint-prune']>,
  Fits<RepoUpgradeReport, typeof S['repo-upgrade']>,
  Fits<DrillRunReport, typeof S['drill']>,
  Fits<ValidateReport, typeof S['validate']>,
  Fits<AuditRunReport, typeof S['audit']>,
  Fits<DoctorReport, typeof S['doctor']>,
  Fits<AuditChecksReport, typeof S['audit-checks']>,
];
