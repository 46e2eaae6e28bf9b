import { Command } from 'commander';
import { IntegrityError, UsageError } from '../../errors';
import { runDrill } from '../../dr/drill';
import { DISASTERS, parseDisaster } from '../../dr/disasters';
import { resolveTable } from '../../table/table-ref';
import { withStore } from '../context';
import { formatBytes, formatCount } from '../output';
import { failedAfterReport } from './snapshot-output';

export function drillCommand(): Command {
  return new Command('drill')
    .description('disaster-recovery drill on one table: checkpoint → disaster → recover → validate; JSON report')
    .argument('<table>', 'table name or s3:// URI')
    .option('--disaster <kind>', DISASTERS.join(' | '), 'delete-prefix')
    .option('--level <level>', 'validation of the recovered table: quick or full', 'full')
    .action(async (name: string, flags: { disaster: string; level: string }, command: Command) => {
      const disaster = parseDisaster(flags.disaster);
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withStore(command, async ({ config, output, open }) => {
        const table = resolveTable(config, name);
        const report = await runDrill(open.store, config, table, { disaster, level, onStep: (step) => output.progress(`drill ${table.name}: ${step}`) });
        output.result(report, (r: typeof report) => [
          `drill of ${r.table} (${r.disaster}): ${r.status}`,
          `checkpoint ${r.checkpoint_id} at ${r.checkpoint_location}`,
          `original ${formatCount(r.original_records)} rows, recovered ${formatCount(r.recovered_records)}; valid: ${r.recovery_valid}`,
          `RTO ${r.rto_ms} ms, RPO ${r.rpo_ms} ms; ${r.objects} objects, ${formatBytes(r.bytes)}`,
        ].join('\n'));
        if (!report.recovery_valid) throw failedAfterReport(new IntegrityError(`drill of ${report.table} (${report.disaster}) did not recover a valid table`));
      });
    });
}
