import type { z } from 'zod';
import { audit, auditChecks, error, validate } from './checks';
import { doctor } from './doctor';
import { backupCreate, backupDelete, backupList, backupPrune, backupRestore, backupShow, checkpointCreate, checkpointList, drill, recover } from './snapshots';
import { copy, tableCreate, tableDrop, tableInspect, tableList } from './tables';
import { planCheck, planRun, reportDocument, validateCycle } from './ops';
import { planFile } from '../../plan/schema';

/**
 * The zod schema of every command's --json report, by the file name it is published
 * under (schemas/v1/<name>.json). The CLI's output and the library's return values follow
 * them; test/library/cli-json-schemas.test.ts holds every command to its schema.
 */
export const reportSchemas = {
  'table-create': tableCreate,
  'table-inspect': tableInspect,
  'table-list': tableList,
  'table-drop': tableDrop,
  copy,
  'backup-create': backupCreate,
  'backup-list': backupList,
  'backup-show': backupShow,
  'backup-delete': backupDelete,
  'backup-prune': backupPrune,
  'backup-restore': backupRestore,
  'checkpoint-create': checkpointCreate,
  'checkpoint-list': checkpointList,
  recover,
  drill,
  validate,
  'validate-cycle': validateCycle,
  'plan-check': planCheck,
  'plan-run': planRun,
  report: reportDocument,
  audit,
  'audit-checks': auditChecks,
  doctor,
  error,
} as const satisfies Record<string, z.ZodType>;

export type ReportName = keyof typeof reportSchemas;

/** Schemas of lakevault's input files, published beside the reports (for editors and CI linters). */
export const inputSchemas = {
  'plan-file': planFile,
} as const satisfies Record<string, z.ZodType>;

/** Where the JSON Schema files are published, relative to the package root. */
export const SCHEMA_DIRECTORY = 'schemas/v1';
