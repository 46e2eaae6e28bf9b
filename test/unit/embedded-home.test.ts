import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/config';
import { findEmbeddedHome } from '../../src/config/home';

describe('where the embedded store lives', () => {
  const root = mkdtempSync(join(tmpdir(), 'lakevault-home-'));
  const user = join(root, 'user');
  const project = join(user, 'project');
  const deep = join(project, 'a', 'b');
  mkdirSync(deep, { recursive: true });

  it('is the per-user ~/.lakevault when no .lakevault/ is in the working directory or above', () => {
    expect(findEmbeddedHome(deep, user)).toEqual({ path: join(user, '.lakevault'), how: expect.stringMatching(/per-user default/) });
  });

  it('is the nearest .lakevault/ walking up from the working directory, as git finds .git', () => {
    mkdirSync(join(project, '.lakevault'));
    expect(findEmbeddedHome(deep, user)).toEqual({ path: join(project, '.lakevault'), how: 'found in a directory above the working directory' });
    expect(findEmbeddedHome(project, user)).toEqual({ path: join(project, '.lakevault'), how: 'found in the working directory' });
  });

  it('a file named .lakevault is not a store', () => {
    const other = join(root, 'other');
    mkdirSync(join(other, 'x'), { recursive: true });
    writeFileSync(join(other, '.lakevault'), '');
    expect(findEmbeddedHome(join(other, 'x'), user).path).toBe(join(user, '.lakevault'));
  });

  it('LAKEVAULT_HOME still wins, and the configuration records how the home was chosen', () => {
    expect(loadConfig({}, { LAKEVAULT_HOME: join(root, 'elsewhere') }).home).toBe(join(root, 'elsewhere'));
    const found = loadConfig({}, {});
    expect(found.origins?.home).toMatchObject({ source: 'default', from: expect.any(String) });
  });
});
