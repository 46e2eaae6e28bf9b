import { Command } from 'commander';
import type { DiffReport } from '../../api/diff';
import { parseInteger } from '../context';
import { formatBytes, formatCount } from '../output';
import { printResult, withClient } from '../with-client';

/** How many keys of each kind the text output names before summarising the rest. */
const TEXT_LIMIT = 20;

export function diffCommand(): Command {
  return new Command('diff')
    .description('which files differ between two snapshots (table, backup, checkpoint or s3:// prefix), then which rows were added and removed')
    .argument('<a>', 'table name, backup or checkpoint id, or s3:// URI')
    .argument('<b>', 'another one, compared with the first')
    .option('--out <uri>', 'write the added and removed rows to this empty s3:// prefix, as a table with a _change_type column')
    .option('--memory-mb <n>', 'MiB the row digests may hold in memory before they spill to disk by hash partition', '256')
    .option('--workers <n>', 'files read at once, one worker thread each (default: min(2, CPUs))')
    .option('--file-timeout <seconds>', 'fail a file whose reader makes no progress for this long', '60')
    .option('--as-of <time|point>', 'read <a>, a table, as it was at this time (ISO 8601 with its zone) or point of `table history`: `diff t t --as-of T` is what changed since T')
    .action(async (a: string, b: string, flags: { out?: string; memoryMb: string; workers?: string; fileTimeout: string; asOf?: string }, command: Command) => {
      const memoryMb = parseInteger('--memory-mb', flags.memoryMb, 16, 65_536);
      const workers = flags.workers === undefined ? undefined : parseInteger('--workers', flags.workers, 1, 64);
      const fileTimeoutMs = parseInteger('--file-timeout', flags.fileTimeout, 1, 86_400) * 1000;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.diff(a, b, { memoryMb, fileTimeoutMs, ...(flags.out !== undefined ? { out: flags.out } : {}), ...(workers ? { workers } : {}), ...(flags.asOf !== undefined ? { asOf: flags.asOf } : {}) }), formatDiff);
      });
    });
}

export function formatDiff(r: DiffReport): string {
  const keys = (label: string, list: string[]) => (list.length ? [`  ${label}: ${list.slice(0, TEXT_LIMIT).join(', ')}${list.length > TEXT_LIMIT ? `, … (${formatCount(list.length)} in all; --json lists them)` : ''}`] : []);
  return [
    `${r.sameRows ? (r.sameFiles ? 'IDENTICAL' : 'SAME ROWS, OTHER FILES') : 'DIFFERENT'}: ${r.a.label} (${r.a.uri}) vs ${r.b.label} (${r.b.uri})`,
    `files: ${formatCount(r.files.same)} the same, ${formatCount(r.files.changed.length)} changed, ${formatCount(r.files.onlyInA.length)} only in a, ${formatCount(r.files.onlyInB.length)} only in b` +
      `; rows read from ${formatCount(r.files.readA)} + ${formatCount(r.files.readB)} file(s), ${formatCount(r.files.matchedByContent)} matched by content unread`,
    ...keys('changed', r.files.changed),
    ...keys('only in a', r.files.onlyInA),
    ...keys('only in b', r.files.onlyInB),
    r.rows.compared
      ? `rows: ${formatCount(r.rows.added)} added, ${formatCount(r.rows.removed)} removed, ${formatCount(r.rows.unchanged)} unchanged (a ${formatCount(r.rows.a)}, b ${formatCount(r.rows.b)})`
      : `rows: not compared (the schemas differ: ${r.schema.differences.join('; ')})`,
    ...(r.changes ? [`changes: ${r.changes.uri}: ${formatCount(r.changes.rows)} rows in ${r.changes.files} file(s), ${formatBytes(r.changes.bytes)}`] : []),
    ...r.notes.map((note) => `note: ${note}`),
    `${formatCount(r.rows.read)} rows read in ${(r.elapsedMs / 1000).toFixed(2)} s (${formatCount(r.rowsPerSecond)} rows/s)`,
  ].join('\n');
}
