import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BIN } from '../support/cli';

jest.setTimeout(120_000);

const run = promisify(execFile);

/** The CLI on its own embedded server, run from `cwd` with HOME `home` and no LAKEVAULT_HOME. */
async function lakevault(cwd: string, home: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: home } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the embedded store is found, not silently made anew', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'lakevault-where-')));
  const user = join(root, 'user');
  const project = join(user, 'project');
  const sub = join(project, 'notebooks', 'q3');
  mkdirSync(sub, { recursive: true });
  mkdirSync(join(project, '.lakevault'));

  it('a table made in a project is found from a subdirectory; doctor names the store and how it was found', async () => {
    expect((await lakevault(project, user, 'table', 'create', 'vendas', '--rows', '100')).code).toBe(0);
    const inspected = await lakevault(sub, user, '--json', 'table', 'inspect', 'vendas');
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout).totals.rows).toBe(100);

    const doctor = await lakevault(sub, user, '--json', 'doctor');
    const home = JSON.parse(doctor.stdout).settings.find((s: { setting: string }) => s.setting === 'home');
    expect(home).toEqual({ setting: 'home', value: join(project, '.lakevault'), source: 'default', from: 'found in a directory above the working directory' });
  });

  it('"not found" on the embedded store names the store it looked in', async () => {
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const missing = await lakevault(elsewhere, user, 'table', 'inspect', 'vendas');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^lakevault: error: .*vendas.* \(in the embedded store at (.*); LAKEVAULT_HOME or the nearest \.lakevault\/ above the working directory chooses it\)\n$/);
    expect(missing.stderr).toContain(`embedded store at ${join(user, '.lakevault')};`);
  });
});
