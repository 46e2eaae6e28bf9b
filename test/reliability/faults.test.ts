import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, uniqueBucket, removeBucket, TARGET, testConfig, targetHas } from '../support/target';
import { startFaultProxy, mixedFaults, FAULT_KINDS, type FaultProxy } from '../support/fault-proxy';
import type { OpenStore } from '../../src/store/open';
import { LakevaultError } from '../../src/errors';
import { createSalesTable } from '../../src/table/create';
import { readTableManifest } from '../../src/table/manifest';
import { resolveTable, type TableRef } from '../../src/table/table-ref';
import { createSnapshot } from '../../src/snapshot/create';
import { listSnapshots } from '../../src/snapshot/catalog';
import { snapshotFileSet } from '../../src/snapshot/file-set';
import { tableFileSet } from '../../src/table/file-set';
import { type FileSet } from '../../src/model/file-set';
import type { SnapshotManifest } from '../../src/snapshot/manifest';
import { backupRepository, checkpointRepository } from '../../src/snapshot/repository';
import { restoreSnapshot } from '../../src/restore/restore';
import { createCheckpoint } from '../../src/dr/checkpoint';
import { recoverTable } from '../../src/dr/recover';
import { compareFileSets, validateFileSet } from '../../src/validate';
import { abortUploads, findStaleUploads, lakevaultLocations } from '../../src/store/multipart-uploads';
import { openTableSource, snapshotRestorer } from '../../src/sources/registry';

/**
 * Under 10% and 30% fault rates (503 SlowDown, 500, resets before and after the server
 * applied a request, stalls past the client timeout, bodies cut short), each operation
 * either completes with a result that validates byte-identical (full level, read past the
 * proxy) against its source, or fails with one clear lakevault error — and afterwards
 * nothing that looks complete (a table manifest, a snapshot manifest) is broken.
 * The figures (requests, faults by kind, SDK retries, outcomes) go to the test output
 * and to $TMPDIR/lakevault-reliability-faults-<target>.json.
 */
interface Outcome { operation: string; ok: boolean; detail: string }
interface RateFigures {
  rate: number;
  multipartCopies: boolean;
  requests: number;
  injected: Record<string, number>;
  afterApplied: number;
  retries: number;
  outcomes: Outcome[];
  objectsLost: number;
  staleUploadsLeft: number;
}

const figures: RateFigures[] = [];

const plans: { rate: number; multipart: boolean; seed: number }[] = [
  { rate: 0.1, multipart: false, seed: 1010 },
  { rate: 0.3, multipart: false, seed: 3030 },
  // Every copy as CreateMultipartUpload → UploadPartCopy → Complete, under faults.
  { rate: 0.3, multipart: true, seed: 3131 },
];

