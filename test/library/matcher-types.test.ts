/**
 * `toMatchTable` is typed for both ways a TypeScript jest suite gets `expect`: the global
 * one (@types/jest) and `import { expect } from '@jest/globals'`. tsc checks the files in
 * matcher-types/ against the built package's declarations (`lakevault/testing` resolves
 * to dist/ through the package's own exports), as a user's compiler would see them.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

async function typeCheck(file: string, types: string): Promise<string> {
  const args = ['--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--skipLibCheck', '--types', types, join(__dirname, 'matcher-types', file)];
  return promisify(execFile)(TSC, args, { cwd: ROOT, timeout: 180_000 }).then(() => '', (error: { stdout: string }) => error.stdout);
}

describe('toMatchTable types', () => {
  it("with import { expect } from '@jest/globals' (no global jest types)", async () => {
    expect(await typeCheck('jest-globals.ts', 'node')).toBe('');
  }, 200_000);

  it('with the global expect of @types/jest', async () => {
    expect(await typeCheck('global-jest.ts', 'node,jest')).toBe('');
  }, 200_000);
});
