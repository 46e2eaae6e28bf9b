// @ts-check
'use strict';
/**
 * Incremental backup of a table whose files an earlier backup already holds, beside a full
 * backup of the same table: 1,000 files of 1,000 rows (about 18 KB each), every file reused.
 * Reuse copies nothing, but must still prove each reused file is there with the recorded
 * size and ETag; the goal is that it costs at most half a full backup's time.
 *
 * Each round runs both, alternating which goes first; every figure is a fresh CLI process.
 */
const { median } = require('./measure');
const { f0, f1, f2, range, shown, lakevaultIn, cliRunner } = require('./cli-run');

/**
 * @param {{ lvEnv: NodeJS.ProcessEnv, tag: string, rounds: number, log: (l: string) => void }} ctx
 */
function incrementalBench(ctx) {
  const { lvEnv, tag, log } = ctx;
  const lv = lakevaultIn(`bench-${tag}-inc`);
  const run = cliRunner(lvEnv, log);

  async function section() {
    const table = 'inc1k';
    const argv = {
      create: lv(['table', 'create', table, '--rows', '1000000', '--rows-per-file', '1000', '--overwrite']),
      full: lv(['backup', 'create', table, '--full']),
      incremental: lv(['backup', 'create', table]),
    };
    await run('table create 1,000 files (not timed)', argv.create);
    // The first incremental backup needs an earlier one to reuse.
    await run('backup create --full (the first, not timed)', argv.full);
    const runs = { full: [], incremental: [] };
    for (let round = 1; round <= ctx.rounds; round++) {
      const order = round % 2 ? ['incremental', 'full'] : ['full', 'incremental'];
      for (const what of order) {
        const r = await run(`backup create${what === 'full' ? ' --full' : ''}, 1,000 files`, argv[what]);
        const expected = what === 'full' ? { copied: 1000, reused: 0 } : { copied: 0, reused: 1000 };
        const got = { copied: r.json.copied.objects, reused: r.json.reused.objects };
        if (got.copied !== expected.copied || got.reused !== expected.reused) throw new Error(`${what} backup copied ${got.copied} and reused ${got.reused} files, expected ${JSON.stringify(expected)}`);
        runs[what].push(r);
      }
    }
    const wall = (list) => list.map((r) => r.wallS);
    const ratios = runs.incremental.map((r, i) => r.wallS / runs.full[i].wallS);
    const row = (what, list, extra) => [what, range(wall(list)), f2(median(list.map((r) => r.cpuS))), f2(median(list.map((r) => r.serverS))), f0(Math.max(...list.map((r) => r.peakRssMB))), range(list.map((r) => r.load), f1), extra];
    return {
      title: 'Incremental backup of a 1,000-file table, every file reused, beside a full backup (RGW)',
      header: ['what', 'wall s, median (min–max)', 'client CPU s', 'server CPU s', 'peak RSS MB', 'load average (1 min) before', 'notes'],
      rows: [
        row('`backup create --full` (copies 1,000 files)', runs.full, ''),
        row('`backup create` (incremental: reuses 1,000 files, copies none)', runs.incremental, `${range(ratios)}× the full backup's time`),
      ],
      goals: [{ goal: 'incremental backup of reused files ≤ ½ of a full one (median of the rounds\' ratios)', measured: `${f2(median(ratios))}×`, met: median(ratios) <= 0.5 }],
      commands: [shown(argv.create), shown(argv.full), shown(argv.incremental)],
      note: `${ctx.rounds} rounds, each running both (alternating which goes first), after one untimed full backup. Files of 1,000 rows (~18 KB). The incremental backup reads the earlier backups' manifests and lists the folders of the files it reuses (one request per 1,000 files: snapshot/reuse-check.ts); the repository holds one more backup every run, so the later runs read more manifests. Server CPU is radosgw + OSD + monitor during the run.`,
    };
  }

  return { section };
}

module.exports = { incrementalBench };
