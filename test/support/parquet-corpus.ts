import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The Apache Parquet project's test files (apache/parquet-testing: data/ and bad_data/), kept
 * byte for byte under test/fixtures/parquet-testing/ (PROVENANCE.md and LICENSE.txt there).
 * PARQUET_TESTING_DIR points elsewhere. Missing, the tests that need it fail: they are the validator's proof on the
 * world's Parquet, never skipped quietly.
 */
export function corpusDir(): string {
  const root = resolve(__dirname, '..', '..');
  const candidates = [
    process.env.PARQUET_TESTING_DIR,
    join(root, 'test', 'fixtures', 'parquet-testing'),
  ].filter((dir): dir is string => Boolean(dir));
  const found = candidates.find((dir) => existsSync(join(dir, 'data')) && existsSync(join(dir, 'bad_data')));
  if (!found) throw new Error(`the parquet-testing corpus is not at ${candidates.join(' or ')} (set PARQUET_TESTING_DIR)`);
  return found;
}

/** Every .parquet file of the corpus, relative to it (data/..., data/geospatial/..., bad_data/...). */
export function corpusFiles(dir = corpusDir()): string[] {
  const files: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.parquet')) files.push(path);
    }
  };
  walk('data');
  walk('bad_data');
  return files.sort();
}
