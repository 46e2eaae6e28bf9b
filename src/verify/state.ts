import { createHash } from 'node:crypto';
import type { Location } from '../store/location';
import type { ObjectStore } from '../store/types';
import { readJson, writeJson } from '../history/area';
import type { CycleState } from './cycle';

/** `_lakevault/cycles/<hash of the subject>.json` in the repository's operations area. */
function cycleKey(area: Location, subject: string): string {
  return `${area.prefix}cycles/${createHash('sha256').update(subject).digest('hex').slice(0, 32)}.json`;
}

/**
 * The cycle of a subject, if one was started. A state that is not a cycle of this subject
 * (hand-edited, another subject's) is not trusted: the cycle starts over, which re-verifies
 * objects and never skips one.
 */
export async function readCycleState(store: ObjectStore, area: Location, subject: string): Promise<CycleState | undefined> {
  const state = await readJson<CycleState>(store, area.bucket, cycleKey(area, subject)).catch((error: unknown) => {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  });
  if (state?.format !== 'lakevault.cycle' || state.subject !== subject || typeof state.verified !== 'object' || state.verified === null
    || typeof state.failed !== 'object' || state.failed === null || !Number.isSafeInteger(state.cycle) || !Array.isArray(state.runs)) return undefined;
  return state;
}

/**
 * Two runs of one cycle at once may each write their state; the later write wins and the
 * other's objects are verified again in a later run: work repeated, never an object skipped.
 */
export async function writeCycleState(store: ObjectStore, area: Location, state: CycleState): Promise<void> {
  await writeJson(store, area.bucket, cycleKey(area, state.subject), state);
}

/** Every cycle of the repository (metrics, report). */
export async function listCycleStates(store: ObjectStore, area: Location): Promise<CycleState[]> {
  if (!(await store.bucketExists(area.bucket))) return [];
  const states: CycleState[] = [];
  for await (const object of store.list(area.bucket, `${area.prefix}cycles/`)) {
    const state = await readJson<CycleState>(store, area.bucket, object.key).catch(() => undefined);
    if (state?.format === 'lakevault.cycle' && typeof state.subject === 'string') states.push(state);
  }
  return states;
}
