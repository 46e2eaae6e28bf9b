import { Command } from 'commander';
import { UsageError } from '../../errors';
import { DISASTERS, parseDisaster } from '../../dr/disasters';
import { formatBytes, formatCount, plural } from '../output';
import { printResult, withClient } from '../with-client';

export function drillCommand(): Command {
  return new Command('drill')
    .description('disaster-recovery drill on one table: checkpoint → disaster → recover → validate; RTO, RPO and what was destroyed and recovered (text; --json for the JSON report)')
    .argument('<table>', 'table name or s3:// URI')
    .option('--disaster <kind>', DISASTERS.join(' | '), 'delete-prefix')
    .option('--level <level>', 'validation of the recovered table: quick or full (the RTO includes a quick one; full runs after it)', 'full')
    .option('--allow-empty', 'drill a table with no data files (one meant to be empty); refused otherwise')
    .action(async (name: string, flags: { disaster: string; level: string; allowEmpty?: boolean }, command: Command) => {
      const disaster = parseDisaster(flags.disaster);
      if (flags.level !== 'quick' && flags.level !== 'full') throw new UsageError(`--level must be quick or full, got "${flags.level}"`);
      const level = flags.level;
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.drill(name, { disaster, level, ...(flags.allowEmpty ? { allowEmpty: true } : {}) }), (r) => [
          `drill of ${r.table} (${r.disaster}): ${r.status}`,
          `checkpoint ${r.checkpoint_id} at ${r.checkpoint_location} (on ${r.checkpoint_endpoint})`,
          `original ${formatCount(r.original_records)} rows, recovered ${formatCount(r.recovered_records)}; valid: ${r.recovery_valid}`,
          `RTO ${formatCount(r.rto_ms)} ms (with a ${r.rto_validation_level} validation), RPO ${formatCount(r.rpo_ms)} ms; ${plural(r.objects, 'object')}, ${formatBytes(r.bytes)}`,
          ...(r.full_validation_ms !== undefined ? [`full validation after the table was back: ${formatCount(r.full_validation_ms)} ms (verified after ${formatCount(r.verified_ms)} ms)`] : []),
          `destroyed ${formatCount(r.objects_destroyed)} objects, recovered ${formatCount(r.objects_recovered)}`,
          ...r.not_recovered.map((uri) => `  NOT recovered: ${uri}`),
        ].join('\n'));
      });
    });
}
