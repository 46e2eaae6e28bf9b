import type { Lakevault } from '../api/client';
import { LakevaultError, NotFoundError } from '../errors';
import { opsArea } from '../history/area';
import { formatS3Uri, type Location } from '../store/location';
import { formatInterval } from '../util/units';
import { dueness } from './due';
import { acquireRunLock } from './lock';
import { stepId, type Plan, type PlanRepository, type PlanTable, type StepKind } from './plan';
import { newRunId, readPlanState, thisHost, writePlanState, writeRunRecord, type LockRecord, type PlanState, type RunRecord, type StepRecord } from './state';

export interface PlanRunOptions {
  /** Say what is due; run nothing, write nothing. */
  dryRun?: boolean;
  /** A client for a repository of the plan (the runner closes it). */
  open: (repository: PlanRepository) => Promise<Lakevault>;
  /** One line per step as it starts and ends. */
  onStep?: (line: string) => void;
  now?: () => Date;
}

export interface PlannedStep {
  step: string;
  kind: StepKind;
  table?: string;
  repository: string;
  due: boolean;
  dueAt: string;
  reason: string;
}

export interface RepositoryRun {
  name: string;
  backups: string;
  /** ran: this run held the lock; busy: another run did; idle: nothing was due; dry-run. */
  outcome: 'ran' | 'busy' | 'idle' | 'dry-run';
  holder?: LockRecord;
  tookOverFrom?: LockRecord;
}

export interface PlanRunResult {
  plan: string;
  runId: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  repositories: RepositoryRun[];
  steps: StepRecord[];
  planned: PlannedStep[];
  ok: boolean;
}

interface Step {
  kind: StepKind;
  table?: PlanTable;
  everyMs: number;
}

/** The plan's steps for one repository, in the order a run takes them. */
function stepsOf(plan: Plan, repository: string): Step[] {
  const steps: Step[] = [];
  for (const table of plan.tables.filter((t) => t.repository === repository)) {
    if (table.backup) steps.push({ kind: 'backup', table, everyMs: table.backup.everyMs });
    if (table.checkpoint) steps.push({ kind: 'checkpoint', table, everyMs: table.checkpoint.everyMs });
    if (table.verify) steps.push({ kind: 'verify', table, everyMs: table.verify.everyMs });
    if (table.drill) steps.push({ kind: 'drill', table, everyMs: table.drill.everyMs });
  }
  if (plan.audit?.repository === repository) steps.push({ kind: 'audit', everyMs: plan.audit.everyMs });
  return steps;
}

/**
 * One run of a plan: for each repository, what is due according to the state recorded in
 * that repository, done under the plan's run lock, each step recorded as it ends. Nothing
 * is due → nothing is written. Another run holds the lock → this one does nothing (cron
 * fired again while a long backup runs). Safe to call every few minutes.
 */
export async function runPlan(plan: Plan, options: PlanRunOptions): Promise<PlanRunResult> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started);
  const result: PlanRunResult = { plan: plan.name, runId, startedAt: started.toISOString(), finishedAt: '', dryRun: options.dryRun === true, repositories: [], steps: [], planned: [], ok: true };
  for (const repository of plan.repositories) {
    const steps = stepsOf(plan, repository.name);
    if (steps.length === 0) continue;
    const lv = await options.open(repository);
    try {
      await runRepository(plan, repository, steps, lv, runId, options, now, result);
    } finally {
      await lv.close();
    }
  }
  result.finishedAt = now().toISOString();
  result.ok = result.steps.every((step) => step.status === 'ok');
  return result;
}

