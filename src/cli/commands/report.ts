import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { report } from '../../api/report';
import { UsageError } from '../../errors';
import { parseS3Uri } from '../../store/location';
import { lazyModule } from '../../util/lazy';
import type { ReportData } from '../../report/data';
import { formatBytes, plural } from '../output';
import { withClient } from '../with-client';

const building = lazyModule((): typeof import('../../report/data') => require('../../report/data'));
const rendering = lazyModule((): typeof import('../../report/html') => require('../../report/html'));

export function reportCommand(): Command {
  return new Command('report')
    .description('what the repository remembers — protection per table, backups, drill RTO/RPO against targets, verification coverage, audit findings — as HTML or JSON')
    .option('--html <file>', 'write one self-contained HTML page (no network needed to view it)')
    .addOption(new Option('--format <format>', 'text or json (--json = json)').choices(['text', 'json']))
    .option('--repository <uri...>', 'backup repositories to report on (default: the configured backups location)')
    .action(async (flags: { html?: string; format?: string; repository?: string[] }, command: Command) => {
      const repositories = flags.repository?.map((uri) => parseS3Uri(uri));
      if (flags.format === 'json') rootOf(command).setOptionValue('json', true);
      await withClient(command, async ({ lv, output }) => {
        const data = await building().reportData(lv.context.store, repositories ?? [lv.context.config.backups]);
        if (flags.html) {
          try {
            await writeFile(flags.html, rendering().renderHtml(data));
          } catch (error) {
            throw new UsageError(`cannot write ${flags.html}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          }
        }
        output.result(report({ ...data, ...(flags.html ? { htmlFile: flags.html } : {}) }), (d: ReportData & { htmlFile?: string }) => formatText(d));
      });
    });
}

function formatText(d: ReportData & { htmlFile?: string }): string {
  const lines = d.tables.map((t) => `${t.status.padEnd(11)} ${t.table}: ${plural(t.backups, 'backup')}${t.lastBackup ? `, last ${t.lastBackup.at}` : ''}${t.reasons.length ? ` — ${t.reasons.join('; ')}` : ''}`);
  lines.push(`${d.totals.backups} backups (${formatBytes(d.totals.backupBytes)}, ${formatBytes(d.totals.reusedBytes)} reused), ${d.totals.drills} drills (${d.totals.failedDrills} failed), ${d.totals.validations} validations (${d.totals.failedValidations} failed), ${d.totals.audits} audits`);
  if (d.htmlFile) lines.push(`HTML report written to ${d.htmlFile}`);
  return lines.join('\n');
}

function rootOf(command: Command): Command {
  let root = command;
  while (root.parent) root = root.parent;
  return root;
}
