import type { Schema } from 'apache-arrow';

/** A schema as lakevault records and compares it: field names, Arrow types, nullability, order. */
export interface FieldDescription {
  name: string;
  type: string;
  nullable: boolean;
}

export function describeSchema(schema: Schema): FieldDescription[] {
  return schema.fields.map((field) => ({ name: field.name, type: String(field.type), nullable: field.nullable }));
}

/** Human-readable differences between two schemas; empty when equal. */
export function schemaDifferences(expected: FieldDescription[], actual: FieldDescription[]): string[] {
  const differences: string[] = [];
  const byName = new Map(actual.map((field, index) => [field.name, { field, index }]));
  expected.forEach((field, index) => {
    const other = byName.get(field.name);
    if (!other) { differences.push(`field "${field.name}" missing`); return; }
    if (other.field.type !== field.type) differences.push(`field "${field.name}" type ${field.type} → ${other.field.type}`);
    if (other.field.nullable !== field.nullable) differences.push(`field "${field.name}" nullable ${field.nullable} → ${other.field.nullable}`);
    if (other.index !== index) differences.push(`field "${field.name}" position ${index} → ${other.index}`);
  });
  const expectedNames = new Set(expected.map((field) => field.name));
  for (const field of actual) if (!expectedNames.has(field.name)) differences.push(`field "${field.name}" added (${field.type})`);
  return differences;
}
