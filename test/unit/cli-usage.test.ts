import { parseInteger } from '../../src/cli/context';
import { main } from '../../src/cli/main';
import { createOutput, formatBytes, formatCount, formatTable, reportError } from '../../src/cli/output';
import { UsageError, NotFoundError } from '../../src/errors';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyHome, runLakevault } from '../support/cli';
import { SCHEMA_VERSION } from '../../src/api/report';
import { TOOL_VERSION as VERSION } from '../../src/version';

const packageVersion = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Runs the CLI in-process (usage errors never reach a store); captures stdout and stderr. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
  try {
    const code = await main(['node', 'lakevault', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('parseInteger (strict integer flags)', () => {
  it.each([['1', 1], ['50000', 50000], [' 42 ', 42], ['1000000000', 1_000_000_000]])('accepts %j', (raw, value) => {
    expect(parseInteger('--rows', raw, 1, 1_000_000_000)).toBe(value);
  });
  it.each(['0', '-1', 'abc', '12abc', '1e3', '1.5', '', '0x10', '+5', '1000000001', '99999999999999999999'])('rejects %j', (raw) => {
    expect(() => parseInteger('--rows', raw, 1, 1_000_000_000)).toThrow(UsageError);
    expect(() => parseInteger('--rows', raw, 1, 1_000_000_000)).toThrow(/--rows must be a whole number from 1 to 1,000,000,000/);
  });
  it('undefined is an error too', () => {
    expect(() => parseInteger('--seed', undefined, 0, 10)).toThrow(/--seed/);
  });
});

describe('CLI usage errors (exit 2, one line, nothing run)', () => {
  it('an unknown command', async () => {
    const result = await run('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^lakevault: error: unknown command 'frobnicate'\n$/);
    expect(result.stdout).toBe('');
  });

  it('an unknown flag', async () => {
    const result = await run('table', 'list', '--no-such-flag');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^lakevault: error: unknown option '--no-such-flag'\n$/);
  });

  it.each(['0', '-1', 'abc', '1.5'])('--rows %s', async (rows) => {
    const result = await run('table', 'create', 'x', '--rows', rows);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('--rows');
  });

  it('a missing argument', async () => {
    const result = await run('table', 'create');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument 'name'/);
  });

  it('with --json, the error is one JSON document on stdout too', async () => {
    const result = await run('--json', 'table', 'create', 'x', '--rows', 'abc');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({ schemaVersion: 1, ok: false, error: { code: 'USAGE', message: expect.stringContaining('--rows') } });
  });

  it('--help and --version exit 0', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: lakevault');
    const version = await run('--version');
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`lakevault ${VERSION} (JSON report schema version ${SCHEMA_VERSION})\n`);
  });

  it('--version names the release (package.json) and the report schema version, in text and in JSON', async () => {
    expect(VERSION).toBe(packageVersion);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    for (const args of [['--version', '--json'], ['--json', '-V']]) {
      const result = await run(...args);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ schemaVersion: SCHEMA_VERSION, version: packageVersion, node: process.version });
    }
  });

  it('an error thrown where no caller can catch it ends the run with one error line and exit 1', async () => {
    // As a WebAssembly trap inside a stream callback would: thrown from a callback, mid-run.
    const home = emptyHome('uncaught');
    const preload = join(home, 'throw-later.js');
    writeFileSync(preload, "setImmediate(() => { throw new Error('thrown in a callback\\nwith a second line'); });\n");
    const result = await runLakevault(['--json', '--version'], { home, env: { NODE_OPTIONS: `--require ${preload}` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('lakevault: error: thrown in a callback\n');
    expect(result.stdout).toContain('"code": "INTERNAL"');
  });
});

describe('output helpers', () => {
  it('reportError: one line on stderr, the exit code of the error class', () => {
    let stderr = '';
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
    try {
      expect(reportError(new NotFoundError('table "x" not found\nsecond line'), false)).toBe(1);
      expect(reportError(new UsageError('bad flag'), false)).toBe(2);
      expect(reportError(new Error('unexpected'), false)).toBe(1);
    } finally {
      err.mockRestore();
    }
    expect(stderr).toBe('lakevault: error: table "x" not found\nlakevault: error: bad flag\nlakevault: error: unexpected\n');
  });

  it('--json prints bigint values as strings in one document', () => {
    let stdout = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
    try {
      createOutput(true, { isTTY: false, write: () => true }).result({ rows: 10n, name: 'x' }, () => 'text');
    } finally {
      out.mockRestore();
    }
    expect(JSON.parse(stdout)).toEqual({ rows: '10', name: 'x' });
  });

  it('formats counts as English grouping does, whole or not', () => {
    for (const n of [0, 7, 999, 1_000, -1_000, 12_345, 1_234_567, -987_654_321, Number.MAX_SAFE_INTEGER, 1.5, 1_234.5678, -0.25]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en'));
    }
  });

  it('formats sizes and tables', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(79_481_340)).toBe('75.8 MiB');
    expect(formatTable(['a', 'bb'], [['xxx', 1], ['y', 22]])).toBe('a    bb\nxxx  1\ny    22');
  });
});
