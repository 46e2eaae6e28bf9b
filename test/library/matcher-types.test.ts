/**
 * `toMatchTable` is typed for both ways a TypeScript jest suite gets `expect`: the global
 * one (@types/jest) and `import { expect } from '@jest/globals'`. tsc checks one suite in
 * each form against the built package's declarations (`lakevault/testing` resolves to
 * dist/ through the package's own exports, as a user's compiler would see them); the
 * expect-error lines prove the matcher's parameters are typed, not any.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

const SUITE = `
import { matchers, type TestTable } from 'lakevault/testing';

expect.extend(matchers);
declare const restored: TestTable;

describe('a restore', () => {
  it('matches the original', async () => {
    await expect(restored).toMatchTable('vendas');
    await expect(restored.uri).toMatchTable(restored, { level: 'quick' });
    await expect('vendas').not.toMatchTable('other');
    // @ts-expect-error the level is 'quick' or 'full'
    await expect(restored).toMatchTable('vendas', { level: 'slow' });
    // @ts-expect-error the expected table is required
    await expect(restored).toMatchTable();
  });
});
`;

describe('toMatchTable types', () => {
  let work: string;
  // Inside the repository, so that 'lakevault/testing' and jest's packages resolve as in a user's project.
  beforeAll(() => { work = mkdtempSync(join(__dirname, '.matcher-types-')); });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  async function typeCheck(file: string, source: string, types: string): Promise<string> {
    writeFileSync(join(work, file), source);
    const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck', '--types', types, join(work, file)];
    return promisify(execFile)(TSC, args, { cwd: ROOT, timeout: 180_000 }).then(() => '', (error: { stdout: string }) => error.stdout);
  }

  it("with import { expect } from '@jest/globals' (no global jest types)", async () => {
    expect(await typeCheck('jest-globals.ts', `import { describe, expect, it } from '@jest/globals';\n${SUITE}`, 'node')).toBe('');
  }, 200_000);

  it('with the global expect of @types/jest', async () => {
    expect(await typeCheck('global-jest.ts', SUITE, 'node,jest')).toBe('');
  }, 200_000);
});
