import { Command, Option } from 'commander';
import { UsageError } from '../../errors';
import { renderReport, type AuditFormat } from '../../audit/format';
import { parseSeverity } from '../../audit/types';
import { formatTable } from '../output';
import { bucketNameProblem } from '../../store/location';
import { globalOptions, parseInteger } from '../context';
import { encryptionFromFlags } from '../encryption-flags';
import { withClient } from '../with-client';
import { lazyModule } from '../../util/lazy';

const checks = lazyModule((): typeof import('../../api/checks') => require('../../api/checks'));

interface AuditFlags {
  bucket?: string[];
  failOn: string;
  format?: string;
  sample: string;
  sseCKeyFile?: string;
  listChecks?: boolean;
}

/** The catalog as text: id, severity on failure and title, then what each check looks at. */
function checkCatalogText(list: { id: string; severity: string; title: string; observes: string }[]): string {
  const head = formatTable(['id', 'severity', 'title'], list.map((c) => [c.id, c.severity, c.title])).split('\n');
  return [head[0], ...list.flatMap((c, i) => [head[i + 1], `             observes: ${c.observes}`])].join('\n');
}

export function auditCommand(): Command {
  return new Command('audit')
    .description('observe the security of the store: credentials, TLS, encryption at rest, policies, backup protection')
    .option('--bucket <name...>', 'audit these buckets instead of the configured warehouse, backup and checkpoint buckets')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['critical', 'high', 'medium', 'low']).default('high'))
    .addOption(new Option('--format <format>', 'text, json or sarif (--json = json)').choices(['text', 'json', 'sarif']))
    .option('--sample <n>', 'objects sampled per table and per backup', '5')
    .option('--sse-c-key-file <file>', 'SSE-C key to present when sampling encrypted objects; never printed')
    .option('--list-checks', 'print the catalog of checks (id, severity on failure, title, what each check looks at) and exit; no connection, nothing observed')
    .action(async (flags: AuditFlags, command: Command) => {
      const jsonFlag = globalOptions(command).json;
      // --json promises one JSON document on stdout; a text report would break that promise.
      if (jsonFlag && flags.format === 'text') throw new UsageError('--json and --format text contradict each other: use one (--format json or sarif are JSON too)');
      if (flags.listChecks) {
        const list = checks().auditChecks();
        process.stdout.write(jsonFlag || flags.format === 'json' ? JSON.stringify(list, null, 2) + '\n' : checkCatalogText(list.checks) + '\n');
        return;
      }
      const failOn = parseSeverity(flags.failOn)!;
      const sampleSize = parseInteger('--sample', flags.sample, 1, 1000);
      for (const bucket of flags.bucket ?? []) {
        const problem = bucketNameProblem(bucket);
        if (problem) throw new UsageError(`--bucket "${bucket}": ${problem}`);
      }
      const customerKey = flags.sseCKeyFile ? encryptionFromFlags({ sseCKeyFile: flags.sseCKeyFile })?.customerKey : undefined;
      const format: AuditFormat = (flags.format as AuditFormat | undefined) ?? (globalOptions(command).json ? 'json' : 'text');
      await withClient(command, async ({ lv, output }) => {
        // The library's report is already redacted of every secret the audit knew.
        const report = await lv.audit({
          failOn, sample: sampleSize,
          ...(flags.bucket?.length ? { buckets: flags.bucket } : {}),
          ...(customerKey ? { customerKey } : {}),
        });
        output.done();
        process.stdout.write(renderReport(report, format, []));
        if (report.exitCode) process.exitCode = report.exitCode;
      });
    });
}
