import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readJson, stamp, writeJson } from '../history/area';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';

/**
 * What a plan remembers in its repository, under `_lakevault/runs/<plan>/`:
 * - state.json: per step, when it last succeeded and failed — what the due-check reads,
 *   rewritten after every step, so a run after a crash (or on another host) agrees;
 * - <stamp>-<run>.json: one record per run that did something, rewritten after each step;
 * - lock.json: the run in progress, with a heartbeat.
 */
export interface PlanState {
  format: 'lakevault.plan-state';
  formatVersion: 1;
  plan: string;
  updatedAt: string;
  steps: Record<string, StepState>;
  /** Drill targets per table, as the plan last said (metrics and the report compare with them). */
  targets: Record<string, { rtoSeconds?: number; rpoSeconds?: number }>;
  /** How often each step is meant to run, as the plan last said (the report's "protected" needs it). */
  intervals: Record<string, number>;
}

export interface StepState {
  lastSuccess?: string;
  lastFailure?: string;
  lastError?: string;
  lastRun?: string;
}

export interface StepRecord {
  step: string;
  table?: string;
  kind: string;
  status: 'ok' | 'failed';
  startedAt: string;
  durationMs: number;
  /** One line: what it did ("backup 2026… of vendas: 12 objects, 3 reused"). */
  summary: string;
  error?: { code: string; message: string };
}

export interface RunRecord {
  format: 'lakevault.plan-run';
  formatVersion: 1;
  plan: string;
  runId: string;
  host: string;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  /** running until the run ends; a record left `running` belongs to a run that died. */
  status: 'running' | 'ok' | 'failed';
  tookOverFrom?: LockRecord;
  steps: StepRecord[];
}

export interface LockRecord {
  runId: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
}

export function runsFolder(area: Location, plan: string): string {
  return `${area.prefix}runs/${plan}/`;
}

export function newRunId(now: Date): string {
  return `${stamp(now)}-${randomBytes(4).toString('hex')}`;
}

export async function readPlanState(store: ObjectStore, area: Location, plan: string): Promise<PlanState> {
  const state = await readJson<PlanState>(store, area.bucket, `${runsFolder(area, plan)}state.json`).catch((error: unknown) => {
    if (error instanceof SyntaxError) return undefined; // a damaged state: every step is due again, none skipped
    throw error;
  });
  if (state?.format === 'lakevault.plan-state' && state.plan === plan && typeof state.steps === 'object' && state.steps !== null) {
    return { ...state, targets: state.targets ?? {}, intervals: state.intervals ?? {} };
  }
  return { format: 'lakevault.plan-state', formatVersion: 1, plan, updatedAt: new Date(0).toISOString(), steps: {}, targets: {}, intervals: {} };
}

export async function writePlanState(store: ObjectStore, area: Location, state: PlanState): Promise<void> {
  await writeJson(store, area.bucket, `${runsFolder(area, state.plan)}state.json`, state);
}

export async function writeRunRecord(store: ObjectStore, area: Location, record: RunRecord): Promise<void> {
  await writeJson(store, area.bucket, `${runsFolder(area, record.plan)}${record.runId}.json`, record);
}

/** Every plan's state in a repository (metrics, report). */
export async function listPlanStates(store: ObjectStore, area: Location): Promise<PlanState[]> {
  if (!(await store.bucketExists(area.bucket))) return [];
  const states: PlanState[] = [];
  for await (const folder of store.listCommonPrefixes(area.bucket, `${area.prefix}runs/`)) {
    const plan = folder.slice(`${area.prefix}runs/`.length).replace(/\/$/, '');
    const state = await readPlanState(store, area, plan).catch(() => undefined);
    if (state && state.updatedAt !== new Date(0).toISOString()) states.push(state);
  }
  return states;
}

export function thisHost(): { host: string; pid: number } {
  return { host: hostname(), pid: process.pid };
}
