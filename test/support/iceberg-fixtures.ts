import { join } from 'node:path';
import { MemoryStore } from './memory-store';

/** Iceberg tables written by Spark, the Iceberg Java API and pyiceberg (test/fixtures/iceberg/PROVENANCE.md). */
export const ICEBERG_FIXTURES = join(__dirname, '..', 'fixtures', 'iceberg');

export type IcebergFixture = 'iceberg-spark-bunnies' | 'iceberg-java-bunnies' | 'iceberg-java-equality_deletes-partitioned' | 'iceberg-pyiceberg-map_stats';
export const ALL_ICEBERG_FIXTURES: IcebergFixture[] = ['iceberg-spark-bunnies', 'iceberg-java-bunnies', 'iceberg-java-equality_deletes-partitioned', 'iceberg-pyiceberg-map_stats'];

export function fixtureFolder(name: IcebergFixture): string {
  return join(ICEBERG_FIXTURES, name);
}

/** A MemoryStore holding one fixture table at s3://lake/<prefix>. */
export async function storeWithFixture(name: IcebergFixture, prefix = `tables/${name}/`): Promise<{ store: MemoryStore; location: { bucket: string; prefix: string } }> {
  const store = new MemoryStore();
  await store.loadFolder('lake', prefix, fixtureFolder(name));
  return { store, location: { bucket: 'lake', prefix } };
}
