/**
 * Every result the library returns (and the CLI prints with --json) is a report of a
 * versioned shape: `schemaVersion` names the JSON Schemas it follows
 * (schemas/v<schemaVersion>/*.json). A version may gain fields; removing a field or
 * changing its meaning raises the version, and the earlier version's files stay published
 * (docs/LIBRARY.md, "Report schemas").
 */
export const SCHEMA_VERSION = 1 as const;

export type Report<T> = { schemaVersion: typeof SCHEMA_VERSION } & T;

export function report<T extends object>(value: T): Report<T> {
  return { schemaVersion: SCHEMA_VERSION, ...value };
}
