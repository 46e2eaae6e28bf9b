import { loadCed7bb3Repository, type Ced7bb3Repository } from '../support/ced7bb3-repository';
import { emptyHome, runLakevault, targetEnv, type CliRun } from '../support/cli';
import { openTestStore, removeBucket, TARGET, uniqueBucket } from '../support/target';
import type { OpenStore } from '../../src/store/open';
import { seriesName } from '../../src/snapshot/identity';
import { REPOSITORY_MARKER } from '../../src/snapshot/repository-format';

/**
 * A repository written by lakevault ced7bb3 (layout 1: snapshots filed under the table's
 * last segment, two namesake tables in one folder, a retained marker, an interrupted
 * backup, a prefix lakevault did not write): read as it is, then upgraded in place.
 */
describe(`a repository written by ced7bb3, on ${TARGET}`, () => {
  let open: OpenStore;
  const loaded: Ced7bb3Repository[] = [];
  const home = emptyHome('v1');

  beforeAll(async () => { open = await openTestStore(); });
  afterAll(async () => {
    for (const repo of loaded) for (const bucket of Object.values(repo.buckets)) await removeBucket(open, bucket);
    await open.close();
  });

  async function fixture(): Promise<Ced7bb3Repository> {
    const repo = await loadCed7bb3Repository(open.store, uniqueBucket('v1'));
    loaded.push(repo);
    return repo;
  }

  const lakevault = (repo: Ced7bb3Repository, args: string[]): Promise<CliRun> =>
    runLakevault(['--json', ...args], { env: { ...targetEnv(), ...repo.env, LAKEVAULT_CONCURRENCY: '4' }, home });

  async function ok(repo: Ced7bb3Repository, args: string[]): Promise<any> {
    const run = await lakevault(repo, args);
    expect({ args, code: run.code, stderr: run.stderr }).toEqual({ args, code: 0, stderr: '' });
    return run.json;
  }

  /** Every object of the fixture's buckets, with size and ETag. */
  async function everything(repo: Ced7bb3Repository): Promise<string[]> {
    const lines: string[] = [];
    for (const bucket of Object.values(repo.buckets)) {
      for await (const o of open.store.list(bucket, '')) lines.push(`${bucket}/${o.key} ${o.size} ${o.etag}`);
    }
    return lines.sort();
  }

  const byLabel = (list: { label?: string; id: string }[], label: string) => list.find((b) => b.label === label)!.id;

  it('is listed, validated, restored, recovered and pruned by location without an upgrade', async () => {
    const repo = await fixture();
    const vendas = `s3://${repo.buckets.lake}/warehouse/vendas/`;
    const namesake = `s3://${repo.buckets.other}/wh/vendas/`;

    const all = await ok(repo, ['backup', 'list']);
    expect(all.backups.map((b: any) => [b.label, b.source, b.state, b.layout])).toEqual([
      ['B2 reuses B1', vendas, 'complete', 1],
      ['B3', vendas, 'complete', 1],
      ['interrupted', vendas, 'incomplete', 1],
      ['other vendas', namesake, 'complete', 1],
      ['clicks', `s3://${repo.buckets.lake}/raw/clicks/`, 'complete', 1],
    ]);
    const own = await ok(repo, ['backup', 'list', 'vendas']);
    expect(own.backups.map((b: any) => b.label)).toEqual(['B2 reuses B1', 'B3', 'interrupted']);
    expect((await ok(repo, ['backup', 'list', namesake])).backups.map((b: any) => b.label)).toEqual(['other vendas']);

    // B2's files are B1's, kept by B1's retained marker.
    await ok(repo, ['validate', repo.ids.b2, '--level', 'full']);
    expect(await ok(repo, ['backup', 'restore', repo.ids.b2, '--to', 'restored'])).toMatchObject({ rows: 600, ok: true });
    const checkpoints = await ok(repo, ['checkpoint', 'list', 'vendas']);
    const recovered = await ok(repo, ['recover', 'vendas', '--latest']);
    expect(recovered).toMatchObject({ checkpoint_id: byLabel(checkpoints.checkpoints, 'checkpoint vendas'), recovered_records: 600, recovery_valid: true });

    // A backup interrupted in layout 1 is resumed once the repository is upgraded, not before.
    const resume = await lakevault(repo, ['backup', 'create', 'vendas', '--resume', byLabel(all.backups, 'interrupted')]);
    expect({ code: resume.code, stderr: resume.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/interrupted in the layout of lakevault 0\.1\.0 .*repo upgrade/) });

    // Prune decides over this table's backups only; the namesake's backup in the same folder stays whole.
    const pruned = await ok(repo, ['backup', 'prune', 'vendas', '--keep-last', '1', '--grace-hours', '0']);
    expect(pruned.decisions.map((d: any) => [d.id, d.action])).toEqual([[repo.ids.b3, 'keep'], [repo.ids.b2, 'remove'], [byLabel(all.backups, 'interrupted'), 'remove']]);
    await ok(repo, ['validate', byLabel(all.backups, 'other vendas'), '--level', 'full']);
    await ok(repo, ['validate', repo.ids.b3]);
    const b1Files: string[] = [];
    for await (const o of open.store.list(repo.buckets.backups, `vendas/${repo.ids.b1}/`)) b1Files.push(o.key);
    expect(b1Files).toEqual([]); // nothing references B1's kept files any more: collected

    // A new backup goes to layout 2 and reuses the layout-1 backup's files; deleting that one keeps them.
    const next = await ok(repo, ['backup', 'create', 'vendas']);
    expect(next).toMatchObject({ reused: { objects: 3 }, uri: `s3://${repo.buckets.backups}/${seriesName({ bucket: repo.buckets.lake, prefix: 'warehouse/vendas/' })}/${next.id}/` });
    expect(await ok(repo, ['backup', 'delete', repo.ids.b3])).toMatchObject({ keptForOthers: 3 });
    await ok(repo, ['validate', next.id, '--level', 'full']);
  }, 600_000);

  it('repo upgrade moves it in place: every snapshot validated before and after, nothing left in layout 1', async () => {
    const repo = await fixture();
    const before = await everything(repo);
    const listed = await ok(repo, ['backup', 'list']);

    const dry = await ok(repo, ['repo', 'upgrade', 'backups', '--dry-run']);
    expect(dry).toMatchObject({ dryRun: true, formatBefore: 1, ok: true });
    expect(dry.moves.map((m: any) => [m.id, m.state]).sort()).toEqual([
      [repo.ids.b1, 'retained'], ...listed.backups.map((b: any) => [b.id, b.state]),
    ].sort());
    expect(await everything(repo)).toEqual(before);

    const upgraded = await ok(repo, ['repo', 'upgrade', 'backups']);
    expect(upgraded).toMatchObject({ dryRun: false, formatBefore: 1, formatAfter: 2, ok: true, collected: 0 });
    expect(upgraded.validation).toHaveLength(4);
    expect(upgraded.validation.every((v: any) => v.before && v.after)).toBe(true);
    const after = await ok(repo, ['backup', 'list']);
    expect(after.backups.map((b: any) => [b.id, b.state, b.layout])).toEqual(listed.backups.map((b: any) => [b.id, b.state, 2]));
    expect(after.orphaned).toEqual([]);
    const left: string[] = [];
    for await (const o of open.store.list(repo.buckets.backups, '')) if (/^(vendas|clicks)\//.test(o.key)) left.push(o.key);
    expect(left).toEqual([]);
    const marker = JSON.parse(Buffer.from(await open.store.getBytes(repo.buckets.backups, REPOSITORY_MARKER)).toString('utf8'));
    expect(marker).toMatchObject({ format: 'lakevault.repository', formatVersion: 2 });
    expect(marker.upgrading).toBeUndefined();

    // B2 still finds B1's files (moved with B1's retained marker); the interrupted backup resumes.
    await ok(repo, ['validate', repo.ids.b2, '--level', 'full']);
    expect(await ok(repo, ['backup', 'restore', repo.ids.b2, '--to', 'restored'])).toMatchObject({ rows: 600, ok: true });
    expect(await ok(repo, ['backup', 'create', 'vendas', '--resume', byLabel(listed.backups, 'interrupted')])).toMatchObject({ state: 'complete' });

    const checkpoints = await ok(repo, ['repo', 'upgrade', 'checkpoints']);
    expect(checkpoints.moves).toHaveLength(2);
    expect(await ok(repo, ['recover', 'vendas', '--latest'])).toMatchObject({ recovered_records: 600, recovery_valid: true });
    expect((await ok(repo, ['repo', 'upgrade', 'backups'])).moves).toEqual([]);
  }, 600_000);
});
