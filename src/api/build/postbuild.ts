import { resolve } from 'node:path';
import { emitEsmWrappers } from './esm';
import { emitSchemas } from './schemas';

/**
 * The build's last step (after tsc): ESM wrappers of the public entries, and the JSON
 * Schema files of the reports. `--check` writes nothing and fails when the committed
 * schemas/ differ from what the zod schemas produce.
 */
function main(argv: string[]): number {
  const root = resolve(__dirname, '..', '..', '..');
  if (argv.includes('--check')) {
    const stale = emitSchemas(root, true);
    if (stale.length) process.stderr.write(`out of date (run npm run build): ${stale.join(', ')}\n`);
    return stale.length ? 1 : 0;
  }
  emitEsmWrappers(resolve(root, 'dist'), ['index', 'testing/index']);
  emitSchemas(root, false);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
