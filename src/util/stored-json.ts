import type { z } from 'zod';
import { IntegrityError, UnsupportedError } from '../errors';
import { TOOL_VERSION } from '../version';

/** A kind of document lakevault stores, and the newest version of it this lakevault reads. */
export interface StoredFormat {
  format: string;
  newest: number;
}

/**
 * Parses a document lakevault stored (a manifest or a marker): valid JSON, then — when its
 * `format` is the expected one and its `formatVersion` newer than this lakevault reads — a
 * clear refusal naming the version that wrote it, then the schema. Returns the checked value
 * and the JSON as stored (fields a schema does not know are stripped from the value, not
 * from the JSON: what was signed is what was stored).
 */
export function parseStoredJson<T>(schema: z.ZodType<T>, text: string, where: string, format?: StoredFormat): { value: T; json: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new IntegrityError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (format) refuseNewer(json, format, where);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new IntegrityError(`${where} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return { value: parsed.data, json };
}

function refuseNewer(json: unknown, format: StoredFormat, where: string): void {
  if (!json || typeof json !== 'object') return;
  const document = json as { format?: unknown; formatVersion?: unknown; toolVersion?: unknown };
  if (document.format !== format.format || typeof document.formatVersion !== 'number' || document.formatVersion <= format.newest) return;
  const writer = typeof document.toolVersion === 'string' ? `lakevault ${document.toolVersion}` : 'a newer lakevault';
  throw new UnsupportedError(`${where} is ${format.format} format ${document.formatVersion}, written by ${writer}; this lakevault (${TOOL_VERSION}) reads up to format ${format.newest}: upgrade lakevault`);
}
