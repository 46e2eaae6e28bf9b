import { LineCounter, isMap, isNode, isPair, isScalar, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { LakevaultError } from '../errors';
import { checkRetentionPolicy, RULE_OPTIONS, type RetentionPolicy } from '../retention/policy';
import { snapshotTags, splitTagList } from '../retention/tags';
import { childLocation, formatS3Uri, isS3Uri, parseS3Uri, type Location } from '../store/location';
import { checkTableName } from '../table/naming';
import { parseByteSize, parseInterval } from '../util/units';
import type { Plan, PlanRepository, PlanTable } from './plan';
import { planFile, type PlanFile, type RetentionFile } from './schema';

/** One problem of a plan file: where (1-based line and column) and which field. */
export interface PlanError {
  line: number;
  column: number;
  /** The field's path, e.g. tables[0].backup.every. */
  field: string;
  message: string;
}

/** Where tables and repositories are when the plan does not say (the configuration's). */
export interface PlanDefaults {
  warehouse: Location;
  backups: Location;
  checkpoints: Location;
}

const DEFAULT_RETRY_MS = 3_600_000;
const DEFAULT_STALE_MS = 15 * 60_000;
const OFF_SITE_KEYS = new Set(['endpoint', 'profile', 'region', 'credentials']);

/**
 * Reads a plan file: YAML syntax, then the schema, then what the schema cannot say
 * (intervals, retention rules, table names, locations that must not overlap). Every
 * problem found is returned with its line and field; a plan is returned only when there
 * is none.
 */
export function loadPlan(text: string, defaults: PlanDefaults): { plan?: Plan; errors: PlanError[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const at = (path: (string | number)[], key?: string) => position(doc, lines, path, key);
  if (doc.errors.length) {
    return { errors: doc.errors.map((error) => ({ line: error.linePos?.[0].line ?? 1, column: error.linePos?.[0].col ?? 1, field: '', message: error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '') })) };
  }
  const parsed = planFile.safeParse(doc.toJS());
  if (!parsed.success) return { errors: parsed.error.issues.flatMap((issue) => schemaErrors(issue, at)) };
  const errors: PlanError[] = [];
  const plan = checkPlan(parsed.data, defaults, (path, message, key) => errors.push({ ...at(path, key), field: fieldName(key === undefined ? path : [...path, key]), message }));
  return errors.length ? { errors } : { plan, errors };
}

type Report = (path: (string | number)[], message: string, key?: string) => void;

function checkPlan(file: PlanFile, defaults: PlanDefaults, report: Report): Plan {
  const repositories: PlanRepository[] = file.repositories
    ? Object.entries(file.repositories).map(([name, repo]) => ({ name, ...repo }))
    : [{ name: 'default' }];
  for (const repo of repositories) {
    for (const key of ['backups', 'checkpoints', 'warehouse'] as const) {
      const uri = repo[key];
      if (uri !== undefined) guard(() => parseS3Uri(uri), ['repositories', repo.name, key], report);
    }
  }
  const repositoryOf = (named: string | undefined, path: (string | number)[]): string => {
    if (named === undefined) {
      if (repositories.length > 1) report(path, `name one of the repositories (${repositories.map((r) => r.name).join(', ')})`, 'repository');
      return repositories[0]!.name;
    }
    if (!repositories.some((r) => r.name === named)) report(path, `no repository "${named}" under repositories:`, 'repository');
    return named;
  };
  const interval = (text: string, path: (string | number)[], key: string) => guard(() => parseInterval(text, key), path, report, key) ?? 0;
  const target = (text: string | undefined, path: (string | number)[], key: string) => (text === undefined ? undefined : guard(() => parseInterval(text, key, 1_000), path, report, key));

  const tables: PlanTable[] = [];
  const seen = new Map<string, number>();
  file.tables.forEach((entry, index) => {
    const path = ['tables', index];
    const repository = repositoryOf(entry.repository, path);
    const warehouse = locationOf(repositories.find((r) => r.name === repository)?.warehouse) ?? defaults.warehouse;
    const resolved = guard(() => tableLocation(entry.table, warehouse), path, report, 'table');
    if (!resolved) return;
    const key = formatS3Uri(resolved.location);
    if (seen.has(key)) report(path, `the table ${key} is already in tables[${seen.get(key)}]: one entry per table`, 'table');
    seen.set(key, index);
    const table: PlanTable = { table: entry.table, name: resolved.name, location: resolved.location, repository };
    if (entry.backup) {
      table.backup = {
        everyMs: interval(entry.backup.every, [...path, 'backup'], 'every'),
        tags: guard(() => snapshotTags(entry.backup!.tags ?? []), [...path, 'backup'], report, 'tags') ?? [],
        ...retentionOf(entry.backup.retention, [...path, 'backup'], report),
      };
    }
    if (entry.checkpoint) {
      table.checkpoint = { everyMs: interval(entry.checkpoint.every, [...path, 'checkpoint'], 'every'), ...retentionOf(entry.checkpoint.retention, [...path, 'checkpoint'], report) };
    }
    if (entry.drill) {
      const drill = entry.drill;
      const dpath = [...path, 'drill'];
      const disaster = drill.disaster ?? 'delete-prefix';
      if (disaster === 'drop-bucket' && drill.scratch === undefined) report(dpath, 'drop-bucket deletes the scratch copy\'s whole bucket: give a scratch location in a bucket of its own', 'disaster');
      const scratch = drill.scratch ?? formatS3Uri({ bucket: resolved.location.bucket, prefix: resolved.location.prefix.replace(/\/$/, '') + '.lakevault-drill/' });
      const scratchAt = guard(() => parseS3Uri(scratch), dpath, report, 'scratch');
      if (scratchAt && disaster === 'drop-bucket' && scratchAt.prefix !== '' && scratchAt.bucket === resolved.location.bucket) report(dpath, 'drop-bucket: the scratch copy must be in a bucket of its own, not the table\'s', 'scratch');
      table.drill = {
        everyMs: interval(drill.every, dpath, 'every'), disaster, level: drill.level ?? 'full', scratch,
        ...optional('rtoTargetMs', target(drill['rto-target'], dpath, 'rto-target')),
        ...optional('rpoTargetMs', target(drill['rpo-target'], dpath, 'rpo-target')),
      };
    }
    if (entry.verify) {
      const vpath = [...path, 'verify'];
      if (entry.verify.slices !== undefined && entry.verify['max-bytes'] !== undefined) report(vpath, 'give either slices or max-bytes, not both', 'max-bytes');
      const maxBytes = entry.verify['max-bytes'];
      const budget = maxBytes !== undefined
        ? { maxBytes: guard(() => (typeof maxBytes === 'number' ? maxBytes : parseByteSize(maxBytes, 'max-bytes')), vpath, report, 'max-bytes') ?? 1 }
        : { slices: entry.verify.slices ?? 7 };
      table.verify = { everyMs: interval(entry.verify.every, vpath, 'every'), budget, level: entry.verify.level ?? 'full' };
    }
    if (!table.backup && !table.checkpoint && !table.drill && !table.verify) report(path, 'the plan does nothing with this table: give backup, checkpoint, drill or verify', 'table');
    tables.push(table);
  });

  // A drill deletes its scratch copy: it must not be, contain, or sit inside any table of the plan.
  file.tables.forEach((entry, index) => {
    const scratch = tables.find((t) => t.table === entry.table)?.drill?.scratch;
    if (!scratch) return;
    const at = guard(() => parseS3Uri(scratch), ['tables', index, 'drill'], report, 'scratch');
    for (const other of at ? tables : []) {
      if (overlaps(at!, other.location)) report(['tables', index, 'drill'], `the scratch copy ${scratch} overlaps the table ${formatS3Uri(other.location)}: a drill deletes its scratch copy`, 'scratch');
    }
  });

  const plan: Plan = {
    name: file.name,
    retryAfterMs: file['retry-after'] ? interval(file['retry-after'], [], 'retry-after') : DEFAULT_RETRY_MS,
    staleAfterMs: file['lock-stale-after'] ? interval(file['lock-stale-after'], [], 'lock-stale-after') : DEFAULT_STALE_MS,
    repositories,
    tables,
  };
  if (file.audit) {
    plan.audit = { everyMs: interval(file.audit.every, ['audit'], 'every'), failOn: file.audit['fail-on'] ?? 'high', repository: repositoryOf(file.audit.repository, ['audit']) };
  }
  return plan;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function locationOf(uri: string | undefined): Location | undefined {
  return uri === undefined ? undefined : parseS3Uri(uri);
}

function tableLocation(table: string, warehouse: Location): { name: string; location: Location } {
  if (isS3Uri(table)) {
    const location = parseS3Uri(table);
    const segments = location.prefix.split('/').filter(Boolean);
    return { name: segments[segments.length - 1] ?? location.bucket, location };
  }
  return { name: checkTableName(table), location: childLocation(warehouse, table) };
}

function overlaps(a: Location, b: Location): boolean {
  return a.bucket === b.bucket && (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix));
}

/** restic's option names → the policy applyRetention takes, checked by checkRetentionPolicy unchanged. */
function retentionOf(file: RetentionFile | undefined, path: (string | number)[], report: Report): { retention?: RetentionPolicy } {
  if (!file) return {};
  const byOption = new Map(Object.entries(RULE_OPTIONS).map(([rule, option]) => [option.slice(2), rule as keyof RetentionPolicy]));
  const policy: Record<string, unknown> = {};
  for (const [option, value] of Object.entries(file)) {
    const rule = byOption.get(option)!;
    if (rule === 'tags') policy.tags = (value as (string | string[])[]).map((entry) => (Array.isArray(entry) ? entry : splitTagList(entry)));
    else policy[rule] = value === 'unlimited' ? -1 : value;
  }
  const retention = guard(() => checkRetentionPolicy(policy as RetentionPolicy), path, report, 'retention');
  return retention ? { retention } : {};
}

/** Runs a check that throws lakevault's usage errors; reports its message at path. */
function guard<T>(check: () => T, path: (string | number)[], report: Report, key?: string): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof LakevaultError)) throw error;
    report(path, error.message, key);
    return undefined;
  }
}

function schemaErrors(issue: z.core.$ZodIssue, at: (path: (string | number)[], key?: string) => { line: number; column: number }): PlanError[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      ...at(path, key), field: fieldName([...path, key]),
      message: path[0] === 'repositories' && OFF_SITE_KEYS.has(key)
        ? `"${key}": off-site repositories (another endpoint or profile) are not supported yet; a repository here is on the configured endpoint`
        : `unknown field "${key}"`,
    }));
  }
  return [{ ...at(path), field: fieldName(path), message: issue.message }];
}

function fieldName(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** The line and column of a field (its key when `key` is given), or of the nearest parent that exists. */
function position(doc: Document, lines: LineCounter, path: (string | number)[], key?: string): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!isNode(node)) continue;
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isNode(pair.key) && pair.key.range) return toPosition(lines, pair.key.range[0]);
    }
    if (node.range) return toPosition(lines, node.range[0]);
  }
  return { line: 1, column: 1 };
}

function toPosition(lines: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