async function runRepository(plan: Plan, repository: PlanRepository, steps: Step[], lv: Lakevault, runId: string, options: PlanRunOptions, now: () => Date, result: PlanRunResult): Promise<void> {
  const store = lv.context.store;
  const backups = lv.context.config.backups;
  const area = opsArea(backups);
  const entry: RepositoryRun = { name: repository.name, backups: formatS3Uri(backups), outcome: 'idle' };
  result.repositories.push(entry);
  const plannedFrom = (state: PlanState) => steps.map((step) => {
    const id = stepId(step.kind, step.table?.name);
    const d = dueness(state.steps[id], step.everyMs, plan.retryAfterMs, now());
    return { step, planned: { step: id, kind: step.kind, ...(step.table ? { table: step.table.name } : {}), repository: repository.name, due: d.due, dueAt: d.at.toISOString(), reason: d.reason } };
  });

  let planned = plannedFrom(await readPlanState(store, area, plan.name));
  if (options.dryRun || !planned.some((p) => p.planned.due)) {
    if (options.dryRun) entry.outcome = 'dry-run';
    result.planned.push(...planned.map((p) => p.planned));
    return;
  }
  await store.ensureBucket(area.bucket);
  const locked = await acquireRunLock(store, area, plan.name, runId, plan.staleAfterMs, now);
  if (!locked.acquired) {
    entry.outcome = 'busy';
    entry.holder = locked.holder;
    result.planned.push(...planned.map((p) => p.planned));
    return;
  }
  entry.outcome = 'ran';
  if (locked.tookOverFrom) entry.tookOverFrom = locked.tookOverFrom;
  try {
    // Read again under the lock: a run that just finished may have done what looked due.
    const state = await readPlanState(store, area, plan.name);
    recordTargets(plan, repository.name, state);
    planned = plannedFrom(state);
    result.planned.push(...planned.map((p) => p.planned));
    const record: RunRecord = {
      format: 'lakevault.plan-run', formatVersion: 1, plan: plan.name, runId, ...thisHost(), startedAt: result.startedAt, status: 'running',
      ...(locked.tookOverFrom ? { tookOverFrom: locked.tookOverFrom } : {}), steps: [],
    };
    for (const { step, planned: p } of planned) {
      if (!p.due) continue;
      options.onStep?.(`${p.step}: ${p.reason}: running`);
      for (const done of await runStep(step, plan, lv, area, backups, now)) {
        record.steps.push(done);
        result.steps.push(done);
        options.onStep?.(`${done.step}: ${done.status}: ${done.error?.message ?? done.summary}`);
        const stepState = (state.steps[done.step] ??= {});
        stepState.lastRun = runId;
        if (done.status === 'ok') { stepState.lastSuccess = done.startedAt; delete stepState.lastError; } else { stepState.lastFailure = done.startedAt; stepState.lastError = done.error?.message ?? 'failed'; }
      }
      state.updatedAt = now().toISOString();
      await writePlanState(store, area, state);
      await writeRunRecord(store, area, record);
      await locked.lock.beat();
    }
    record.finishedAt = now().toISOString();
    record.status = record.steps.every((s) => s.status === 'ok') ? 'ok' : 'failed';
    await writeRunRecord(store, area, record);
  } finally {
    await locked.lock.release();
  }
}

/** What the plan says about targets and intervals, kept beside the state for metrics and the report. */
function recordTargets(plan: Plan, repository: string, state: PlanState): void {
  for (const table of plan.tables.filter((t) => t.repository === repository)) {
    const drill = table.drill;
    state.targets[table.name] = {
      ...(drill?.rtoTargetMs !== undefined ? { rtoSeconds: drill.rtoTargetMs / 1000 } : {}),
      ...(drill?.rpoTargetMs !== undefined ? { rpoSeconds: drill.rpoTargetMs / 1000 } : {}),
    };
    for (const kind of ['backup', 'checkpoint', 'drill', 'verify'] as const) {
      const every = table[kind]?.everyMs;
      if (every !== undefined) state.intervals[stepId(kind, table.name)] = every;
    }
  }
  if (plan.audit?.repository === repository) state.intervals.audit = plan.audit.everyMs;
}

