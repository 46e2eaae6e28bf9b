// Brings jest's `expect` package into this compilation so the augmentation below has a
// module to extend; type-only, so neither the build nor a user's runtime loads it.
import type {} from 'expect';
import { compareTables, type TableLike, type TablesEqualOptions } from './assertions';

/**
 * Jest matchers: `expect.extend(matchers)`, then
 *   await expect(restored).toMatchTable(original, { level: 'full' });
 * Both sides are TestTables, names, backup/checkpoint ids or s3:// URIs. On failure the
 * message names the file, row group and column of each difference.
 */
export const matchers = {
  async toMatchTable(this: { isNot?: boolean }, received: TableLike, expected: TableLike, options: TablesEqualOptions = {}) {
    const { report, message } = await compareTables(expected, received, options);
    const name = (t: TableLike) => (typeof t === 'string' ? t : t.uri);
    return {
      pass: report.ok,
      message: () => report.ok
        ? `expected ${name(received)} not to match ${name(expected)}, but they hold the same table (${report.level} validation)`
        : message!,
    };
  },
};

// The matcher's type, for both ways a jest suite gets `expect`: the global one (@types/jest)
// and `import { expect } from '@jest/globals'`, whose matchers are the `expect` package's.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The received table holds the same rows as the expected one (lakevault's validator). */
      toMatchTable(expected: TableLike, options?: TablesEqualOptions): Promise<R>;
    }
  }
}

declare module 'expect' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a merged declaration repeats expect's type parameters
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The received table holds the same rows as the expected one (lakevault's validator). */
    toMatchTable(expected: TableLike, options?: TablesEqualOptions): Promise<R>;
  }
}
