import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig } from '../support/target';
import { countRequests, killPoints, runCliKilledAt, type KillPoint } from '../support/crash';
import type { OpenStore } from '../../src/store/open';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest, TABLE_MANIFEST } from '../../src/table/manifest';
import { resolveTable } from '../../src/table/table-ref';
import { tableFileSet } from '../../src/table/file-set';
import { describePrefix } from '../../src/lake/describe';
import { compactTable } from '../../src/compact';
import { COMPACTION_JOURNAL, readJournal } from '../../src/compact/journal';
import { validateFileSet } from '../../src/validate';

/**
 * kill -9 of `node bin/lakevault.js table compact …` at seeded random request boundaries
 * (before a request reaches the server, or after the server applied it), in the style of
 * crash.test.ts. A lakevault table must be its old generation or its new one — validated
 * at the full level, its content digest the one it had — never a mix. A prefix without a
 * manifest has no single switch: it is old while the journal says 'writing', and only in
 * the 'switching' window (copies into place, then deletes) may a reader see both — each
 * partition whole, its rows at worst doubled, never missing; the trials count how many
 * kills landed there. In every case the next `table compact`
 * finishes or undoes what the killed one left, and leaves nothing behind.
 * LAKEVAULT_CRASH_TRIALS sets the trials per command (default 5); LAKEVAULT_CRASH_SEED the seed.
 */
const TRIALS = Number(process.env.LAKEVAULT_CRASH_TRIALS ?? 5);
const SEED = Number(process.env.LAKEVAULT_CRASH_SEED ?? 20261207);

interface Trial { at: KillPoint; killed: boolean; requests: number; state: string; rerun: string }
const figures: Record<string, { calibratedRequests: number; trials: Trial[] }> = {};

