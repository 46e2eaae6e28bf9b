/**
 * lakevault as a library: `import { Lakevault } from 'lakevault'`.
 * Everything the CLI does is a method of the client; every result is a versioned report
 * (the document `--json` prints); every failure is a LakevaultError with a stable `code`.
 * See docs/LIBRARY.md.
 */
export { Lakevault, createLakevault, resolveConfig, type LakevaultOptions } from './api/client';
export type { CallOptions } from './api/context';
export type { ProgressEvent, ProgressListener, Operation } from './api/progress';
export { SCHEMA_VERSION, type Report } from './api/report';
export type { ReportedIntegrityError } from './api/validation-failure';

export type { TableApi, CreateTableOptions, WriteTableOptions, TableCreateReport, TableWriteReport, TableInspectReport, TableListReport, TableDropReport } from './api/tables';
export type { CopyOptions, CopyReport } from './api/copy';
export type {
  BackupApi, CreateBackupOptions, RestoreBackupOptions, PruneOptions,
  BackupCreateReport, BackupListReport, BackupShowReport, BackupDeleteReport, BackupPruneReport, BackupRestoreReport,
} from './api/backups';
export type {
  CheckpointApi, CreateCheckpointOptions, RecoverOptions, DrillOptions,
  CheckpointCreateReport, CheckpointListReport, RecoverReport, DrillRunReport,
} from './api/recovery';
export type { RepositoryApi, UpgradeRepositoryOptions, RepoUpgradeReport } from './api/repository';
export { auditChecks, type ValidateOptions, type AuditOptions, type ValidateReport, type AuditRunReport, type AuditChecksReport } from './api/checks';
export type { RepositoryView } from './audit/checks/failure-domain';
export type { DoctorOptions, DoctorReport, MultipartUploads, ReportedUpload } from './api/doctor';

export { reportSchemas, SCHEMA_DIRECTORY, type ReportName } from './api/schemas/index';

export {
  LakevaultError, ConfigError, UsageError, AccessError, NotFoundError, ConflictError, IntegrityError,
  UnreachableError, UnsupportedError, StoreError, type ErrorCode,
} from './errors';

export { loadConfig, describeConfig, describeSettings, type Config, type ConfigOverrides, type SettingName, type SettingOrigin, type SettingSource, type ShownSetting } from './config/config';
export { TOOL_VERSION as VERSION } from './version';
export { DISASTERS, type DisasterKind } from './dr/disasters';
export {
  RETENTION_RULES, WITHIN_RULES, applyRetention, checkRetentionPolicy,
  type RetentionPolicy, type RetentionRule, type WithinRule, type RetentionCandidate, type RetentionDecision,
} from './retention/policy';
export { SEVERITIES, type Severity, type CheckResult } from './audit/types';
export type { Difference, DifferenceKind, FileError, ValidationLevel, ValidationReport } from './validate/types';
export type { EncryptionOptions } from './store/types';
export type { FieldDescription } from './model/schema';
export type { TableManifest } from './table/manifest';
export type { SnapshotManifest } from './snapshot/manifest';
export type { SnapshotSummary, OrphanEntry } from './snapshot/catalog';
export type { AuthenticationStatus } from './snapshot/authentication';
