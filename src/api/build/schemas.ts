import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { reportSchemas, SCHEMA_DIRECTORY } from './index';

/**
 * Writes schemas/v1/<report>.json from the zod schemas (the build's last step). With
 * --check it writes nothing and fails when a published file is out of date.
 *
 * The JSON Schemas describe the input side: objects allow properties added later within
 * version 1, so a pipeline validating with these files keeps working when a report grows.
 */
export function jsonSchemas(): Map<string, object> {
  const out = new Map<string, object>();
  for (const [name, schema] of Object.entries(reportSchemas)) {
    const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    out.set(name, { ...json, $id: `https://lakevault.dev/${SCHEMA_DIRECTORY}/${name}.json`, title: `lakevault ${name} report` });
  }
  return out;
}

function main(argv: string[]): number {
  const root = resolve(__dirname, '..', '..', '..');
  const directory = join(root, SCHEMA_DIRECTORY);
  const check = argv.includes('--check');
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
  if (stale.length) {
    process.stderr.write(`out of date (run npm run build): ${stale.join(', ')}\n`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
