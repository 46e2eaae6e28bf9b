import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { Lakevault } from '../../api/client';
import { report } from '../../api/report';
import { UsageError } from '../../errors';
import { loadPlan } from '../../plan/load';
import type { Plan, PlanRepository } from '../../plan/plan';
import type { PlanRunResult } from '../../plan/run';
import { parseS3Uri } from '../../store/location';
import { formatInterval } from '../../util/units';
import { lazyModule } from '../../util/lazy';
import type { Config } from '../../config/config';
import { configFrom, globalOptions } from '../context';
import { checkMetricsFlags, publishMetrics, wantsMetrics } from '../metrics-flags';
import { createOutput, plural, type Output } from '../output';
import { metricsFailed } from '../with-client';

const running = lazyModule((): typeof import('../../plan/run') => require('../../plan/run'));

export function planCommand(): Command {
  const plan = new Command('plan').description('backup plans: a YAML file of tables, schedules, retention, drills, verification and audits, run from cron');

  plan.command('check <file>')
    .description('check a plan file: every error with its line and field; no connection')
    .action(async (file: string, _flags: unknown, command: Command) => {
      const output = createOutput(globalOptions(command).json === true);
      const { plan: checked } = await readPlan(file, configFrom(globalOptions(command)), output);
      output.result(report({ file, ok: true, errors: [], plan: describePlan(checked) }), () => formatPlan(file, checked));
    });

  plan.command('run <file>')
    .description('do what is due now (backups, retention, checkpoints, verification, drills, audit) and record it in the repository; safe every few minutes')
    .option('--dry-run', 'say what is due and why; run nothing, write nothing')
    .action(async (file: string, flags: { dryRun?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const output = createOutput(options.json === true);
      checkMetricsFlags(options);
      const base = configFrom(options);
      const { plan: checked } = await readPlan(file, base, output);
      const result = await running().runPlan(checked, {
        dryRun: flags.dryRun === true,
        open: (repository) => Lakevault.open({ config: repositoryConfig(base, repository), onProgress: (event) => (event.operation === 'history' ? output.warn(event.message) : output.progress(event)) }),
        onStep: (line) => output.phase(line),
      });
      const document = report({ ...result, exitCode: result.ok ? 0 : 1 });
      output.result(document, formatRun);
      if (wantsMetrics(options) && !flags.dryRun) {
        const lv = await Lakevault.open({ config: base });
        try {
          await publishMetrics(lv, options, checked.repositories.map((r) => repositoryConfig(base, r).backups)).catch((error: unknown) => metricsFailed(error, output, !result.ok));
        } finally {
          await lv.close();
        }
      }
      if (!result.ok) process.exitCode = 1;
    });
  return plan;
}

/** A repository of the plan over the configuration: same endpoint and credentials, its own locations. */
function repositoryConfig(base: Config, repository: PlanRepository): Config {
  return {
    ...base,
    ...(repository.backups ? { backups: parseS3Uri(repository.backups) } : {}),
    ...(repository.checkpoints ? { checkpoints: parseS3Uri(repository.checkpoints) } : {}),
    ...(repository.warehouse ? { warehouse: parseS3Uri(repository.warehouse) } : {}),
  };
}

/** The plan, or (exit 2) its errors: all of them on stdout (JSON or text), one line on stderr. */
async function readPlan(file: string, config: Config, output: Output): Promise<{ plan: Plan }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the plan file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const { plan, errors } = loadPlan(text, config);
  if (plan) return { plan };
  output.result(report({ file, ok: false, errors }), () => errors.map((e) => `${file}:${e.line}:${e.column}: ${e.field ? `${e.field}: ` : ''}${e.message}`).join('\n'));
  const first = errors[0]!;
  throw Object.assign(new UsageError(`${file}: ${plural(errors.length, 'error')}; first at line ${first.line}${first.field ? `, ${first.field}` : ''}: ${first.message}`), { reported: true });
}

