#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on install).
// An error thrown where no caller can catch it (a WebAssembly trap inside a stream callback)
// still ends the run with one error line (and exit 1), not a stack trace.
process.on('uncaughtException', (error) => {
  process.exit(require('../dist/cli/output.js').reportError(error, process.argv.includes('--json')));
});
require('../dist/cli/main.js').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`lakevault: ${err && err.message ? err.message : err}\n`); process.exitCode = 1; },
);
