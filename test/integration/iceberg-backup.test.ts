/**
 * Iceberg tables written by Spark, the Iceberg Java API and pyiceberg, backed up and
 * restored as Iceberg tables: a backup holds exactly the files of one snapshot; a restore
 * to a NEW location rewrites every path for it, and the restored table is read back by a
 * reader lakevault does not contain (the metadata JSON as text, the test's own Avro
 * decoder, DuckDB's read_parquet) with the same rows and deletes as the table the engine
 * wrote; a restore to the table's own prefix puts every data file back byte for byte.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAvroFile, writeAvroFile } from '../../src/lake/iceberg';
import type { OpenStore } from '../../src/store/open';
import { downloadTable, readIcebergFolder } from '../support/iceberg-check';
import { ALL_ICEBERG_FIXTURES, fixtureFolder, type IcebergFixture } from '../support/iceberg-fixtures';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { cli, objectsUnder, uploadDir, type Run } from './lake-fixtures';

jest.setTimeout(600_000); // CLI processes on a shared 2-core machine

/** The metadata file each fixture's engine made current (version-hint.text, or the newest). */
const CURRENT: Record<IcebergFixture, { metadata: string; snapshot: string }> = {
  'iceberg-spark-bunnies': { metadata: 'metadata/v5.metadata.json', snapshot: '2701171901096418979' },
  'iceberg-java-bunnies': { metadata: 'metadata/v5.metadata.json', snapshot: '9158179788527662767' },
  'iceberg-java-equality_deletes-partitioned': { metadata: 'metadata/v6.metadata.json', snapshot: '3138177759849079112' },
  'iceberg-pyiceberg-map_stats': { metadata: 'metadata/00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json', snapshot: '554549470069664013' },
};

