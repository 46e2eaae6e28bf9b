/**
 * Delta tables written by real engines (Delta OSS on Spark, Delta 0.8.0, Databricks with
 * deletion vectors and a checkpoint): `table inspect` states the rows the engine's own
 * statistics state, and backup → restore puts every object of the version back byte for
 * byte, deletion vectors with their data files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenStore } from '../../src/store/open';
import { ALL_DELTA_FIXTURES, deltaFixtureFolder, type DeltaFixture } from '../support/delta-fixtures';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import { cli, duckdb, objectsUnder, sql, uploadDir, type Run } from './lake-fixtures';

jest.setTimeout(600_000);

/**
 * What the engine's log says of its newest version, replayed here from the JSON commits
 * (every fixture keeps them all): the live files, the rows their `stats.numRecords` state
 * (undefined when the writer kept no statistics) and the deletion-vector files they use.
 */
function engineFigures(dir: string): { version: number; live: string[]; statedRows?: number; dvFiles: string[] } {
  const commits = readdirSync(join(dir, '_delta_log')).filter((f) => /^\d{20}\.json$/.test(f)).sort();
  const live = new Map<string, Record<string, any>>();
  for (const file of commits) {
    for (const line of readFileSync(join(dir, '_delta_log', file), 'utf8').split('\n').filter(Boolean)) {
      const action = JSON.parse(line) as Record<string, any>;
      if (action['remove']) live.delete(decodeURIComponent(action['remove'].path));
      if (action['add']) live.set(decodeURIComponent(action['add'].path), action['add']);
    }
  }
  const adds = [...live.values()];
  const stats = adds.map((a) => (a['stats'] ? (JSON.parse(a['stats']) as { numRecords?: number }).numRecords : undefined));
  return {
    version: commits.length - 1,
    live: [...live.keys()].sort(),
    ...(stats.every((n) => n !== undefined) ? { statedRows: stats.reduce((s: number, n) => s + n!, 0) } : {}),
    dvFiles: adds.filter((a) => a['deletionVector']?.storageType === 'u').map(() => readdirSync(dir).find((f) => f.startsWith('deletion_vector_'))!),
  };
}

describe(`Delta tables written by real engines (${TARGET})`, () => {
  let open: OpenStore;
  const home = uniqueBucket('delta-engines');
  const env = { LAKEVAULT_BACKUPS: `s3://${home}/backups`, LAKEVAULT_CHECKPOINTS: `s3://${home}/checkpoints`, LAKEVAULT_WAREHOUSE: `s3://${home}/warehouse` };
  const run = (...args: string[]) => cli(args, env);

  beforeAll(async () => {
    open = await openTestStore();
    await open.store.ensureBucket(home);
  });
  afterAll(async () => { await removeBucket(open, home); await open.close(); });

  function ok(result: Run): any {
    if (result.code !== 0) throw new Error(`lakevault exited ${result.code}: ${result.stderr} ${result.stdout.slice(0, 2000)}`);
    return result.json;
  }

  it.each(ALL_DELTA_FIXTURES)('%s: inspect states the engine\'s rows; backup → restore is byte-exact, deletion vectors travel with their data files', async (name: DeltaFixture) => {
    const dir = deltaFixtureFolder(name);
    const engine = engineFigures(dir);
    await uploadDir(open.store, home, `tables/${name}/`, dir);
    const uri = `s3://${home}/tables/${name}/`;
    const inspected = ok(await run('table', 'inspect', uri));
    expect(inspected.format).toBe('delta');
    expect(inspected.delta).toMatchObject({ version: engine.version, liveFiles: engine.live.length });
    expect(inspected.files.map((f: { key: string }) => f.key).sort()).toEqual(engine.live);
    // Rows as the footers count them (before deletion vectors) = what the engine's statistics state,
    // and what DuckDB counts in the live files.
    const db = await duckdb();
    const counted = Number((await db.runAndReadAll(`SELECT count(*) AS n FROM read_parquet([${engine.live.map((k) => sql(join(dir, k))).join(', ')}])`)).getRowObjects()[0]!['n']);
    expect(inspected.totals.rows).toBe(counted);
    if (engine.statedRows !== undefined) expect(inspected.totals.rows).toBe(engine.statedRows);

    const backup = ok(await run('backup', 'create', uri));
    expect(backup.generation).toBe(`delta-v${engine.version}`);
    const shown = ok(await run('backup', 'show', backup.id));
    const held = shown.files.map((f: { relativeKey: string }) => f.relativeKey);
    for (const dv of engine.dvFiles) expect(held).toContain(dv);

    const target = `restored/${name}/`;
    const restored = ok(await run('backup', 'restore', backup.id, '--to', `s3://${home}/${target}`, '--level', 'full'));
    expect(restored.ok).toBe(true);
    const objects = await objectsUnder(open.store, home, target);
    expect(Object.keys(objects).sort()).toEqual([...held].sort());
    for (const key of held) {
      expect([key, Buffer.from(await open.store.getBytes(home, target + key)).equals(readFileSync(join(dir, key)))]).toEqual([key, true]);
    }
    const again = ok(await run('table', 'inspect', `s3://${home}/${target}`));
    expect([again.delta.version, again.totals]).toEqual([inspected.delta.version, inspected.totals]);
    if (engine.dvFiles.length) expect(inspected.delta.readerFeatures).toContain('deletionVectors');
  });
});