describe(`kill -9 during table compact on ${TARGET}`, () => {
  const upstream = process.env.S3_ENDPOINT!;
  const bucket = uniqueBucket('compact-crash');
  const locations = {
    LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}/bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}/cp`,
    LAKEVAULT_HOME: mkdtempSync(join(tmpdir(), 'lv-compact-crash-')), LAKEVAULT_CONCURRENCY: '4',
  };
  const config = testConfig(locations);
  let open: OpenStore;

  beforeAll(async () => { open = await openTestStore(locations); await open.store.ensureBucket(bucket); });
  afterAll(async () => {
    await removeBucket(open, bucket);
    await open.close();
    const file = join(tmpdir(), `lakevault-reliability-compact-crash-${TARGET}.json`);
    writeFileSync(file, JSON.stringify({ target: TARGET, seed: SEED, trialsPerCommand: TRIALS, figures }, null, 2) + '\n');
    for (const [command, f] of Object.entries(figures)) {
      const killed = f.trials.filter((t) => t.killed).length;
      process.stdout.write(`compact crash ${TARGET} ${command}: ${f.trials.length} trials (${killed} killed mid-run, ~${f.calibratedRequests} requests a run); after the kill: ${tally(f.trials.map((t) => t.state))}; reruns: ${tally(f.trials.map((t) => t.rerun))}\n`);
    }
  });

  const tally = (values: string[]) => Object.entries(values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {})).map(([k, n]) => `${k} ×${n}`).join(', ');

  async function keysUnder(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of open.store.list(bucket, prefix)) keys.push(object.key.slice(prefix.length));
    return keys.sort();
  }

  async function trials(name: string, args: string[], prepare: () => Promise<void>, check: () => Promise<{ state: string; rerun: string }>): Promise<void> {
    await prepare();
    const calibration = await countRequests(args, locations, upstream);
    expect({ code: calibration.code, stderr: calibration.stderr }).toEqual({ code: 0, stderr: '' });
    figures[name] = { calibratedRequests: calibration.requests, trials: [] };
    for (const at of killPoints(SEED + name.length * 7919, calibration.requests, TRIALS)) {
      await prepare();
      const outcome = await runCliKilledAt(args, locations, upstream, at);
      if (!outcome.killed) expect(outcome.code).toBe(0);
      figures[name].trials.push({ at, killed: outcome.killed, requests: outcome.requests, ...(await check()) });
    }
  }

  const timeout = 180_000 + TRIALS * 90_000;

  it('a lakevault table: its old generation or its new one, validated, same content — never a mix; a rerun leaves only the manifest\'s files', async () => {
    const table = resolveTable(config, 'compacted');
    let original = '';
    let oldGeneration = '';
    let seed = 0;
    await trials('table compact (manifest)', ['table', 'compact', 'compacted', '--target-rows', '1500'], async () => {
      // A fresh table of small files each trial (a new seed, so no trial can pass on the one before's files).
      const created = await createSalesTable(open.store, table, { rows: 4_000, seed: ++seed, rowsPerFile: 100, rowGroupRows: 100, overwrite: true });
      original = created.contentDigest;
      oldGeneration = created.generation;
    }, async () => {
      const manifest = (await readTableManifest(open.store, table.location))!;
      const state = manifest.generation === oldGeneration ? 'old generation' : 'new generation';
      expect(manifest.files).toHaveLength(state === 'old generation' ? 40 : 3);
      expect(manifest.contentDigest).toBe(original);
      const report = await validateFileSet(open.store, tableFileSet(table, manifest), { level: 'full' });
      expect({ differences: report.differences, fileErrors: report.fileErrors, content: report.subjects[0]!.contentDigest }).toEqual({ differences: [], fileErrors: [], content: original });

      const journal = await readJournal(open.store, table.location);
      const rerun = await compactTable(open.store, table, 'compacted', { target: { rows: 1_500 } });
      const now = (await readTableManifest(open.store, table.location))!;
      expect(now.contentDigest).toBe(original);
      expect(now.files).toHaveLength(3);
      // Nothing left over: no journal, no file of either generation the manifest does not list.
      expect(await keysUnder(table.location.prefix)).toEqual([TABLE_MANIFEST, ...now.files.map((f) => f.key)].sort());
      expect(Boolean(rerun.recovered)).toBe(journal !== undefined);
      return { state: journal ? `${state}, journal left` : state, rerun: rerun.recovered ? `${rerun.recovered.outcome}${rerun.compacted ? ', then compacted' : ''}` : rerun.compacted ? 'compacted' : 'nothing to do' };
    });
  }, timeout);

  it('a Hive prefix: old until the switch begins, finished or undone by the rerun; never a row lost or doubled after it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lv-compact-crash-hive-'));
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    for (let run = 0; run < 6; run++) {
      await db.run(`COPY (select i as id, ['Café ☕', 'a=b', '100% Algodão'][1 + (i % 3)::INTEGER] as categoria, i * 1.5 as total from range(${run * 500}, ${(run + 1) * 500}) r(i)) TO '${join(dir, 'out')}' (FORMAT parquet, PARTITION_BY (categoria), APPEND, FILENAME_PATTERN 'part-${run}-{uuid}')`);
    }
    const files: [string, Buffer][] = [];
    const walk = (await import('node:fs')).readdirSync(join(dir, 'out'), { recursive: true, withFileTypes: true });
    for (const entry of walk) if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.push([path.slice(join(dir, 'out').length + 1), readFileSync(path)]);
    }
    const prefix = 'lake/hive/';
    const uri = `s3://${bucket}/${prefix}`;
    const location = { bucket, prefix };
    let original = '';
    const contentOf = async () => {
      const described = await describePrefix(open.store, location);
      const report = await validateFileSet(open.store, described.fileSet, { level: 'full' });
      expect({ differences: report.differences, fileErrors: report.fileErrors }).toEqual({ differences: [], fileErrors: [] });
      return { digest: report.subjects[0]!.contentDigest!, dataFiles: described.totals.dataFiles };
    };
    await trials('table compact (Hive prefix)', ['table', 'compact', uri], async () => {
      const keys = await keysUnder(prefix);
      await open.store.deleteKeys(bucket, keys.map((key) => prefix + key));
      for (const [key, bytes] of files) await open.store.put(bucket, prefix + key, bytes);
      await open.store.put(bucket, `${prefix}_SUCCESS`, new Uint8Array(0));
      original ||= (await contentOf()).digest;
    }, async () => {
      const journal = await readJournal(open.store, location);
      let state: string;
      if (!journal || journal.state === 'writing') {
        // Before the switch: what engines read is the original, whatever was staged out of their sight.
        const now = await contentOf();
        expect(now.digest).toBe(original);
        state = now.dataFiles === 18 ? (journal ? 'old (journal: writing)' : 'old') : 'new';
        if (!journal) expect([18, 3]).toContain(now.dataFiles);
      } else {
        // Copies first, deletes after: in every partition the new file is in place or all the old ones still are (rows may be doubled, never lost).
        const keys = new Set(await keysUnder(prefix));
        for (const move of journal.moves!) {
          const directory = move.key.slice(0, move.key.lastIndexOf('/') + 1);
          const old = journal.replaces.filter((file) => file.key.startsWith(directory) && !file.key.slice(directory.length).includes('/'));
          expect({ directory, whole: keys.has(move.key) || old.every((file) => keys.has(file.key)) }).toEqual({ directory, whole: true });
        }
        state = 'in the switch window (journal: switching)';
      }
      const rerun = await compactTable(open.store, resolveTable(config, uri), uri, { target: { rows: 1_000_000 } });
      const after = await contentOf();
      expect(after).toEqual({ digest: original, dataFiles: 3 });
      const keys = await keysUnder(prefix);
      expect(keys.filter((key) => key.startsWith('_lakevault/') || key === COMPACTION_JOURNAL)).toEqual([]);
      const directories = [...new Set(files.map(([key]) => key.slice(0, key.lastIndexOf('/'))))].sort();
      expect(keys.filter((key) => key.endsWith('.parquet')).map((key) => key.slice(0, key.lastIndexOf('/')))).toEqual(directories);
      return { state, rerun: rerun.recovered ? `${rerun.recovered.outcome}${rerun.compacted ? ', then compacted' : ''}` : rerun.compacted ? 'compacted' : 'nothing to do' };
    });
  }, timeout);
});
