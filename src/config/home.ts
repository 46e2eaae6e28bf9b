import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The folder name the embedded server's data lives in. */
export const HOME_FOLDER = '.lakevault';

export interface EmbeddedHome {
  path: string;
  /** How it was found, in words `doctor` shows. */
  how: string;
}

/**
 * Where the embedded server keeps its data when LAKEVAULT_HOME does not say: the nearest
 * `.lakevault/` in the working directory or a directory above it (as git finds `.git`),
 * else the user's own `~/.lakevault/`. A command run from a subdirectory, or from anywhere
 * under the user's home, so finds the store it used before instead of quietly starting an
 * empty one.
 */
export function findEmbeddedHome(start = process.cwd(), userHome = homedir()): EmbeddedHome {
  for (let directory = resolve(start); ; directory = dirname(directory)) {
    const candidate = join(directory, HOME_FOLDER);
    if (isDirectory(candidate)) return { path: candidate, how: directory === resolve(start) ? 'found in the working directory' : 'found in a directory above the working directory' };
    if (dirname(directory) === directory) break;
  }
  return { path: join(userHome, HOME_FOLDER), how: 'per-user default (no .lakevault/ in the working directory or above)' };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
