import { join } from 'node:path';

/** Delta tables written by Spark, Delta 0.8.0 and Databricks (test/fixtures/delta/PROVENANCE.md). */
export const DELTA_FIXTURES = join(__dirname, '..', 'fixtures', 'delta');

export type DeltaFixture = 'delta-spark-simple_table' | 'delta-spark-0.8.0-partitioned' | 'delta-spark-simple_table_with_checkpoint' | 'delta-databricks-table-with-dv-small';
export const ALL_DELTA_FIXTURES: DeltaFixture[] = ['delta-spark-simple_table', 'delta-spark-0.8.0-partitioned', 'delta-spark-simple_table_with_checkpoint', 'delta-databricks-table-with-dv-small'];

export function deltaFixtureFolder(name: DeltaFixture): string {
  return join(DELTA_FIXTURES, name);
}
