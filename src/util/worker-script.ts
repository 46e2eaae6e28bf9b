import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The path of a worker thread's script, which is plain JavaScript at run time. A module
 * loaded from src/ (under jest, which transpiles in memory) points at the compiled copy
 * in dist/: `moduleDir` is the caller's __dirname, `script` the file name in that folder.
 */
export function workerScript(moduleDir: string, script: string): string {
  const compiledDir = /[\\/]src([\\/]|$)/.test(moduleDir) && !existsSync(join(moduleDir, script))
    ? moduleDir.replace(/([\\/])src([\\/]|$)(?!.*[\\/]src([\\/]|$))/, '$1dist$2')
    : moduleDir;
  const compiled = join(compiledDir, script);
  if (!existsSync(compiled)) throw new Error(`worker script ${compiled} not found: build first (npm run build)`);
  return compiled;
}
