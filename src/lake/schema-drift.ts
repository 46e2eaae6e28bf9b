import { schemaDifferences, type FieldDescription } from '../model/schema';

/**
 * Schema drift across the files of one table: a column added later (older files lack
 * it), a type widened (Int32 → Int64, Float32 → Float64, a larger decimal), or a change
 * no reader can reconcile. Engines read such tables with a merged schema (Spark's
 * mergeSchema, DuckDB's union_by_name, Delta's type widening); lakevault computes the
 * same merged schema and says which files differ from it and how.
 */
export type DriftChange = 'added' | 'widened' | 'incompatible' | 'nullability';

export interface SchemaDrift {
  change: DriftChange;
  field: string;
  /** One line for people: `column "desconto" (Float64) missing from 3 of 7 files`. */
  message: string;
  /** The files that differ from the merged schema on this field. */
  files: string[];
  /** Types seen, narrowest first ('widened', 'incompatible'). */
  types?: string[];
}

export interface SchemaAnalysis {
  /** Every column of every file: base order first, then added columns as first seen; widest types. */
  schema: FieldDescription[];
  drift: SchemaDrift[];
  /** Files whose own schema differs from the merged one (key → its schema). */
  differing: Map<string, FieldDescription[]>;
}

export interface FileSchema {
  key: string;
  schema: FieldDescription[];
}

const INTEGER_WIDTH: Record<string, number> = { Int8: 8, Int16: 16, Int32: 32, Int64: 64, Uint8: 8, Uint16: 16, Uint32: 32, Uint64: 64 };

function decimal(type: string): { precision: number; scale: number } | undefined {
  const m = /^Decimal\[(\d+)e([+-]?\d+)\]$/.exec(type);
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined;
}

/** True when every value of type `from` is exactly representable in `to` (a widening). */
export function widens(from: string, to: string): boolean {
  if (from === to) return true;
  const a = INTEGER_WIDTH[from];
  const b = INTEGER_WIDTH[to];
  if (a !== undefined && b !== undefined) {
    const signedA = from.startsWith('Int');
    const signedB = to.startsWith('Int');
    if (signedA === signedB) return b > a;
    return !signedA && signedB && b > a; // Uint32 → Int64, never Int → Uint
  }
  if (a !== undefined && to === 'Float64') return a <= 32; // Int32 → Float64 exactly (Delta type widening)
  if (from === 'Float32' && to === 'Float64') return true;
  const da = decimal(from);
  const db = decimal(to);
  if (da && db) return db.scale >= da.scale && db.precision - db.scale >= da.precision - da.scale;
  if (a !== undefined && db) return db.precision - db.scale >= String(2n ** BigInt(a) - 1n).length; // digits of the largest value
  if (from.startsWith('Date32') && to.startsWith('Timestamp<')) return true;
  if ((from === 'Utf8' && to === 'LargeUtf8') || (from === 'Binary' && to === 'LargeBinary')) return true;
  return false;
}

/** The type all of `types` widen to, if one of them is it. */
function widest(types: string[]): string | undefined {
  return types.find((candidate) => types.every((type) => widens(type, candidate)));
}

/**
 * Merges the files' schemas and describes the drift. The base is the schema most files
 * share (ties: the first file's in key order): its column order comes first.
 */
export function analyzeSchemas(files: FileSchema[]): SchemaAnalysis {
  if (files.length === 0) return { schema: [], drift: [], differing: new Map() };
  const groups = new Map<string, FileSchema[]>();
  for (const file of files) {
    const id = JSON.stringify(file.schema);
    groups.set(id, [...(groups.get(id) ?? []), file]);
  }
  const base = [...groups.values()].sort((a, b) => b.length - a.length)[0]![0]!.schema;

  // Field names in order: the base's, then columns other files add, as first seen.
  const names: string[] = base.map((field) => field.name);
  for (const file of files) for (const field of file.schema) if (!names.includes(field.name)) names.push(field.name);

  const schema: FieldDescription[] = [];
  const drift: SchemaDrift[] = [];
  for (const name of names) {
    const byType = new Map<string, string[]>();
    const missing: string[] = [];
    const nullableIn: string[] = [];
    for (const file of files) {
      const field = file.schema.find((f) => f.name === name);
      if (!field) { missing.push(file.key); continue; }
      byType.set(field.type, [...(byType.get(field.type) ?? []), file.key]);
      if (field.nullable) nullableIn.push(file.key);
    }
    const types = [...byType.keys()];
    const wide = widest(types);
    const present = files.length - missing.length;
    const type = wide ?? mostCommon(byType);
    schema.push({ name, type, nullable: missing.length > 0 || nullableIn.length > 0 });

    if (missing.length) {
      drift.push({ change: 'added', field: name, files: missing, message: `column "${name}" (${type}) is in ${present} of ${files.length} files; missing from ${list(missing)}` });
    }
    if (types.length > 1) {
      const ordered = wide ? [...types].sort((x, y) => (widens(x, y) ? -1 : widens(y, x) ? 1 : 0)) : types;
      const narrower = [...byType.entries()].filter(([t]) => t !== type).flatMap(([, keys]) => keys);
      drift.push(wide
        ? { change: 'widened', field: name, types: ordered, files: narrower, message: `column "${name}" widened ${ordered.join(' → ')}; narrower in ${list(narrower)}` }
        : { change: 'incompatible', field: name, types, files: narrower, message: `column "${name}" has incompatible types ${types.map((t) => `${t} (${byType.get(t)!.length} files)`).join(', ')}` });
    }
    if (nullableIn.length > 0 && nullableIn.length < present) {
      const required = [...byType.values()].flat().filter((key) => !nullableIn.includes(key));
      drift.push({ change: 'nullability', field: name, files: required, message: `column "${name}" is nullable in ${nullableIn.length} files, required in ${list(required)}` });
    }
  }

  const differing = new Map<string, FieldDescription[]>();
  for (const file of files) if (schemaDifferences(schema, file.schema).length) differing.set(file.key, file.schema);
  return { schema, drift, differing };
}

function mostCommon(byType: Map<string, string[]>): string {
  return [...byType.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];
}

function list(keys: string[]): string {
  return keys.length <= 3 ? keys.join(', ') : `${keys.length} files (${keys.slice(0, 3).join(', ')}, ...)`;
}
