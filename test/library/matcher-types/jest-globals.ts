// Type-checked by test/library/matcher-types.test.ts without the global jest types: the
// suite gets `expect` from '@jest/globals', as a user who does not install @types/jest.
import { describe, expect, it } from '@jest/globals';
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