/** Runs one step (and what follows it: retention after a backup or checkpoint); never throws. */
async function runStep(step: Step, plan: Plan, lv: Lakevault, area: Location, backups: Location, now: () => Date): Promise<StepRecord[]> {
  const table = step.table;
  const attempt = async (kind: string, body: () => Promise<{ summary: string; failure?: string }>): Promise<StepRecord> => {
    const started = now();
    const base = { step: table ? `${table.name}:${kind}` : kind, ...(table ? { table: table.name } : {}), kind, startedAt: started.toISOString() };
    try {
      const { summary, failure } = await body();
      return { ...base, status: failure ? 'failed' : 'ok', durationMs: now().getTime() - started.getTime(), summary, ...(failure ? { error: { code: 'INTEGRITY', message: failure } } : {}) };
    } catch (error) {
      const code = error instanceof LakevaultError ? error.code : 'INTERNAL';
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
      return { ...base, status: 'failed', durationMs: now().getTime() - started.getTime(), summary: message, error: { code, message } };
    }
  };
  switch (step.kind) {
    case 'backup': {
      const backup = table!.backup!;
      const done = [await attempt('backup', async () => {
        const r = await lv.backup.create(table!.table, { ...(backup.tags.length ? { tags: backup.tags } : {}) });
        return { summary: `backup ${r.id}: ${r.objects} objects (${r.bytes} bytes), ${r.copied.objects} copied, ${r.reused.objects} reused` };
      })];
      if (backup.retention && done[0]!.status === 'ok') {
        done.push(await attempt('retention', async () => {
          const r = await lv.backup.prune(table!.table, { policy: backup.retention! });
          return { summary: `backups: ${r.kept} kept, ${r.removed} removed` };
        }));
      }
      return done;
    }
    case 'checkpoint': {
      const checkpoint = table!.checkpoint!;
      const done = [await attempt('checkpoint', async () => {
        const r = await lv.checkpoint.create(table!.table);
        return { summary: `checkpoint ${r.id}: ${r.objects} objects (${r.bytes} bytes)` };
      })];
      if (checkpoint.retention && done[0]!.status === 'ok') {
        done.push(await attempt('checkpoint-retention', async () => {
          const r = await lv.checkpoint.prune(table!.table, { policy: checkpoint.retention! });
          return { summary: `checkpoints: ${r.kept} kept, ${r.removed} removed` };
        }));
      }
      return done;
    }
    case 'verify': {
      const verify = table!.verify!;
      return [await attempt('verify', async () => {
        const r = await lv.verifyCycle(`${formatS3Uri(backups)}${table!.name}/`, { ...verify.budget, level: verify.level, cadenceMs: verify.everyMs });
        const summary = `cycle ${r.cycle.number}: ${r.run.objects} objects verified, ${(r.cycle.coverage * 100).toFixed(1)} % covered${r.cycle.completed ? ' (complete)' : `, ${r.cycle.runsLeft} run(s) left`}`;
        return { summary, ...(r.ok ? {} : { failure: `${r.run.failed.length} bad object(s): ${r.run.failed.slice(0, 3).join(', ')}` }) };
      })];
    }
    case 'drill':
      return [await attempt('drill', () => drillCopy(lv, table!))];
    case 'audit':
      return [await attempt('audit', async () => {
        const r = await lv.audit({ failOn: plan.audit!.failOn });
        const f = r.summary.findings;
        const summary = `${r.summary.checks} checks: ${f.critical} critical, ${f.high} high, ${f.medium} medium, ${f.low} low findings`;
        return { summary, ...(r.exitCode ? { failure: `findings at or above ${plan.audit!.failOn}: ${summary}` } : {}) };
      })];
  }
}

/**
 * A drill never touches the table: a server-side copy of it goes to the scratch location,
 * the drill wrecks and recovers the copy, and the copy is dropped. The drill's checkpoint of
 * the copy is pruned down to the latest. Recorded under the table's own name.
 */
async function drillCopy(lv: Lakevault, table: PlanTable): Promise<{ summary: string; failure?: string }> {
  const drill = table.drill!;
  await dropScratch(lv, drill.scratch);
  await lv.copy(formatS3Uri(table.location), drill.scratch);
  let summary: string;
  let failure: string | undefined;
  try {
    const r = await lv.drill(drill.scratch, { disaster: drill.disaster, level: drill.level, recordAs: table.name });
    const over = [
      drill.rtoTargetMs !== undefined && r.rto_ms > drill.rtoTargetMs ? `RTO over its ${formatInterval(drill.rtoTargetMs)} target` : '',
      drill.rpoTargetMs !== undefined && r.rpo_ms > drill.rpoTargetMs ? `RPO over its ${formatInterval(drill.rpoTargetMs)} target` : '',
    ].filter(Boolean);
    summary = `drill (${r.disaster}) of a copy: ${r.status}, RTO ${(r.rto_ms / 1000).toFixed(1)} s, RPO ${(r.rpo_ms / 1000).toFixed(1)} s, ${r.recovered_records} rows${over.length ? `; ${over.join(', ')}` : ''}`;
  } catch (error) {
    const report = (error as { report?: { status?: string } }).report;
    if (!report) throw error;
    summary = `drill of a copy: ${report.status ?? 'FAILED'}`;
    failure = (error as Error).message;
  } finally {
    await dropScratch(lv, drill.scratch);
  }
  await lv.checkpoint.prune(drill.scratch, { policy: { last: 1 } }).catch(() => undefined);
  return { summary, ...(failure ? { failure } : {}) };
}

async function dropScratch(lv: Lakevault, scratch: string): Promise<void> {
  try {
    await lv.table.drop(scratch, { force: true });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
