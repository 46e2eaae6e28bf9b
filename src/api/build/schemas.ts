import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { inputSchemas, reportSchemas, SCHEMA_DIRECTORY } from '../schemas/index';

/**
 * The JSON Schema of every report, from the zod schemas: published as schemas/v1/<name>.json.
 * They describe the input side: objects allow properties added later within
 * version 1, so a pipeline validating with these files keeps working when a report grows.
 */
export function jsonSchemas(): Map<string, object> {
  const out = new Map<string, object>();
  for (const [name, schema] of Object.entries(reportSchemas)) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out.set(name, { ...json, $id: `https://lakevault.dev/${SCHEMA_DIRECTORY}/${name}.json`, title: `lakevault ${name} report` });
  }
  for (const [name, schema] of Object.entries(inputSchemas)) {
    // The file as written: unknown keys are errors (zod's strict objects), as plan check says.
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out.set(name, { ...json, $id: `https://lakevault.dev/${SCHEMA_DIRECTORY}/${name}.json`, title: `lakevault ${name.replace('-', ' ')}` });
  }
  return out;
}

/** Writes (or with check, compares) the published files; returns the stale ones. */
export function emitSchemas(root: string, check: boolean): string[] {
  const directory = join(root, SCHEMA_DIRECTORY);
  const stale: string[] = [];
  if (!check) mkdirSync(directory, { recursive: true });
  for (const [name, schema] of jsonSchemas()) {
    const file = join(directory, `${name}.json`);
    const text = JSON.stringify(schema, null, 2) + '\n';
    if (check) {
      let current = '';
      try { current = readFileSync(file, 'utf8'); } catch { /* missing = stale */ }
      if (current !== text) stale.push(file);
    } else {
      writeFileSync(file, text);
    }
  }
  return stale;
}
