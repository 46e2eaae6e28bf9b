import { Gauge, Registry } from 'prom-client';
import { opsArea } from '../history/area';
import { readStatuses } from '../history/read';
import type { StatusRecord } from '../history/records';
import { listPlanStates } from '../plan/state';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { listCycleStates } from '../verify/state';

/**
 * The repository's state as Prometheus metrics, in the conventions users already alert on
 * (Velero's and the restic exporters': *_last_success_timestamp_seconds, *_success,
 * *_duration_seconds, *_bytes). Labels are tables, subjects, severities and plans — never
 * snapshot ids, which would make a new series per backup.
 *
 * Every value comes from what the repository remembers (src/history, verification cycles,
 * plan states), not from the command that happens to run: a textfile or Pushgateway group
 * that is replaced whole must still hold every table.
 */
export async function collectMetrics(store: ObjectStore, backups: Location[]): Promise<Registry> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });

  const backup = {
    lastSuccess: gauge('lakevault_backup_last_success_timestamp_seconds', 'Unix time of the last successful backup of the table.', ['table']),
    success: gauge('lakevault_backup_success', '1 if the last backup of the table succeeded, else 0.', ['table']),
    duration: gauge('lakevault_backup_duration_seconds', 'How long the last backup of the table took.', ['table']),
    bytes: gauge('lakevault_backup_bytes', 'Size of the table\'s last successful backup (every file it holds).', ['table']),
    copied: gauge('lakevault_backup_copied_bytes', 'Bytes the last successful backup copied (not referenced from earlier backups).', ['table']),
    reused: gauge('lakevault_backup_reused_bytes', 'Bytes the last successful backup referenced from earlier backups.', ['table']),
    objects: gauge('lakevault_backup_objects', 'Files in the table\'s last successful backup.', ['table']),
    runs: gauge('lakevault_backup_runs', 'Backups of the table recorded in the repository, by result.', ['table', 'result']),
  };
  const checkpoint = {
    lastSuccess: gauge('lakevault_checkpoint_last_success_timestamp_seconds', 'Unix time of the last successful checkpoint of the table.', ['table']),
    success: gauge('lakevault_checkpoint_success', '1 if the last checkpoint of the table succeeded, else 0.', ['table']),
    bytes: gauge('lakevault_checkpoint_bytes', 'Size of the table\'s last successful checkpoint.', ['table']),
  };
  const drill = {
    last: gauge('lakevault_drill_last_timestamp_seconds', 'Unix time of the last disaster-recovery drill of the table.', ['table']),
    success: gauge('lakevault_drill_success', '1 if the last drill of the table recovered a valid table, else 0.', ['table']),
    rto: gauge('lakevault_drill_rto_seconds', 'Recovery time measured by the last successful drill of the table.', ['table']),
    rpo: gauge('lakevault_drill_rpo_seconds', 'Recovery point (data loss window) measured by the last successful drill of the table.', ['table']),
    rtoTarget: gauge('lakevault_drill_rto_target_seconds', 'RTO target of the table, from its backup plan.', ['table']),
    rpoTarget: gauge('lakevault_drill_rpo_target_seconds', 'RPO target of the table, from its backup plan.', ['table']),
  };
  const validation = {
    last: gauge('lakevault_validation_last_timestamp_seconds', 'Unix time of the last validation of the subject.', ['table', 'subject']),
    success: gauge('lakevault_validation_success', '1 if the last validation of the subject found no problem, else 0.', ['table', 'subject']),
    bytesRead: gauge('lakevault_validation_read_bytes', 'Bytes the last validation of the subject read.', ['table', 'subject']),
  };
  const cycle = {
    coverage: gauge('lakevault_verify_cycle_coverage_ratio', 'Share of the subject\'s bytes verified in the current verification cycle (0 to 1).', ['table', 'subject']),
    number: gauge('lakevault_verify_cycle', 'Number of the current verification cycle of the subject.', ['table', 'subject']),
    completed: gauge('lakevault_verify_cycle_last_completed_timestamp_seconds', 'Unix time the subject\'s last verification cycle completed.', ['table', 'subject']),
    bad: gauge('lakevault_verify_bad_objects', 'Objects of the subject found bad and not verified since.', ['table', 'subject']),
  };
  const audit = {
    findings: gauge('lakevault_audit_findings', 'Findings of the last security audit, by severity.', ['severity']),
    last: gauge('lakevault_audit_last_timestamp_seconds', 'Unix time of the last security audit.'),
    success: gauge('lakevault_audit_success', '1 if the last audit found nothing at or above its fail-on severity, else 0.'),
  };
  const plan = {
    lastRun: gauge('lakevault_plan_last_step_timestamp_seconds', 'Unix time a step of the plan last ran.', ['plan']),
    failing: gauge('lakevault_plan_failing_steps', 'Steps of the plan whose last attempt failed.', ['plan']),
  };

  for (const location of backups) {
    const area = opsArea(location);
    const root = `s3://${location.bucket}/${location.prefix}`;
    for (const status of await readStatuses(store, area)) {
      const last = status.last;
      const success = status.lastSuccess;
      switch (status.kind) {
        case 'backup':
          setStatus(backup.success, backup.lastSuccess, { table: status.subject }, status);
          backup.duration.set({ table: status.subject }, last.durationMs / 1000);
          if (success) {
            setIf(backup.bytes, { table: status.subject }, success.figures.bytes);
            setIf(backup.copied, { table: status.subject }, success.figures.copiedBytes);
            setIf(backup.reused, { table: status.subject }, success.figures.reusedBytes);
            setIf(backup.objects, { table: status.subject }, success.figures.objects);
          }
          backup.runs.set({ table: status.subject, result: 'success' }, status.successes);
          backup.runs.set({ table: status.subject, result: 'failure' }, status.failures);
          break;
        case 'checkpoint':
          setStatus(checkpoint.success, checkpoint.lastSuccess, { table: status.subject }, status);
          if (success) setIf(checkpoint.bytes, { table: status.subject }, success.figures.bytes);
          break;
        case 'drill':
          drill.last.set({ table: status.subject }, seconds(last.at));
          drill.success.set({ table: status.subject }, last.ok ? 1 : 0);
          if (success) {
            setIf(drill.rto, { table: status.subject }, success.figures.rtoSeconds);
            setIf(drill.rpo, { table: status.subject }, success.figures.rpoSeconds);
          }
          break;
        case 'validation': {
          const labels = { table: tableOf(status.subject, root), subject: status.subject };
          validation.last.set(labels, seconds(last.at));
          validation.success.set(labels, last.ok ? 1 : 0);
          setIf(validation.bytesRead, labels, last.figures.bytesRead);
          setIf(cycle.coverage, labels, last.figures.coverage);
          break;
        }
        case 'audit':
          audit.last.set(seconds(last.at));
          audit.success.set(last.ok ? 1 : 0);
          for (const severity of ['critical', 'high', 'medium', 'low', 'info'] as const) audit.findings.set({ severity }, last.figures[severity] ?? 0);
          break;
      }
    }
    for (const state of await listCycleStates(store, area)) {
      const labels = { table: tableOf(state.subject, root), subject: state.subject };
      cycle.number.set(labels, state.cycle);
      cycle.bad.set(labels, Object.keys(state.failed).length);
      const done = state.completed[state.completed.length - 1];
      if (done) cycle.completed.set(labels, seconds(done.completedAt));
    }
    for (const state of await listPlanStates(store, area)) {
      for (const [table, targets] of Object.entries(state.targets)) {
        setIf(drill.rtoTarget, { table }, targets.rtoSeconds);
        setIf(drill.rpoTarget, { table }, targets.rpoSeconds);
      }
      const steps = Object.values(state.steps);
      const latest = steps.flatMap((s) => [s.lastSuccess, s.lastFailure]).filter((t): t is string => t !== undefined).sort().pop();
      if (latest) plan.lastRun.set({ plan: state.plan }, seconds(latest));
      plan.failing.set({ plan: state.plan }, steps.filter((s) => s.lastFailure && (!s.lastSuccess || s.lastFailure > s.lastSuccess)).length);
    }
  }
  return registry;
}

function setStatus(success: Gauge, lastSuccess: Gauge, labels: Record<string, string>, status: StatusRecord): void {
  success.set(labels, status.last.ok ? 1 : 0);
  if (status.lastSuccess) lastSuccess.set(labels, seconds(status.lastSuccess.at));
}

function setIf(gauge: Gauge, labels: Record<string, string>, value: number | undefined): void {
  if (value !== undefined) gauge.set(labels, value);
}

function seconds(iso: string): number {
  return Date.parse(iso) / 1000;
}

/** The table a validation subject is about: a table's name, or the table folder of a repository; else empty. */
function tableOf(subject: string, repositoryRoot: string): string {
  if (subject.startsWith(repositoryRoot)) return subject.slice(repositoryRoot.length).replace(/\/$/, '').split('/')[0] ?? '';
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(subject)) return subject;
  if (subject.startsWith('s3://') && !subject.includes(' vs ')) return subject.replace(/\/$/, '').split('/').pop() ?? '';
  return '';
}
