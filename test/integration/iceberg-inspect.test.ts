/**
 * Iceberg tables written by Spark, the Iceberg Java API and pyiceberg, uploaded to the
 * suite's S3 server: `table inspect` reads them natively, and a table moved to a new
 * prefix with planTableRewrite (rewritten files put, the rest copied server-side) inspects
 * as the same table at its new location.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { reportSchemas } from '../../src/api/schemas/index';
import { openIcebergTable, planTableRewrite } from '../../src/lake/iceberg';
import type { OpenStore } from '../../src/store/open';
import { runLakevault, targetEnv } from '../support/cli';
import { fixtureFolder, type IcebergFixture } from '../support/iceberg-fixtures';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { uploadDir } from './lake-fixtures';

jest.setTimeout(300_000); // CLI processes on a shared 2-core machine

const published = z.fromJSONSchema(JSON.parse(readFileSync(resolve(__dirname, '../../schemas/v1/table-inspect.json'), 'utf8')) as Parameters<typeof z.fromJSONSchema>[0]);

describe(`table inspect of Iceberg tables no one here wrote (${TARGET})`, () => {
  let open: OpenStore;
  const bucket = uniqueBucket('iceberg-inspect');
  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(bucket);
  });
  afterAll(async () => { await removeBucket(open, bucket); await open.close(); });

  async function upload(name: IcebergFixture): Promise<string> {
    await uploadDir(open.store, bucket, `tables/${name}/`, fixtureFolder(name));
    return `s3://${bucket}/tables/${name}/`;
  }

  async function inspect(uri: string, flags: string[] = []): Promise<any> {
    const run = await runLakevault(['table', 'inspect', uri, ...flags, '--json'], { env: targetEnv() });
    if (run.code !== 0) throw new Error(`table inspect ${uri} exited ${run.code}: ${run.stderr}`);
    expect(published.safeParse(run.json).success).toBe(true);
    expect(reportSchemas['table-inspect'].parse(run.json)).toEqual(run.json); // nothing undocumented
    return run.json;
  }

  it('Iceberg Java API table with position and equality deletes: snapshot, schema, rows against footers, deletes, no orphans', async () => {
    const uri = await upload('iceberg-java-bunnies');
    const r = await inspect(uri);
    expect(r.format).toBe('iceberg');
    expect(r.iceberg).toMatchObject({
      metadataFile: 'metadata/v5.metadata.json',
      foundBy: 'version-hint',
      formatVersion: 2,
      location: 's3a://hyperparam-iceberg/java/bunnies',
      currentSnapshotId: '9158179788527662767',
      snapshotId: '9158179788527662767',
      refs: [{ name: 'main', type: 'branch', snapshotId: '9158179788527662767' }],
      files: { dataFiles: 2, records: 22, positionDeleteFiles: 1, positionDeletes: 6, equalityDeleteFiles: 1, equalityDeletes: 1, deletionVectors: 0 },
      orphans: [],
      problems: [],
    });
    expect(r.iceberg.snapshots.map((s: { snapshotId: string }) => s.snapshotId)).toEqual(['4951213507629824583', '6458828015811002920', '9158179788527662767']);
    expect(r.iceberg.schema.fields.map((f: { name: string }) => f.name)).toContain('__happy__');
    // Rows from the Parquet footers of the snapshot's data files agree with the manifests.
    expect(r.totals).toMatchObject({ files: 2, rows: 22 });
    expect(r.files.map((f: { key: string }) => f.key).sort()).toEqual(['data/bunnies-initial.parquet', 'data/bunnies-updated-new-zealand.parquet']);

    const text = await runLakevault(['table', 'inspect', uri], { env: targetEnv() });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('snapshot 9158179788527662767 (current); 3 snapshots, refs: main (branch) → 9158179788527662767');
    expect(text.stdout).toContain('position deletes 6 in 1 files; equality deletes 1 in 1 files');
  });

  it('pyiceberg (file://data/... paths) and Java relative paths; an object no snapshot reaches is an orphan', async () => {
    const py = await inspect(await upload('iceberg-pyiceberg-map_stats'));
    expect(py.iceberg).toMatchObject({ foundBy: 'newest', currentSnapshotId: '554549470069664013', files: { dataFiles: 2, records: 2 }, orphans: [] });
    expect(py.totals.rows).toBe(2);

    const uri = await upload('iceberg-java-equality_deletes-partitioned');
    await open.store.put(bucket, `tables/iceberg-java-equality_deletes-partitioned/data/name=a/left-behind.parquet`, readFileSync(join(fixtureFolder('iceberg-java-bunnies'), 'data/bunnies-initial.parquet')));
    const eq = await inspect(uri);
    expect(eq.iceberg).toMatchObject({
      location: 'data/persistent/equality_deletes/warehouse/mydb/mytable_partitioned',
      files: { dataFiles: 6, records: 6, equalityDeleteFiles: 3 },
      orphans: [{ key: 'data/name=a/left-behind.parquet', size: 3407 }],
      companions: 26,
      partitionSpec: { specId: 0, fields: [{ name: 'name', transform: 'identity', sourceId: 2, source: 'name' }] },
    });
    expect(eq.totals.rows).toBe(6);
  });

  it('--iceberg-snapshot, --ref and --metadata-location choose what is inspected; bad ones are one error line', async () => {
    const uri = await upload('iceberg-spark-bunnies');
    const first = await inspect(uri, ['--iceberg-snapshot', '7505300640432048841']);
    expect(first.iceberg).toMatchObject({ snapshotId: '7505300640432048841', currentSnapshotId: '2701171901096418979', files: { dataFiles: 1, records: 21, positionDeleteFiles: 0 } });
    expect(first.totals).toMatchObject({ files: 1, rows: 21 });
    expect(first.files.map((f: { key: string }) => f.key)).toEqual(['data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet']);
    expect((await inspect(uri, ['--ref', 'main'])).iceberg.snapshotId).toBe('2701171901096418979');
    const v3 = await inspect(uri, ['--metadata-location', 's3a://hyperparam-iceberg/spark/bunnies/metadata/v3.metadata.json']);
    expect(v3.iceberg).toMatchObject({ metadataFile: 'metadata/v3.metadata.json', foundBy: 'given', currentSnapshotId: '469881615898633426', orphans: [] });

    const bad = async (args: string[], code: number, message: string) => {
      const run = await runLakevault(['table', 'inspect', ...args], { env: targetEnv() });
      expect(run.code).toBe(code);
      expect(run.stderr.split('\n').filter((line) => line.startsWith('lakevault: error:'))).toEqual([`lakevault: error: ${message}`]);
    };
    await bad([uri, '--iceberg-snapshot', '12ab'], 2, '--iceberg-snapshot: "12ab" is not a snapshot id (a 64-bit integer)');
    await bad([uri, '--iceberg-snapshot', '1', '--ref', 'main'], 2, '--iceberg-snapshot and --ref each choose a snapshot: give one');
    await bad([uri, '--ref', 'nightly'], 2, `Iceberg table ${uri} (metadata/v5.metadata.json) has no branch or tag "nightly" (refs: main)`);
    await bad([uri, '--iceberg-snapshot', '42'], 2, `Iceberg table ${uri} (metadata/v5.metadata.json) has no snapshot 42 (snapshots: 7505300640432048841, 469881615898633426, 2701171901096418979)`);
    await open.store.put(bucket, 'plain/x.parquet', readFileSync(join(fixtureFolder('iceberg-java-bunnies'), 'data/bunnies-initial.parquet')));
    await bad([`s3://${bucket}/plain/`, '--ref', 'main'], 2, `Iceberg options apply to Iceberg tables; s3://${bucket}/plain/ has no metadata/*.metadata.json`);
  });

  it('a Spark table moved to a new prefix without Spark: rewritten files put, the rest copied server-side, it inspects as the same table there', async () => {
    const name: IcebergFixture = 'iceberg-spark-bunnies';
    const source = { bucket, prefix: `tables/${name}/` };
    await upload(name);
    const target = { bucket, prefix: `moved/${name}/` };
    const targetLocation = `s3://${bucket}/moved/${name}`;
    const plan = await planTableRewrite(open.store, await openIcebergTable(open.store, source), { targetLocation });
    for (const file of plan.rewritten) await open.store.put(bucket, target.prefix + file.relativeKey, file.bytes);
    for (const copy of plan.copies) await open.store.copy(bucket, source.prefix + copy.relativeKey, bucket, target.prefix + copy.relativeKey, copy.size !== undefined ? { sourceSize: copy.size } : {});

    const before = await inspect(`s3://${bucket}/${source.prefix}`);
    const after = await inspect(`s3://${bucket}/${target.prefix}`);
    expect(after.iceberg.location).toBe(targetLocation);
    expect(plan.metadataLocation).toBe(`${targetLocation}/metadata/v5.metadata.json`);
    expect(after.iceberg.problems).toEqual([]);
    expect(after.iceberg.orphans).toEqual([]);
    for (const field of ['currentSnapshotId', 'snapshots', 'refs', 'schema', 'partitionSpec', 'files', 'dataFiles']) expect([field, after.iceberg[field]]).toEqual([field, before.iceberg[field]]);
    expect(after.totals).toEqual(before.totals);
    expect(after.iceberg.deleteFiles.map((f: { key: string }) => f.key)).toEqual(before.iceberg.deleteFiles.map((f: { key: string }) => f.key));
  });
});
