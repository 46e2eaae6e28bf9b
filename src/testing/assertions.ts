import { Lakevault } from '../api/client';
import { report, type Report } from '../api/report';
import { resolveFileSet } from '../api/subjects';
import type { FileSet } from '../model/file-set';
import { compareFileSets, type Difference, type ValidationLevel, type ValidationReport } from '../validate';

/** A table, backup or checkpoint: a TestTable (or anything with a uri and a client), a name, an id or an s3:// URI. */
export type TableLike = string | { uri: string; client?: Lakevault };

export interface TablesEqualOptions {
  /** full (default): every row decoded and digested, layout ignored. quick: manifests, sizes, ETags, footers. */
  level?: ValidationLevel;
  /** The client to read with; default: the one a TestTable carries, else one opened from the environment. */
  client?: Lakevault;
}

/** Thrown by expectTablesEqual: `report` is the validator's comparison. */
export class TablesDifferError extends Error {
  constructor(message: string, readonly report: Report<ValidationReport>) {
    super(message);
    this.name = 'TablesDifferError';
  }
}

/** Table files carry their generation id in the name: pair files by position, not by that id. */
const GENERATION = /-\d{8}T\d{6}(?:\.\d{3})?Z-[0-9a-f]{6}(?=\.|$)/g;

interface Pairable {
  set: FileSet;
  /** paired key → the file's real key */
  realKey: Map<string, string>;
  /** paired key → the column digests its manifest records */
  columns: Map<string, Record<string, string>>;
}

function pairable(set: FileSet): Pairable {
  const realKey = new Map<string, string>();
  const columns = new Map<string, Record<string, string>>();
  const files = set.files.map((file) => {
    const relativeKey = file.relativeKey.replace(GENERATION, '');
    realKey.set(relativeKey, file.relativeKey);
    if (file.columnDigests) columns.set(relativeKey, file.columnDigests);
    return { ...file, relativeKey };
  });
  return { set: { ...set, files }, realKey, columns };
}

/** Quick level reads no rows: the manifests' recorded column digests still say which columns differ. */
function recordedColumnsDiffering(file: string, a: Pairable, b: Pairable): string[] {
  const ca = a.columns.get(file);
  const cb = b.columns.get(file);
  if (!ca || !cb) return [];
  return Object.keys(ca).filter((column) => cb[column] !== undefined && cb[column] !== ca[column]);
}

/**
 * Compares two tables (or backups, checkpoints) with lakevault's validator. Resolves to
 * the report when they are equal; otherwise returns it in a TablesDifferError whose
 * message names, for each difference, the file, row group and column.
 */
export async function compareTables(a: TableLike, b: TableLike, options: TablesEqualOptions = {}): Promise<{ report: Report<ValidationReport>; message?: string }> {
  const level = options.level ?? 'full';
  const given = options.client ?? (typeof a === 'object' ? a.client : undefined) ?? (typeof b === 'object' ? b.client : undefined);
  const client = given ?? await Lakevault.open();
  try {
    const { config, store } = client.context;
    const setA = pairable(await resolveFileSet(store, config, typeof a === 'string' ? a : a.uri));
    const setB = pairable(await resolveFileSet(store, config, typeof b === 'string' ? b : b.uri));
    const result = report(await compareFileSets(store, setA.set, setB.set, { level }));
    if (result.ok) return { report: result };
    return { report: result, message: describeDifferences(result, setA, setB) };
  } finally {
    if (!given) await client.close();
  }
}

/** Resolves to the comparison when a and b hold the same table; throws TablesDifferError when not. */
export async function expectTablesEqual(a: TableLike, b: TableLike, options: TablesEqualOptions = {}): Promise<Report<ValidationReport>> {
  const { report: result, message } = await compareTables(a, b, options);
  if (message !== undefined) throw new TablesDifferError(message, result);
  return result;
}

const LIMIT = 20;
/** At full level, sizes and ETags are how files are stored, not what they hold: summarised, not listed. */
const LAYOUT_KINDS = new Set(['size', 'etag', 'row-groups', 'renamed-file']);

function describeDifferences(result: ValidationReport, a: Pairable, b: Pairable): string {
  const lines = [`expected ${b.set.label} (${b.set.uri}) to hold the same table as ${a.set.label} (${a.set.uri}) (${result.level} validation); they differ:`];
  const layoutOnly = result.level === 'full' ? result.differences.filter((d) => LAYOUT_KINDS.has(d.kind)) : [];
  const shown = result.differences.filter((d) => !layoutOnly.includes(d));
  const problems = [
    ...shown.map((d) => `  - ${describeDifference(d, a, b)}`),
    ...result.fileErrors.map((e) => `  - file ${e.file} (${e.subject}): ${e.error}`),
  ];
  lines.push(...problems.slice(0, LIMIT));
  if (problems.length > LIMIT) lines.push(`  … and ${problems.length - LIMIT} more (see error.report)`);
  if (layoutOnly.length) lines.push(`  (the files are also stored differently: ${layoutOnly.length} size/ETag/row-group difference(s), see error.report)`);
  return lines.join('\n');
}

function describeDifference(d: Difference, a: Pairable, b: Pairable): string {
  const where: string[] = [];
  if (d.file !== undefined) {
    const inA = a.realKey.get(d.file);
    const inB = b.realKey.get(d.file);
    where.push(inA && inB && inA !== inB ? `file ${inA} (b: ${inB})` : `file ${inA ?? inB ?? d.file}`);
  }
  if (d.rowGroup !== undefined) where.push(`row group ${d.rowGroup}`);
  if (d.column !== undefined) where.push(`column "${d.column}"`);
  else if (d.kind === 'digest' && d.file !== undefined) {
    const columns = recordedColumnsDiffering(d.file, a, b);
    if (columns.length) where.push(`${columns.length === 1 ? 'column' : 'columns'} ${columns.map((c) => `"${c}"`).join(', ')}`);
  }
  // The validator's message starts with the place (under the paired key); the place is said above.
  let what = d.message;
  if (where.length && (d.file !== undefined ? what.startsWith(d.file) : what.startsWith('column "'))) {
    const colon = what.indexOf(': ');
    if (colon >= 0) what = what.slice(colon + 2);
  }
  const values = d.kind === 'digest' && (d.expected !== undefined || d.actual !== undefined) ? ` (a: ${show(d.expected)}, b: ${show(d.actual)})` : '';
  return `${where.length ? where.join(', ') + ': ' : ''}${what}${values}`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? 'none' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