describe(`backup and restore of Iceberg tables no one here wrote (${TARGET})`, () => {
  let open: OpenStore;
  const home = uniqueBucket('iceberg-backup');
  const elsewhere = uniqueBucket('iceberg-restored');
  const env = { LAKEVAULT_BACKUPS: `s3://${home}/backups`, LAKEVAULT_CHECKPOINTS: `s3://${home}/checkpoints`, LAKEVAULT_WAREHOUSE: `s3://${home}/warehouse` };
  const run = (...args: string[]) => cli(args, env);

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(home);
    await open.store.ensureBucket(elsewhere);
  });
  afterAll(async () => {
    await removeBucket(open, home);
    await removeBucket(open, elsewhere);
    await open.close();
  });

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr} ${result.stdout.slice(0, 3000)}`);
    return result.json;
  }

  async function upload(name: IcebergFixture, prefix = `tables/${name}/`): Promise<string> {
    await uploadDir(open.store, home, prefix, fixtureFolder(name));
    return `s3://${home}/${prefix}`;
  }

  it.each(ALL_ICEBERG_FIXTURES)('%s: the backup holds one snapshot; restored to a new bucket it reads back as the same table, every path at its new place', async (name) => {
    const uri = await upload(name);
    const backup = ok(await run('backup', 'create', uri));
    expect(backup.generation).toBe(`iceberg-${CURRENT[name].snapshot}`);
    const shown = ok(await run('backup', 'show', backup.id));
    expect(shown.source.origin.iceberg).toMatchObject({ metadataKey: CURRENT[name].metadata, snapshotId: CURRENT[name].snapshot, history: false });
    const source = await readIcebergFolder(fixtureFolder(name), CURRENT[name].metadata);
    // Deletes travel and are counted, never applied or dropped.
    const counts = shown.source.origin.iceberg.files;
    expect(counts.dataFiles).toBe(source.dataFiles);
    expect(shown.files.filter((f: { kind?: string }) => (f.kind ?? 'data') === 'data').length).toBe(source.dataFiles);
    expect(backup.rows).toBe(source.rows);

    const target = `s3://${elsewhere}/restored/${name}/`;
    const restored = ok(await run('backup', 'restore', backup.id, '--to', target, '--level', 'full'));
    expect(restored.ok).toBe(true);
    expect(restored.metadataLocation).toBe(`s3://${elsewhere}/restored/${name}/${CURRENT[name].metadata}`);

    const dir = await downloadTable(open.store, elsewhere, `restored/${name}/`);
    const back = await readIcebergFolder(dir, CURRENT[name].metadata);
    expect(back.location).toBe(`s3://${elsewhere}/restored/${name}`);
    expect(back.problems).toEqual([]);
    expect(back.snapshotIds).toEqual([CURRENT[name].snapshot]); // the other snapshots' files were not backed up
    expect({ ...back, location: '', paths: [], snapshotIds: [], problems: [] }).toEqual({ ...source, location: '', paths: [], snapshotIds: [], problems: [] });
    expect(back.paths.length).toBeGreaterThan(0);
    // No restored file still names the old location.
    const old = source.location;
    for (const [key] of Object.entries(await objectsUnder(open.store, elsewhere, `restored/${name}/`))) {
      if (/\.(json|avro)$/.test(key) || key.includes('delete')) expect([key, readFileSync(join(dir, key)).includes(old)]).toEqual([key, false]);
    }
    // Another tool reads it: lakevault's inspect, at the new place, finds nothing wrong.
    const inspected = ok(await run('table', 'inspect', target));
    expect(inspected.iceberg).toMatchObject({ location: back.location, currentSnapshotId: CURRENT[name].snapshot, problems: [], orphans: [] });
  });

  it('restored to its own prefix after a loss: every data and delete file back byte for byte, the metadata pinned to the snapshot', async () => {
    const name: IcebergFixture = 'iceberg-java-bunnies';
    const uri = await upload(name, 'lost/java-bunnies/');
    ok(await run('backup', 'create', uri));
    // The second backup references the first one's files (incremental): the restore reads them there.
    const backup = ok(await run('backup', 'create', uri));
    expect(backup.reused.objects).toBe(backup.objects);
    const shown = ok(await run('backup', 'show', backup.id));
    await open.store.deleteKeys(home, Object.keys(await objectsUnder(open.store, home, 'lost/java-bunnies/')).map((k) => 'lost/java-bunnies/' + k));
    const restored = ok(await run('backup', 'restore', backup.id, '--to', uri));
    // In place means replacing a table that stands there; the prefix was lost, so this is a new table at its old place.
    expect([restored.ok, restored.inPlace, restored.mode]).toEqual([true, false, 'new']);
    const dir = await downloadTable(open.store, home, 'lost/java-bunnies/');
    for (const file of shown.files) {
      if (file.relativeKey === CURRENT[name].metadata) continue;
      expect([file.relativeKey, readFileSync(join(dir, file.relativeKey)).equals(readFileSync(join(fixtureFolder(name), file.relativeKey)))]).toEqual([file.relativeKey, true]);
    }
    const back = await readIcebergFolder(dir, CURRENT[name].metadata);
    const source = await readIcebergFolder(fixtureFolder(name), CURRENT[name].metadata);
    expect(back.problems).toEqual([]);
    expect([back.location, back.rows, back.positionDeleted, back.equalityDeleteRows]).toEqual([source.location, source.rows, source.positionDeleted, source.equalityDeleteRows]);
    expect(back.summary).toEqual(source.summary);

    // A later commit at the target (a metadata file the backup does not hold) would stay current: refused even with --force.
    await open.store.put(home, 'lost/java-bunnies/metadata/v6.metadata.json', readFileSync(join(fixtureFolder(name), CURRENT[name].metadata)));
    const now = await objectsUnder(open.store, home, 'lost/java-bunnies/');
    const refused = await run('backup', 'restore', backup.id, '--to', uri, '--force');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('holds Iceberg metadata the backup does not (metadata/v6.metadata.json)');
    expect(await objectsUnder(open.store, home, 'lost/java-bunnies/')).toEqual(now);
  });

  it('--iceberg-snapshot backs up an older snapshot alone; restored, it is the current snapshot there', async () => {
    const uri = await upload('iceberg-spark-bunnies', 'older/spark-bunnies/');
    const backup = ok(await run('backup', 'create', uri, '--iceberg-snapshot', '7505300640432048841'));
    expect(backup.generation).toBe('iceberg-7505300640432048841');
    const shown = ok(await run('backup', 'show', backup.id));
    expect(shown.files.filter((f: { kind?: string }) => (f.kind ?? 'data') === 'data').map((f: { relativeKey: string }) => f.relativeKey)).toEqual(['data/00000-1-9acc37f2-90ae-42f5-915c-a21c3cb99690-00001.parquet']);
    expect(backup.rows).toBe(21);
    const restored = ok(await run('backup', 'restore', backup.id, '--to', `s3://${elsewhere}/older/`));
    expect(restored.ok).toBe(true);
    const back = await readIcebergFolder(await downloadTable(open.store, elsewhere, 'older/'), 'metadata/v5.metadata.json');
    expect([back.currentSnapshotId, back.snapshotIds, back.rows, back.problems]).toEqual(['7505300640432048841', ['7505300640432048841'], 21, []]);

    const v3 = ok(await run('backup', 'create', uri, '--metadata-location', 's3a://hyperparam-iceberg/spark/bunnies/metadata/v3.metadata.json'));
    expect(v3.generation).toBe('iceberg-469881615898633426');
    expect(ok(await run('backup', 'show', v3.id)).source.origin.iceberg).toMatchObject({ metadataKey: 'metadata/v3.metadata.json', foundBy: 'given' });
    const tagged = ok(await run('backup', 'create', uri, '--ref', 'main'));
    expect(tagged.generation).toBe('iceberg-2701171901096418979');
    const history = ok(await run('backup', 'create', uri, '--iceberg-history'));
    expect(history.objects).toBeGreaterThan(tagged.objects);
  });

  it('bad input: an unknown snapshot or ref is a usage error (exit 2), a metadata file naming a file outside the table is refused; nothing written', async () => {
    const uri = await upload('iceberg-java-bunnies', 'bad/java-bunnies/');
    const before = await objectsUnder(open.store, home, 'backups/');
    const line = (r: Run) => r.stderr.split('\n').filter((l) => l.startsWith('lakevault: error:'));
    const unknown = await run('backup', 'create', uri, '--iceberg-snapshot', '123');
    expect([unknown.code, line(unknown)]).toEqual([2, [`lakevault: error: Iceberg table ${uri} (metadata/v5.metadata.json) has no snapshot 123 (snapshots: 4951213507629824583, 6458828015811002920, 9158179788527662767)`]]);
    const ref = await run('backup', 'create', uri, '--ref', 'nightly');
    expect([ref.code, line(ref)]).toEqual([2, [`lakevault: error: Iceberg table ${uri} (metadata/v5.metadata.json) has no branch or tag "nightly" (refs: main)`]]);
    const missing = await run('backup', 'create', uri, '--metadata-location', 'metadata/v9.metadata.json');
    expect([missing.code, line(missing)]).toEqual([2, [`lakevault: error: Iceberg metadata file ${uri}metadata/v9.metadata.json does not exist`]]);
    const notMetadata = await run('backup', 'create', uri, '--metadata-location', 'data/bunnies-initial.parquet');
    expect([notMetadata.code, line(notMetadata)]).toEqual([2, ['lakevault: error: metadata location data/bunnies-initial.parquet is not a metadata/*.metadata.json file of the table']]);

    // A hand-edited metadata file whose snapshot's manifest list climbs out of the table.
    const key = 'bad/java-bunnies/metadata/v5.metadata.json';
    const text = Buffer.from(await open.store.getBytes(home, key)).toString('utf8');
    const edited = text.replace(/"manifest-list" : "s3a:\/\/hyperparam-iceberg\/java\/bunnies\/metadata\/snap-9158179788527662767/, '"manifest-list" : "s3a://hyperparam-iceberg/java/bunnies/../other/snap-9158179788527662767');
    expect(edited).not.toBe(text);
    await open.store.put(home, key, Buffer.from(edited));
    const outside = await run('backup', 'create', uri);
    expect(outside.code).toBe(1);
    expect(line(outside)).toEqual([expect.stringContaining('is outside the table')]);
    const after = await objectsUnder(open.store, home, 'backups/');
    const records = (keys: string[]) => keys.filter((k) => !/(^|\/)_lakevault\/(history|status)\//.test(k));
    expect(records(Object.keys(after))).toEqual(records(Object.keys(before)));
  });

  it('validate checks record counts against footers; checkpoint → loss → recover, and a drill, bring the snapshot back byte for byte', async () => {
    const name: IcebergFixture = 'iceberg-java-bunnies';
    const prefix = 'dr/java-bunnies/';
    const uri = await upload(name, prefix);
    const valid = ok(await run('validate', uri, '--level', 'full'));
    expect(valid).toMatchObject({ ok: true, rowsChecked: 22 });
    // An older snapshot's files alone (its one data file: 21 rows).
    expect(ok(await run('validate', uri, '--iceberg-snapshot', '4951213507629824583'))).toMatchObject({ ok: true, rowsChecked: 21 });

    const checkpoint = ok(await run('checkpoint', 'create', uri));
    expect(checkpoint.generation).toBe(`iceberg-${CURRENT[name].snapshot}`);
    const before = await objectsUnder(open.store, home, prefix);
    const dataKeys = ['data/bunnies-initial.parquet', 'data/bunnies-updated-new-zealand.parquet'];
    await open.store.deleteKeys(home, dataKeys.map((key) => prefix + key));
    const recovered = ok(await run('recover', uri, '--latest', '--level', 'full'));
    expect(recovered).toMatchObject({ checkpoint_id: checkpoint.id, recovered_records: 22, recovery_valid: true });
    const after = await objectsUnder(open.store, home, prefix);
    for (const key of dataKeys) expect([key, after[key]]).toEqual([key, before[key]]);
    const dir = await downloadTable(open.store, home, prefix);
    const back = await readIcebergFolder(dir, CURRENT[name].metadata);
    const source = await readIcebergFolder(fixtureFolder(name), CURRENT[name].metadata);
    expect([back.problems, back.rows, back.positionDeleted, back.equalityDeleteRows]).toEqual([[], source.rows, source.positionDeleted, source.equalityDeleteRows]);

    const drill = ok(await run('drill', uri, '--disaster', 'delete-objects'));
    expect(drill).toMatchObject({ recovery_valid: true });

    // A manifest whose record_count disagrees with the data file's footer fails validation, naming the file.
    const manifestKey = `${prefix}metadata/583a45a0-7389-4d71-9305-ac3a8725c38b-m0.avro`;
    const avro = await readAvroFile(await open.store.getBytes(home, manifestKey), 'm0');
    const entry = avro.records.find((r) => String((r['data_file'] as Record<string, unknown>)['file_path']).endsWith('bunnies-initial.parquet'))!;
    const file = entry['data_file'] as Record<string, unknown>;
    entry['data_file'] = { ...file, record_count: BigInt(file['record_count'] as bigint) + 1n };
    await open.store.put(home, manifestKey, await writeAvroFile(avro));
    const invalid = await run('validate', uri);
    expect(invalid.code).toBe(1);
    expect(JSON.stringify(invalid.json)).toContain('data/bunnies-initial.parquet has 21 rows in its footer, the manifest says 22');
  });

  it('an old metadata file the engine already removed: noted, left out, and the restored metadata-log names only what is there', async () => {
    const name: IcebergFixture = 'iceberg-spark-bunnies';
    const prefix = 'trimmed/spark-bunnies/';
    const uri = await upload(name, prefix);
    await open.store.deleteKeys(home, [`${prefix}metadata/v1.metadata.json`]);
    const backup = ok(await run('backup', 'create', uri));
    const shown = ok(await run('backup', 'show', backup.id));
    expect(shown.files.map((f: { relativeKey: string }) => f.relativeKey)).not.toContain('metadata/v1.metadata.json');
    expect(shown.files.map((f: { relativeKey: string }) => f.relativeKey)).toContain('metadata/v2.metadata.json');
    ok(await run('backup', 'restore', backup.id, '--to', `s3://${elsewhere}/trimmed/`));
    const back = await readIcebergFolder(await downloadTable(open.store, elsewhere, 'trimmed/'), CURRENT[name].metadata);
    expect(back.problems).toEqual([]);
    expect(back.paths.filter((p) => /metadata\/v\d\.metadata\.json$/.test(p)).map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(['v2.metadata.json', 'v3.metadata.json', 'v4.metadata.json']);
  });

  it('a drill that would delete other snapshots\' files (delete-prefix) is refused before anything happens', async () => {
    const prefix = 'drill/java-bunnies/';
    const uri = await upload('iceberg-java-bunnies', prefix);
    const before = await objectsUnder(open.store, home, prefix);
    const refused = await run('drill', uri, '--disaster', 'delete-prefix');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.split('\n').filter((l) => l.startsWith('lakevault: error:'))).toHaveLength(1);
    expect(await objectsUnder(open.store, home, prefix)).toEqual(before);
  });
});
