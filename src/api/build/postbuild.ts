import { resolve } from 'node:path';
import { emitEsmWrappers } from './esm';
import { emitSchemas } from './schemas';

/**
 * The build's last step (after tsc): ESM wrappers of the public entries, and the JSON
 * Schema files of the reports' current version. `--check` writes nothing and fails when
 * the committed schemas/ differ from what the zod schemas produce; both fail when an
 * earlier version's directory is gone.
 */
function main(argv: string[]): number {
  const root = resolve(__dirname, '..', '..', '..');
  if (argv.includes('--check')) {
    const stale = emitSchemas(root, true);
    if (stale.length) process.stderr.write(`out of date (run npm run build): ${stale.join(', ')}\n`);
    return stale.length ? 1 : 0;
  }
  emitEsmWrappers(resolve(root, 'dist'), ['index', 'testing/index']);
  const missing = emitSchemas(root, false);
  if (missing.length) process.stderr.write(`missing: ${missing.join(', ')}\n`);
  return missing.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
