import { Command, Option } from 'commander';
import { IntegrityError, UsageError } from '../../errors';
import type { CycleReport } from '../../api/verify';
import { parseByteSize } from '../../util/units';
import type { ValidationLevel, ValidationReport } from '../../validate';
import { parseInteger } from '../context';
import { icebergChoice, type IcebergFlags } from '../iceberg-flags';
import { withClient } from '../with-client';
import { formatBytes, formatCount, plural } from '../output';

/** How many differences the text output lists before summarising the rest. */
const TEXT_LIMIT = 50;

export function validateCommand(): Command {
  return new Command('validate')
    .description('check a table, backup or checkpoint against its manifest and stored digests, or compare two of them')
    .argument('<a>', 'table name, backup or checkpoint id, or s3:// URI')
    .argument('[b]', 'a second one to compare with the first')
    .addOption(new Option('--level <level>', 'quick: objects, sizes, ETags, footers; full: decode and digest every row group').choices(['quick', 'full']).default('quick'))
    .option('--workers <n>', 'decode worker threads (default: min(2, CPUs))')
    .option('--file-timeout <seconds>', 'fail a file whose decoder makes no progress for this long', '60')
    .option('--memory-budget <mb>', 'peak memory of the process while decoding (full level), in MB; a row group that cannot be decoded within it fails its file', '600')
    .option('--delta-version <n>', 'Delta tables: validate the table as this version (only its live files count)')
    .option('--as-of <time|point>', 'read <a>, a table, as it was at this time (ISO 8601 with its zone) or point of `table history`')
    .option('--iceberg-snapshot <id>', 'Iceberg tables: validate this snapshot\'s files (default: the current one)')
    .option('--ref <name>', 'Iceberg tables: validate the snapshot of this branch or tag')
    .option('--metadata-location <path>', 'Iceberg tables: read the table from this metadata file')
    .option('--cycle', 'verification cycle: verify this run\'s slice, remember coverage in the repository (every object once per cycle)')
    .option('--slices <t>', 'with --cycle: one of t key-hash slices per run (restic\'s n/t, rotated for you; default 7)')
    .option('--max-bytes <size>', 'with --cycle: verify up to this many bytes per run (e.g. 10GiB)')
    .action(async (a: string, b: string | undefined, flags: { level: ValidationLevel; workers?: string; fileTimeout: string; memoryBudget: string; deltaVersion?: string; asOf?: string; cycle?: boolean; slices?: string; maxBytes?: string } & IcebergFlags, command: Command) => {
      if ((flags.cycle || flags.slices !== undefined || flags.maxBytes !== undefined) && flags.asOf !== undefined) throw new UsageError('--cycle verifies what is stored; --as-of does not apply');
      if (flags.cycle || flags.slices !== undefined || flags.maxBytes !== undefined) return validateCycle(a, b, flags, command);
      const concurrency = flags.workers === undefined ? undefined : parseInteger('--workers', flags.workers, 1, 64);
      const fileTimeoutMs = parseInteger('--file-timeout', flags.fileTimeout, 1, 86_400) * 1000;
      const memoryBudgetMb = parseInteger('--memory-budget', flags.memoryBudget, 1, 1_048_576);
      const deltaVersion = flags.deltaVersion !== undefined ? parseInteger('--delta-version', flags.deltaVersion, 0, Number.MAX_SAFE_INTEGER) : undefined;
      const iceberg = icebergChoice(flags);
      await withClient(command, async ({ lv, output }) => {
        const report = await lv.validate(a, b, { level: flags.level, fileTimeoutMs, memoryBudgetMb, ...(concurrency ? { workers: concurrency } : {}), ...(deltaVersion !== undefined ? { deltaVersion } : {}), ...(flags.asOf !== undefined ? { asOf: flags.asOf } : {}), ...(iceberg ? { iceberg } : {}) });
        output.result(report, formatReport);
        if (!report.ok) {
          const error = new IntegrityError(`validation found ${plural(report.differences.length, 'difference')} and ${plural(report.fileErrors.length, 'file error')}`);
          throw Object.assign(error, { reported: true });
        }
      });
    });
}

