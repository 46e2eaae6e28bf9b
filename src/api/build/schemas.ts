import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SCHEMA_VERSION } from '../report';
import { inputSchemas, reportSchemas, schemaDirectory } from '../schemas/index';

/**
 * The JSON Schema of every report, from the zod schemas: published as
 * schemas/v<version>/<name>.json. They describe the input side: objects allow properties
 * added later within a version, so a pipeline validating with these files keeps working
 * when a report grows.
 */
export function jsonSchemas(version: number = SCHEMA_VERSION): Map<string, object> {
  const out = new Map<string, object>();
  for (const [name, schema] of Object.entries(reportSchemas)) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out.set(name, { ...json, $id: `https://lakevault.dev/${schemaDirectory(version)}/${name}.json`, title: `lakevault ${name} report` });
  }
  for (const [name, schema] of Object.entries(inputSchemas)) {
    // The file as written: unknown keys are errors (zod's strict objects), as plan check says.
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out.set(name, { ...json, $id: `https://lakevault.dev/${schemaDirectory(version)}/${name}.json`, title: `lakevault ${name.replace('-', ' ')}` });
  }
  return out;
}

/**
 * Writes (or with check, compares) the current version's files; returns what is stale.
 * Earlier versions are never rewritten — output written under them must stay readable
 * with the files published for them — so they are only required to still be there.
 */
export function emitSchemas(root: string, check: boolean, version: number = SCHEMA_VERSION): string[] {
  const stale: string[] = [];
  for (let earlier = 1; earlier < version; earlier += 1) {
    const directory = join(root, schemaDirectory(earlier));
    if (!existsSync(directory) || !readdirSync(directory).some((file) => file.endsWith('.json'))) {
      stale.push(`${directory} (schemas of an earlier version stay published)`);
    }
  }
  const directory = join(root, schemaDirectory(version));
  if (!check) mkdirSync(directory, { recursive: true });
  for (const [name, schema] of jsonSchemas(version)) {
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
