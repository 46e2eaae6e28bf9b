#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ (shipped in the package; in a clone of the
// repository, `npm run build` makes it — npm start and npm test build first).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

if (!existsSync(join(__dirname, '..', 'dist', 'cli', 'main.js'))) {
  process.stderr.write(`lakevault: error: the CLI is not built (${join(__dirname, '..', 'dist')} is missing): run npm run build in ${join(__dirname, '..')}\n`);
  process.exit(2);
}
// An error thrown where no caller can catch it (a WebAssembly trap inside a stream callback)
// still ends the run with one error line (and exit 1), not a stack trace.
process.on('uncaughtException', (error) => {
  process.exit(require('../dist/cli/output.js').reportError(error, process.argv.includes('--json')));
});
require('../dist/cli/main.js').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`lakevault: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
