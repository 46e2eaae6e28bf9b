/**
 * `lakevault/testing`: what an integration test suite needs to use lakevault — a running
 * S3 endpoint, table fixtures, and assertions built on the validator. See docs/LIBRARY.md.
 */
export { startTestStore, type TestStore, type StartTestStoreOptions } from './test-store';
export { globalSetup, globalTeardown } from './jest-global';
export {
  createSalesTable, createArrowTable, createTestBucket, removePrefix,
  type TestTable, type TestBucket, type SalesFixtureOptions, type ArrowFixtureOptions,
} from './fixtures';
export { expectTablesEqual, compareTables, TablesDifferError, type TableLike, type TablesEqualOptions } from './assertions';
export { matchers } from './matchers';
