import { opsArea } from '../history/area';
import { readHistory, readStatuses } from '../history/read';
import { HISTORY_KINDS, type HistoryRecord } from '../history/records';
import { listPlanStates } from '../plan/state';
import { formatS3Uri, type Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { listCycleStates } from '../verify/state';

/** How long a table may go without a successful backup when no plan says how often (a day, and some). */
const DEFAULT_BACKUP_WINDOW_MS = 26 * 3_600_000;

export interface TableProtection {
  table: string;
  status: 'protected' | 'at-risk' | 'unprotected';
  reasons: string[];
  backups: number;
  lastBackup?: { at: string; ok: boolean; bytes?: number };
  lastCheckpoint?: { at: string; ok: boolean };
  lastDrill?: { at: string; ok: boolean; rtoSeconds?: number; rpoSeconds?: number };
  lastValidation?: { at: string; ok: boolean; subject: string };
  rtoTargetSeconds?: number;
  rpoTargetSeconds?: number;
}

export interface ReportData {
  generatedAt: string;
  repositories: string[];
  tables: TableProtection[];
  backups: { at: string; table: string; ok: boolean; bytes: number; copiedBytes: number; reusedBytes: number; objects: number; reusedObjects: number }[];
  backupsByDay: { day: string; count: number; failed: number; bytes: number; copiedBytes: number; reusedBytes: number }[];
  drills: { at: string; table: string; ok: boolean; rtoSeconds?: number; rpoSeconds?: number; rtoTargetSeconds?: number; rpoTargetSeconds?: number }[];
  validations: { at: string; subject: string; ok: boolean; bytesRead: number; coverage?: number; cycle?: number }[];
  cycles: { subject: string; cycle: number; coverage?: number; completedCycles: number; lastCompletedAt?: string; badObjects: number }[];
  audits: { at: string; ok: boolean; critical: number; high: number; medium: number; low: number; info: number }[];
  plans: { plan: string; updatedAt: string; failingSteps: string[] }[];
  totals: { backups: number; backupBytes: number; copiedBytes: number; reusedBytes: number; drills: number; failedDrills: number; validations: number; failedValidations: number; audits: number };
  /** History records that could not be read (hand-edited, foreign) and were left out. */
  unreadableRecords: number;
}

/** Everything the repositories remember, shaped for the report (HTML or JSON: the same data). */
export async function reportData(store: ObjectStore, repositories: Location[], now = new Date()): Promise<ReportData> {
  const records: HistoryRecord[] = [];
  let unreadable = 0;
  const data: ReportData = {
    generatedAt: now.toISOString(), repositories: repositories.map(formatS3Uri), tables: [], backups: [], backupsByDay: [], drills: [], validations: [],
    cycles: [], audits: [], plans: [], totals: { backups: 0, backupBytes: 0, copiedBytes: 0, reusedBytes: 0, drills: 0, failedDrills: 0, validations: 0, failedValidations: 0, audits: 0 }, unreadableRecords: 0,
  };
  const targets = new Map<string, { rtoSeconds?: number; rpoSeconds?: number }>();
  const intervals = new Map<string, number>();
  const latestCoverage = new Map<string, number>();
  for (const repository of repositories) {
    const area = opsArea(repository);
    const history = await readHistory(store, area, HISTORY_KINDS);
    records.push(...history.records);
    unreadable += history.unreadable;
    for (const state of await listPlanStates(store, area)) {
      data.plans.push({ plan: state.plan, updatedAt: state.updatedAt, failingSteps: Object.entries(state.steps).filter(([, s]) => s.lastFailure && (!s.lastSuccess || s.lastFailure > s.lastSuccess)).map(([id]) => id) });
      for (const [table, target] of Object.entries(state.targets)) targets.set(table, target);
      for (const [step, every] of Object.entries(state.intervals)) intervals.set(step, every);
    }
    for (const status of await readStatuses(store, area)) {
      if (status.kind === 'validation' && status.last.figures.coverage !== undefined) latestCoverage.set(status.subject, status.last.figures.coverage);
    }
    for (const state of await listCycleStates(store, area)) {
      data.cycles.push({
        subject: state.subject, cycle: state.cycle, ...(latestCoverage.has(state.subject) ? { coverage: latestCoverage.get(state.subject)! } : {}),
        completedCycles: state.completed.length, ...(state.completed.length ? { lastCompletedAt: state.completed[state.completed.length - 1]!.completedAt } : {}),
        badObjects: Object.keys(state.failed).length,
      });
    }
  }
  records.sort((a, b) => (a.at < b.at ? -1 : 1));
  data.unreadableRecords = unreadable;

  const tables = new Map<string, TableProtection>();
  const tableOf = (name: string) => {
    let entry = tables.get(name);
    if (!entry) tables.set(name, (entry = { table: name, status: 'unprotected', reasons: [], backups: 0 }));
    return entry;
  };
  for (const r of records) {
    const f = r.figures;
    switch (r.kind) {
      case 'backup': {
        data.backups.push({ at: r.at, table: r.subject, ok: r.ok, bytes: f.bytes ?? 0, copiedBytes: f.copiedBytes ?? 0, reusedBytes: f.reusedBytes ?? 0, objects: f.objects ?? 0, reusedObjects: f.reusedObjects ?? 0 });
        const t = tableOf(r.subject);
        if (r.ok) t.backups += 1;
        t.lastBackup = { at: r.at, ok: r.ok, ...(f.bytes !== undefined ? { bytes: f.bytes } : {}) };
        break;
      }
      case 'checkpoint':
        tableOf(r.subject).lastCheckpoint = { at: r.at, ok: r.ok };
        break;
      case 'drill': {
        const target = targets.get(r.subject);
        data.drills.push({
          at: r.at, table: r.subject, ok: r.ok, ...pick({ rtoSeconds: f.rtoSeconds, rpoSeconds: f.rpoSeconds, rtoTargetSeconds: target?.rtoSeconds, rpoTargetSeconds: target?.rpoSeconds }),
        });
        tableOf(r.subject).lastDrill = { at: r.at, ok: r.ok, ...pick({ rtoSeconds: f.rtoSeconds, rpoSeconds: f.rpoSeconds }) };
        break;
      }
      case 'validation': {
        data.validations.push({ at: r.at, subject: r.subject, ok: r.ok, bytesRead: f.bytesRead ?? 0, ...pick({ coverage: f.coverage, cycle: f.cycle }) });
        const table = validationTable(r.subject, data.repositories);
        if (table && tables.has(table)) tables.get(table)!.lastValidation = { at: r.at, ok: r.ok, subject: r.subject };
        break;
      }
      case 'audit':
        data.audits.push({ at: r.at, ok: r.ok, critical: f.critical ?? 0, high: f.high ?? 0, medium: f.medium ?? 0, low: f.low ?? 0, info: f.info ?? 0 });
        break;
    }
  }
  for (const t of tables.values()) assess(t, targets.get(t.table), intervals.get(`${t.table}:backup`) ?? DEFAULT_BACKUP_WINDOW_MS, now);
  data.tables = [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));

  const days = new Map<string, ReportData['backupsByDay'][number]>();
  for (const b of data.backups) {
    const day = b.at.slice(0, 10);
    const entry = days.get(day) ?? { day, count: 0, failed: 0, bytes: 0, copiedBytes: 0, reusedBytes: 0 };
    if (b.ok) { entry.count += 1; entry.bytes += b.bytes; entry.copiedBytes += b.copiedBytes; entry.reusedBytes += b.reusedBytes; } else entry.failed += 1;
    days.set(day, entry);
  }
  data.backupsByDay = [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  const good = data.backups.filter((b) => b.ok);
  data.totals = {
    backups: good.length, backupBytes: sum(good.map((b) => b.bytes)), copiedBytes: sum(good.map((b) => b.copiedBytes)), reusedBytes: sum(good.map((b) => b.reusedBytes)),
    drills: data.drills.length, failedDrills: data.drills.filter((d) => !d.ok).length,
    validations: data.validations.length, failedValidations: data.validations.filter((v) => !v.ok).length, audits: data.audits.length,
  };
  return data;
}

/** protected: backed up within its interval, and the latest drill and validation passed (and met the targets). */
function assess(t: TableProtection, target: { rtoSeconds?: number; rpoSeconds?: number } | undefined, windowMs: number, now: Date): void {
  if (target?.rtoSeconds !== undefined) t.rtoTargetSeconds = target.rtoSeconds;
  if (target?.rpoSeconds !== undefined) t.rpoTargetSeconds = target.rpoSeconds;
  if (!t.backups) { t.status = 'unprotected'; t.reasons.push('no successful backup recorded'); return; }
  const reasons: string[] = [];
  if (t.lastBackup && !t.lastBackup.ok) reasons.push(`the last backup failed (${t.lastBackup.at})`);
  const lastGood = t.lastBackup?.ok ? Date.parse(t.lastBackup.at) : undefined;
  if (lastGood !== undefined && now.getTime() - lastGood > windowMs * 1.1) reasons.push(`last successful backup ${t.lastBackup!.at}, longer ago than its interval`);
  if (t.lastDrill && !t.lastDrill.ok) reasons.push(`the last drill failed (${t.lastDrill.at})`);
  if (t.lastDrill?.rtoSeconds !== undefined && t.rtoTargetSeconds !== undefined && t.lastDrill.rtoSeconds > t.rtoTargetSeconds) reasons.push(`drill RTO ${t.lastDrill.rtoSeconds.toFixed(1)} s over the ${t.rtoTargetSeconds} s target`);
  if (t.lastDrill?.rpoSeconds !== undefined && t.rpoTargetSeconds !== undefined && t.lastDrill.rpoSeconds > t.rpoTargetSeconds) reasons.push(`drill RPO ${t.lastDrill.rpoSeconds.toFixed(1)} s over the ${t.rpoTargetSeconds} s target`);
  if (t.lastValidation && !t.lastValidation.ok) reasons.push(`the last validation (${t.lastValidation.subject}) found problems`);
  t.status = reasons.length ? 'at-risk' : 'protected';
  t.reasons.push(...reasons);
}

function validationTable(subject: string, repositories: string[]): string | undefined {
  for (const root of repositories) if (subject.startsWith(root)) return subject.slice(root.length).split('/')[0] || undefined;
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(subject) ? subject : undefined;
}

function pick<T extends Record<string, number | undefined>>(values: T): Partial<{ [K in keyof T]: number }> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: number }>;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
