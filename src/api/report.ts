/**
 * Every result the library returns (and the CLI prints with --json) is a report of a
 * versioned shape: `schemaVersion` names the JSON Schema it follows (schemas/v1/*.json).
 * Version 1 may gain fields; a field is never removed or changed in meaning within it.
 */
export const SCHEMA_VERSION = 1 as const;

export type Report<T> = { schemaVersion: typeof SCHEMA_VERSION } & T;

export function report<T extends object>(value: T): Report<T> {
  return { schemaVersion: SCHEMA_VERSION, ...value };
}