describe.each(plans)(`operations through the fault proxy on ${TARGET}: rate $rate, multipart copies $multipart`, ({ rate, multipart, seed }) => {
  const bucket = uniqueBucket(`faults-${Math.round(rate * 100)}${multipart ? 'm' : ''}`);
  const locations = { LAKEVAULT_WAREHOUSE: `s3://${bucket}/wh`, LAKEVAULT_BACKUPS: `s3://${bucket}-bk`, LAKEVAULT_CHECKPOINTS: `s3://${bucket}-cp` };
  const config = testConfig(locations);
  const backups = backupRepository(config);
  const checkpoints = checkpointRepository(config);
  const source = resolveTable(config, 'source');
  let direct: OpenStore;
  let faulty: OpenStore;
  let proxy: FaultProxy;
  const outcomes: Outcome[] = [];
  /** The final source table's files (key → size/ETag), recorded after the recover step. */
  let reference: Map<string, string> | undefined;

  beforeAll(async () => {
    direct = await openTestStore(locations);
    proxy = await startFaultProxy({ upstream: process.env.S3_ENDPOINT!, seed, rates: mixedFaults(rate) });
    faulty = await openTestStore({
      ...locations, S3_ENDPOINT: proxy.endpoint, LAKEVAULT_REQUEST_TIMEOUT_MS: '1200',
      ...(multipart ? { LAKEVAULT_MULTIPART_THRESHOLD: '1' } : {}),
    });
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await direct.store.ensureBucket(b);
  });

  afterAll(async () => {
    await faulty.close();
    await proxy.close();
    let staleUploadsLeft = 0;
    if (targetHas('multipart-listing')) {
      // Killed or unanswered CreateMultipartUploads leave uploads behind: count, then clean them.
      const stale = await findStaleUploads(direct.store, lakevaultLocations(config), { olderThanMs: -1e12 });
      staleUploadsLeft = stale.stale.length;
      await abortUploads(direct.store, stale.stale);
    }
    figures.push({
      rate, multipartCopies: multipart, requests: proxy.stats.requests, injected: { ...proxy.stats.injected },
      afterApplied: proxy.stats.afterApplied, retries: faulty.store.stats.retries, outcomes,
      objectsLost: await objectsLost(), staleUploadsLeft,
    });
    for (const b of [bucket, `${bucket}-bk`, `${bucket}-cp`]) await removeBucket(direct, b);
    await direct.close();
  });

  /** Runs an operation through the faults; a failure must be one clear lakevault error. */
  async function attempt<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      const value = await run();
      outcomes.push({ operation, ok: true, detail: 'completed' });
      return value;
    } catch (error) {
      const message = (error as Error).message;
      outcomes.push({ operation, ok: false, detail: message });
      expect(error).toBeInstanceOf(LakevaultError);
      expect(message).not.toMatch(/\n/);
      expect(message).not.toMatch(/undefined|\[object Object\]/);
      return undefined;
    }
  }

  async function fullCompare(expected: FileSet, actual: FileSet): Promise<void> {
    const report = await compareFileSets(direct.store, expected, actual, { level: 'full' });
    expect({ differences: report.differences, fileErrors: report.fileErrors }).toEqual({ differences: [], fileErrors: [] });
  }

  /** Every table, backup and checkpoint that looks complete validates (objects, sizes, ETags, footers). */
  async function nothingBrokenLooksComplete(): Promise<void> {
    for (const name of ['source', 'fresh', 'created']) {
      const table = resolveTable(config, name);
      const manifest = await readTableManifest(direct.store, table.location);
      if (!manifest) continue;
      const report = await validateFileSet(direct.store, tableFileSet(table, manifest), { level: 'quick' });
      expect({ table: name, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ table: name, differences: [], fileErrors: [] });
    }
    for (const repo of [backups, checkpoints]) {
      for (const entry of await listSnapshots(direct.store, repo)) {
        if (!entry.manifest) continue;
        const report = await validateFileSet(direct.store, snapshotFileSet(repo, entry.manifest), { level: 'quick' });
        expect({ snapshot: entry.id, differences: report.differences, fileErrors: report.fileErrors }).toEqual({ snapshot: entry.id, differences: [], fileErrors: [] });
      }
    }
  }

  /** Source files (as first written) that are no longer stored with their size and ETag. */
  async function objectsLost(): Promise<number> {
    let lost = 0;
    for (const [key, identity] of reference ?? new Map()) {
      const head = await direct.store.head(bucket, key);
      if (!head || `${head.size}/${head.etag}` !== identity) lost += 1;
    }
    return lost;
  }

  async function table(ref: TableRef): Promise<FileSet> {
    return tableFileSet(ref, (await readTableManifest(direct.store, ref.location))!);
  }

  it('table create: completes and validates, or fails leaving no broken table', async () => {
    const created = resolveTable(config, 'created');
    const result = await attempt('table create', () => createSalesTable(faulty.store, created, { rows: 6_000, seed: 11, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false }));
    if (result) expect((await readTableManifest(direct.store, created.location))!.contentDigest).toBe(result.contentDigest);
    await nothingBrokenLooksComplete();
    // The source the other operations work from is written past the proxy.
    await createSalesTable(direct.store, source, { rows: 6_000, seed: 12, rowsPerFile: 1_000, rowGroupRows: 500, overwrite: false });
  });

  let backup: SnapshotManifest | undefined;
  it('backup create: completes and equals the table, or fails leaving no complete backup that is broken', async () => {
    const result = await attempt('backup create', () => createSnapshot(faulty.store, backups, source, openTableSource, { concurrency: 8 }));
    if (!result) {
      // Without a backup the restores have nothing to work from: take one past the proxy.
      await createSnapshot(direct.store, backups, source, openTableSource, { concurrency: 8 });
    }
    const [entry] = (await listSnapshots(direct.store, backups, source.location)).filter((e) => e.manifest);
    backup = entry!.manifest!;
    await fullCompare(await table(source), snapshotFileSet(backups, backup));
    await nothingBrokenLooksComplete();
  });

  it('restore into a new table: equals the backup, or fails leaving no table', async () => {
    const fresh = resolveTable(config, 'fresh');
    const result = await attempt('restore (new table)', () => restoreSnapshot(faulty.store, backups, backup!, fresh, snapshotRestorer, { force: false, concurrency: 8, level: 'quick' }));
    if (result) await fullCompare(snapshotFileSet(backups, backup!), await table(fresh));
    else expect(await readTableManifest(direct.store, fresh.location)).toBeUndefined();
    await nothingBrokenLooksComplete();
  });

  it('restore in place: the table is the backup (new generation) or untouched (old), never a mix', async () => {
    const before = (await readTableManifest(direct.store, source.location))!;
    const result = await attempt('restore (in place)', () => restoreSnapshot(faulty.store, backups, backup!, source, snapshotRestorer, { force: true, concurrency: 8, level: 'quick' }));
    const after = (await readTableManifest(direct.store, source.location))!;
    if (result) expect(after.generation).toBe(result.generation);
    else expect(after.generation).toBe(before.generation);
    await fullCompare(snapshotFileSet(backups, backup!), await table(source));
    await nothingBrokenLooksComplete();
  });

  it('checkpoint and recover: the recovered table equals the checkpoint, or the table is as it was', async () => {
    const checkpoint = await attempt('checkpoint create', () => createCheckpoint(faulty.store, config, source, { concurrency: 8 }));
    if (!checkpoint) await createCheckpoint(direct.store, config, source, { concurrency: 8 });
    const before = (await readTableManifest(direct.store, source.location))!;
    const result = await attempt('recover', () => recoverTable(faulty.store, config, source, { level: 'quick', concurrency: 8 }));
    const after = (await readTableManifest(direct.store, source.location))!;
    if (result) expect(after.generation).toBe(result.restore.generation);
    else expect(after.generation).toBe(before.generation);
    const [latest] = (await listSnapshots(direct.store, checkpoints, source.location)).filter((e) => e.manifest).reverse();
    await fullCompare(snapshotFileSet(checkpoints, latest!.manifest!), await table(source));
    await nothingBrokenLooksComplete();
    const final = (await readTableManifest(direct.store, source.location))!;
    reference = new Map(final.files.map((f) => [source.location.prefix + f.key, `${f.bytes}/${f.etag}`]));
  });

  it('validate (full): says OK, or fails with a clear error — never reports a difference that is not there', async () => {
    for (const [name, set] of [['table', await table(source)], ['backup', snapshotFileSet(backups, backup!)]] as const) {
      const report = await attempt(`validate full (${name})`, () => validateFileSet(faulty.store, set, { level: 'full', fileTimeoutMs: 20_000 }));
      if (report) {
        // A read that failed under faults may surface as a file error (reported, not hidden);
        // a difference in content would be a false alarm.
        expect(report.differences).toEqual([]);
        if (!report.ok) outcomes[outcomes.length - 1] = { operation: `validate full (${name})`, ok: false, detail: report.fileErrors.map((e) => e.error).join('; ') };
      }
    }
  });
});

afterAll(() => {
  const file = join(tmpdir(), `lakevault-reliability-faults-${TARGET}.json`);
  writeFileSync(file, JSON.stringify(figures, null, 2) + '\n');
  process.stdout.write(`fault figures: ${file}\n`);
  for (const f of figures) {
    const faults = FAULT_KINDS.map((k) => `${k} ${f.injected[k]}`).join(', ');
    process.stdout.write(`faults ${TARGET} rate ${f.rate}${f.multipartCopies ? ' (multipart copies)' : ''}: ${f.requests} requests, ${faults} (after applied ${f.afterApplied}); SDK+body retries ${f.retries}; ` +
      `${f.outcomes.filter((o) => o.ok).length}/${f.outcomes.length} operations completed; objects lost ${f.objectsLost}; stale uploads left ${f.staleUploadsLeft}\n` +
      f.outcomes.filter((o) => !o.ok).map((o) => `  failed cleanly: ${o.operation}: ${o.detail}\n`).join(''));
  }
});
