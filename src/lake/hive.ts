/**
 * Hive-style partition paths: `col=value/` directories between the table prefix and the
 * file. Writers escape characters that cannot stand in a path segment as %XX:
 *  - Hive and Spark (FileUtils.escapePathName) escape ASCII only — '%', '=', '/', ':',
 *    '#', '?', '"', '\'', '*', '[', ']', '{', '^', '\\', control characters — and leave
 *    unicode, spaces, '+' and '&' as they are;
 *  - DuckDB percent-encodes every byte outside [A-Za-z0-9-_.~] of the value's UTF-8.
 * Decoding %XX runs as UTF-8 bytes reads both. '+' is never a space (this is not form
 * encoding), and a '%' not followed by two hex digits is kept as it is.
 */

/** Hive writes NULL partition values as this directory name. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

export interface PartitionValue {
  column: string;
  /** The decoded value; null for Hive's default (NULL) partition. */
  value: string | null;
  /** The path segment as stored: what a restore must reproduce byte for byte. */
  segment: string;
}

/** Decodes %XX escapes (runs of them as UTF-8); anything else, '+' included, stays as it is. */
export function unescapePathName(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    const decoded = bytes.toString('utf8');
    // Bytes that are not valid UTF-8 (a Latin-1 writer) decode one by one instead.
    return decoded.includes('\uFFFD') ? String.fromCharCode(...bytes) : decoded;
  });
}

/** Characters Hive/Spark escape in partition path segments (see FileUtils.escapePathName). */
const HIVE_ESCAPED = new Set(['"', '#', '%', "'", '*', '/', ':', '=', '?', '\\', '\x7F', '{', '[', ']', '^']);

/** The path segment Hive or Spark writes for a value (ASCII specials as %XX, unicode as is). */
export function escapePathName(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    out += HIVE_ESCAPED.has(char) || code < 0x20 ? '%' + code.toString(16).toUpperCase().padStart(2, '0') : char;
  }
  return out;
}

/**
 * The partition values of a key relative to the table prefix: every directory segment of
 * the form `col=value`, in order. Other directories are skipped (`data/col=x/f.parquet`
 * is partitioned by col).
 */
export function parsePartitionPath(relativeKey: string): PartitionValue[] {
  const directories = relativeKey.split('/').slice(0, -1);
  const values: PartitionValue[] = [];
  for (const segment of directories) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const raw = segment.slice(eq + 1);
    values.push({
      column: unescapePathName(segment.slice(0, eq)),
      value: raw === HIVE_DEFAULT_PARTITION ? null : unescapePathName(raw),
      segment,
    });
  }
  return values;
}

export interface PartitionSummary {
  /** Partition columns in path order, when every data file agrees on them. */
  columns: string[];
  /** Distinct decoded values per column, sorted (null = Hive's default partition). */
  values: Record<string, (string | null)[]>;
  /** Number of distinct partition directories holding data. */
  partitions: number;
  /** Data files whose partition columns differ from the others' (a layout to look at). */
  inconsistent: { key: string; columns: string[] }[];
}

/** Summarises the partitioning of a set of data files. */
export function summarizePartitions(keys: string[]): PartitionSummary {
  const byLayout = new Map<string, string[]>();
  const parsed = keys.map((key) => ({ key, values: parsePartitionPath(key) }));
  for (const { key, values } of parsed) {
    const layout = values.map((v) => v.column).join('/');
    byLayout.set(layout, [...(byLayout.get(layout) ?? []), key]);
  }
  // The layout most files follow is the table's; files that follow another are reported.
  const [mainLayout] = [...byLayout.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? [''];
  const columns = mainLayout ? mainLayout.split('/') : [];
  const values: Record<string, Set<string | null>> = Object.fromEntries(columns.map((c) => [c, new Set<string | null>()]));
  const directories = new Set<string>();
  const inconsistent: PartitionSummary['inconsistent'] = [];
  for (const { key, values: partition } of parsed) {
    const layout = partition.map((v) => v.column).join('/');
    if (layout !== mainLayout) { inconsistent.push({ key, columns: partition.map((v) => v.column) }); continue; }
    for (const v of partition) values[v.column]!.add(v.value);
    if (partition.length) directories.add(partition.map((v) => v.segment).join('/'));
  }
  const sorted = (set: Set<string | null>) => [...set].sort((a, b) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0));
  return {
    columns,
    values: Object.fromEntries(Object.entries(values).map(([c, set]) => [c, sorted(set)])),
    partitions: directories.size,
    inconsistent,
  };
}