/** `validate <subject> --cycle`: full level unless --level says quick. */
async function validateCycle(subject: string, other: string | undefined, flags: { level: ValidationLevel; workers?: string; cycle?: boolean; slices?: string; maxBytes?: string; deltaVersion?: string } & IcebergFlags, command: Command): Promise<void> {
  if (!flags.cycle) throw new UsageError('--slices and --max-bytes go with --cycle');
  if (other !== undefined) throw new UsageError('--cycle verifies one subject; it does not compare two');
  if (flags.deltaVersion !== undefined) throw new UsageError('--cycle verifies what is stored; --delta-version does not apply');
  if (icebergChoice(flags)) throw new UsageError('--cycle verifies what is stored; Iceberg snapshot options do not apply');
  if (flags.slices !== undefined && flags.maxBytes !== undefined) throw new UsageError('give either --slices or --max-bytes, not both');
  const slices = flags.slices !== undefined ? parseInteger('--slices', flags.slices, 1, 10_000) : undefined;
  const maxBytes = flags.maxBytes !== undefined ? parseByteSize(flags.maxBytes, '--max-bytes') : undefined;
  const workers = flags.workers === undefined ? undefined : parseInteger('--workers', flags.workers, 1, 64);
  const level = command.getOptionValueSource('level') === 'default' ? 'full' : flags.level;
  await withClient(command, async ({ lv, output }) => {
    const report = await lv.verifyCycle(subject, { level, ...(slices ? { slices } : {}), ...(maxBytes ? { maxBytes } : {}), ...(workers ? { workers } : {}) });
    output.result(report, formatCycle);
    if (!report.ok) throw Object.assign(new IntegrityError(`verification found ${plural(report.run.failed.length, 'bad object')} in ${report.subject}`), { reported: true });
  });
}

export function formatCycle(report: CycleReport): string {
  const c = report.cycle;
  const lines = [
    `${report.ok ? 'OK' : 'BAD OBJECTS'}: ${report.level} verification of ${report.subject}, cycle ${c.number}${report.slice !== undefined && 'slices' in report.budget ? `, slice ${report.slice + 1} of ${report.budget.slices}` : ''}`,
    `  this run: ${plural(report.run.objects, 'object')} (${formatBytes(report.run.bytes)}), ${formatBytes(report.bytesRead)} read in ${(report.elapsedMs / 1000).toFixed(1)} s`,
    `  cycle: ${(c.coverage * 100).toFixed(1)} % verified (${formatCount(c.verifiedObjects)} of ${formatCount(c.objects)} objects, ${formatBytes(c.verifiedBytes)} of ${formatBytes(c.bytes)})` +
      (c.completed ? `; complete at ${c.completedAt}: the next run starts cycle ${c.number + 1}` : `; ${plural(c.runsLeft, 'more run')} at this budget${c.estimatedCompletion ? `, about ${c.estimatedCompletion}` : ''}`),
  ];
  for (const uri of report.run.failed) lines.push(`  bad: ${uri}`);
  for (const d of [...report.differences.map((d) => d.message), ...report.fileErrors.map((e) => `${e.file}: ${e.error}`)].slice(0, TEXT_LIMIT)) lines.push(`  ${d}`);
  return lines.join('\n');
}

export function formatReport(report: ValidationReport): string {
  const lines: string[] = [];
  const what = report.subjects.map((s) => `${s.label} (${s.uri})`).join(' vs ');
  lines.push(`${report.ok ? 'OK' : 'DIFFERENT'}: ${report.level} validation of ${what}`);
  for (const s of report.subjects) {
    lines.push(`  ${s.label}: ${plural(s.files, 'file')}${s.metadataFiles ? ` (${formatCount(s.dataFiles ?? 0)} data, ${formatCount(s.metadataFiles)} metadata)` : ''}, ${plural(s.rows, 'row')}, ${formatBytes(s.bytes)}${s.contentDigest ? `, content ${s.contentDigest}` : ''}`);
    if (s.pages) lines.push(`    ${formatCount(s.pages.pages)} pages checked, ${formatCount(s.pages.checksummed)} with a CRC32 (all verified), ${formatCount(s.pages.pages - s.pages.checksummed)} without${s.readers ? `; read by ${Object.entries(s.readers).map(([reader, files]) => `${reader} (${plural(files, 'file')})`).join(', ')}` : ''}`);
  }
  const listed = [...report.differences.map((d) => `  difference: ${d.message}`), ...report.fileErrors.map((e) => `  file error: ${e.subject}: ${e.file}: ${e.error}`)];
  lines.push(...listed.slice(0, TEXT_LIMIT));
  if (listed.length > TEXT_LIMIT) lines.push(`  ... and ${listed.length - TEXT_LIMIT} more (use --json for all)`);
  if (report.layoutDifferences.length) lines.push(`  layout differs, content equal: ${plural(report.layoutDifferences.length, 'file-level difference')}, e.g. ${report.layoutDifferences[0]!.message}`);
  for (const note of report.notes) lines.push(`  note: ${note}`);
  const seconds = report.elapsedMs / 1000;
  lines.push(`  ${plural(report.rowsChecked, 'row')} checked${report.subjects.length > 1 ? ' (every row of both sides)' : ''}, ${formatBytes(report.bytesRead)} read in ${plural(report.requests, 'request')}, ${seconds.toFixed(2)} s (${formatCount(report.rowsPerSecond)} rows/s)${report.level === 'full' && report.memory ? `, peak memory ${formatCount(report.memory.peakRssMb)} MB of a ${formatCount(report.memory.budgetMb)} MB budget` : ''}`);
  return lines.join('\n');
}
