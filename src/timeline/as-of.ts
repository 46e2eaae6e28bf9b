import { NotFoundError, UsageError } from '../errors';
import type { HeldPoint, TableHistory } from './history';

/** What `--as-of` names: a moment, or one point of `table history` by its id. */
export type AsOf = { time: Date; text: string } | { point: string; text: string };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** Looks like a time but is not one of the two forms above (a time without a zone, a space for the T). */
const TIME_LIKE = /^\d{4}-\d{2}-\d{2}[T ]/;

/**
 * `--as-of 2026-12-08T10:15:00Z` (ISO 8601 with a zone; a date alone is its midnight UTC)
 * or `--as-of <id>` (a point `table history` lists: `current`, a backup or checkpoint id,
 * a manifest version id). A time without a zone is refused rather than guessed.
 */
export function parseAsOf(text: string): AsOf {
  const value = text.trim();
  if (value === '') throw new UsageError('--as-of needs a time (ISO 8601, e.g. 2026-12-08T10:15:00Z) or a point id from `table history`');
  if (ISO_DATE.test(value) || ISO_TIME.test(value)) {
    const time = new Date(ISO_DATE.test(value) ? `${value}T00:00:00Z` : value);
    if (Number.isNaN(time.getTime()) || !onTheCalendar(value)) throw new UsageError(`--as-of "${text}" is not a valid time`);
    return { time, text: value };
  }
  if (TIME_LIKE.test(value)) throw new UsageError(`--as-of "${text}": give a time in ISO 8601 with its zone, e.g. ${value.slice(0, 10)}T${value.slice(11, 19) || '00:00:00'}Z`);
  return { point: value, text: value };
}

/** Date's parser rolls 2026-02-30 over to March 2 and 24:00 to the next day: each field must be in its range. */
function onTheCalendar(value: string): boolean {
  const [year, month, day, hour = 0, minute = 0, second = 0] = value.match(/\d+/g)!.slice(0, 6).map(Number);
  const probe = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month! - 1 && probe.getUTCDate() === day &&
    probe.getUTCHours() === hour && probe.getUTCMinutes() === minute && probe.getUTCSeconds() === second;
}

/** Which point a read or restore as of a time uses, and why: the state in force then. */
export interface PointChoice {
  chosen: HeldPoint;
  /** The point that was in force at the time (the chosen one, or an older record of its generation's state). */
  inForce: HeldPoint;
}

/**
 * The state of the table in force at a time: the newest point at or before it (a
 * generation stays in force until the next one, or until a drop). Any restorable point of
 * that generation can give it back — the table itself first (nothing to copy), then a
 * backup, a checkpoint, the versions. A time before every point is a usage error; a time
 * after a drop, or a generation no longer held anywhere, is not found.
 */
export function pointAsOf(history: TableHistory, asOf: AsOf, unusable: Unusable = () => undefined): PointChoice {
  if ('point' in asOf) {
    const named = history.points.find((held) => held.point.id === asOf.point);
    if (!named) throw new UsageError(`--as-of "${asOf.point}" is neither a time (ISO 8601 with its zone) nor a point of ${history.uri}: \`table history ${history.table}\` lists them`);
    return { chosen: holderOf(history, named, unusable, asOf.text), inForce: named };
  }
  const at = asOf.time.getTime();
  const inForce = history.points.find((held) => Date.parse(held.point.at) <= at);
  const drop = history.drops.find((d) => Date.parse(d.at) <= at);
  if (!inForce && !drop) {
    const oldest = history.points[history.points.length - 1];
    throw new UsageError(oldest
      ? `--as-of ${asOf.text} predates every point of ${history.uri}: the oldest is ${oldest.point.kind} ${oldest.point.id} of ${oldest.point.at}`
      : `${history.uri} has no point to go back to: no manifest, backup or checkpoint${history.versioning.status === 'Enabled' ? '' : ', and its bucket keeps no versions'}`);
  }
  if (drop && (!inForce || Date.parse(drop.at) > Date.parse(inForce.point.at))) {
    throw new NotFoundError(`${history.uri} did not exist at ${asOf.text}: its manifest was deleted at ${drop.at} (version ${drop.versionId}) and not written again before then`);
  }
  return { chosen: holderOf(history, inForce!, unusable, asOf.text), inForce: inForce! };
}

const PREFERENCE: Record<HeldPoint['point']['kind'], number> = { current: 0, backup: 1, checkpoint: 2, version: 3 };

/** Why a command cannot use a point that holds a generation (a reader cannot read object versions), or undefined. */
export type Unusable = (held: HeldPoint) => string | undefined;

/** A point that still holds `wanted`'s generation and that the caller can use. */
function holderOf(history: TableHistory, wanted: HeldPoint, unusable: Unusable, asOf: string): HeldPoint {
  const held = history.points
    .filter((point) => point.source && point.point.generation === wanted.point.generation)
    .sort((a, b) => PREFERENCE[a.point.kind] - PREFERENCE[b.point.kind]);
  const holder = held.find((point) => unusable(point) === undefined);
  if (holder) return holder;
  const why = held.length ? unusable(held[0]!)! : wanted.point.reason ?? 'it is not held';
  throw new NotFoundError(`generation ${wanted.point.generation} of ${history.uri} (${wanted.point.kind} ${wanted.point.id} of ${wanted.point.at}, in force as of ${asOf}) cannot be brought back: ${why}`);
}
