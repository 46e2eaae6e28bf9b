import type { z } from 'zod';
import { SCHEMA_VERSION } from '../report';
import { audit, auditChecks, error, validate } from './checks';
import { backupPlan, backupPlanVerify } from './batch-plan';
import { doctor } from './doctor';
import { backupCopy, backupCreate, backupDelete, backupList, backupPrune, backupRestore, backupShow, checkpointCreate, checkpointDelete, checkpointList, checkpointPrune, drill, recover, repoUpgrade } from './snapshots';
import { copy, tableCreate, tableDrop, tableInspect, tableList } from './tables';
import { planCheck, planRun, reportDocument, validateCycle } from './ops';
import { planFile } from '../../plan/schema';
import { version } from './version';
import { tableCompact } from './compact';
import { diff } from './diff';
import { tableHistory, tableRestore } from './timeline';

/**
 * The zod schema of every command's --json report, by the file name it is published
 * under (schemas/v<SCHEMA_VERSION>/<name>.json). The CLI's output and the library's return
 * values follow them; test/library/cli-json-schemas.test.ts holds every command to its schema.
 */
export const reportSchemas = {
  'table-create': tableCreate,
  'table-inspect': tableInspect,
  'table-list': tableList,
  'table-drop': tableDrop,
  'table-compact': tableCompact,
  'table-history': tableHistory,
  'table-restore': tableRestore,
  copy,
  'backup-create': backupCreate,
  'backup-list': backupList,
  'backup-show': backupShow,
  'backup-delete': backupDelete,
  'backup-prune': backupPrune,
  'backup-restore': backupRestore,
  'backup-copy': backupCopy,
  'backup-plan': backupPlan,
  'backup-plan-verify': backupPlanVerify,
  'checkpoint-create': checkpointCreate,
  'checkpoint-list': checkpointList,
  'checkpoint-delete': checkpointDelete,
  'checkpoint-prune': checkpointPrune,
  'repo-upgrade': repoUpgrade,
  recover,
  drill,
  validate,
  'validate-cycle': validateCycle,
  'plan-check': planCheck,
  'plan-run': planRun,
  report: reportDocument,
  diff,
  audit,
  'audit-checks': auditChecks,
  doctor,
  error,
  version,
} as const satisfies Record<string, z.ZodType>;

export type ReportName = keyof typeof reportSchemas;

/** Schemas of lakevault's input files, published beside the reports (for editors and CI linters). */
export const inputSchemas = {
  'plan-file': planFile,
} as const satisfies Record<string, z.ZodType>;

/**
 * Where the JSON Schema files of the current version are published, relative to the
 * package root. Each earlier version keeps its own directory beside it (schemas/v1,
 * schemas/v2, ...): the build writes only this one and never touches the others.
 */
export const SCHEMA_DIRECTORY = schemaDirectory(SCHEMA_VERSION);

export function schemaDirectory(version: number): string {
  return `schemas/v${version}`;
}