export function describePlan(plan: Plan) {
  return {
    name: plan.name,
    retryAfter: formatInterval(plan.retryAfterMs),
    repositories: plan.repositories,
    tables: plan.tables.map((t) => ({
      table: t.table, name: t.name, repository: t.repository,
      ...(t.backup ? { backup: { every: formatInterval(t.backup.everyMs), tags: t.backup.tags, ...(t.backup.retention ? { retention: t.backup.retention } : {}) } } : {}),
      ...(t.checkpoint ? { checkpoint: { every: formatInterval(t.checkpoint.everyMs), ...(t.checkpoint.retention ? { retention: t.checkpoint.retention } : {}) } } : {}),
      ...(t.verify ? { verify: { every: formatInterval(t.verify.everyMs), ...t.verify.budget, level: t.verify.level } } : {}),
      ...(t.drill ? { drill: { every: formatInterval(t.drill.everyMs), disaster: t.drill.disaster, level: t.drill.level, scratch: t.drill.scratch, ...(t.drill.rtoTargetMs !== undefined ? { rtoTargetSeconds: t.drill.rtoTargetMs / 1000 } : {}), ...(t.drill.rpoTargetMs !== undefined ? { rpoTargetSeconds: t.drill.rpoTargetMs / 1000 } : {}) } } : {}),
    })),
    ...(plan.audit ? { audit: { every: formatInterval(plan.audit.everyMs), failOn: plan.audit.failOn, repository: plan.audit.repository } } : {}),
  };
}

function formatPlan(file: string, plan: Plan): string {
  const lines = [`${file}: plan "${plan.name}" is valid: ${plural(plan.tables.length, 'table')}`];
  for (const t of plan.tables) {
    const parts = [
      t.backup && `backup every ${formatInterval(t.backup.everyMs)}${t.backup.retention ? ' + retention' : ''}`,
      t.checkpoint && `checkpoint every ${formatInterval(t.checkpoint.everyMs)}`,
      t.verify && `verify every ${formatInterval(t.verify.everyMs)} (${'slices' in t.verify.budget ? `1/${t.verify.budget.slices} a run` : `${t.verify.budget.maxBytes} bytes a run`})`,
      t.drill && `drill (${t.drill.disaster}) every ${formatInterval(t.drill.everyMs)} on ${t.drill.scratch}`,
    ].filter(Boolean);
    lines.push(`  ${t.name}: ${parts.join('; ')}`);
  }
  if (plan.audit) lines.push(`  audit every ${formatInterval(plan.audit.everyMs)}, fail on ${plan.audit.failOn}`);
  return lines.join('\n');
}

function formatRun(r: PlanRunResult): string {
  const lines: string[] = [];
  for (const repo of r.repositories) {
    if (repo.outcome === 'busy') lines.push(`${repo.name}: another run (${repo.holder?.runId} on ${repo.holder?.host}, since ${repo.holder?.startedAt}) holds the plan's lock: nothing done`);
    if (repo.tookOverFrom) lines.push(`${repo.name}: took over the lock of a run that stopped beating (${repo.tookOverFrom.runId} on ${repo.tookOverFrom.host})`);
  }
  for (const step of r.steps) lines.push(`${step.status === 'ok' ? 'ok    ' : 'FAILED'} ${step.step}: ${step.error?.message ?? step.summary} (${(step.durationMs / 1000).toFixed(1)} s)`);
  if (r.dryRun) for (const p of r.planned.filter((p) => p.due)) lines.push(`due    ${p.step}: ${p.reason}`);
  const next = r.planned.filter((p) => !p.due).sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  if (!r.steps.length && !r.dryRun && r.repositories.every((repo) => repo.outcome === 'idle')) lines.push(`nothing due${next ? `; next: ${next.step} at ${next.dueAt}` : ''}`);
  else if (next) lines.push(`next: ${next.step} at ${next.dueAt}`);
  return lines.join('\n') || 'nothing to do';
}
