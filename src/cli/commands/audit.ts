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

export function auditCommand(): Command {
  return new Command('audit')
    .description('observe the security of the store: credentials, TLS, encryption at rest, policies, backup protection')
    .option('--bucket <name...>', 'audit these buckets instead of the configured warehouse, backup and checkpoint buckets')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(['critical', 'high', 'medium', 'low']).default('high'))
    .addOption(new Option('--format <format>', 'text, json or sarif (--json = json)').choices(['text', 'json', 'sarif']))
    .option('--sample <n>', 'objects sampled per table and per backup', '5')
    .option('--sse-c-key-file <file>', 'SSE-C key to present when sampling encrypted objects; never printed')
    .option('--list-checks', 'print the checks (id, severity, title, what is observed) and exit; no connection')
    .action(async (flags: AuditFlags, command: Command) => {
      if (flags.listChecks) {
        const json = globalOptions(command).json || flags.format === 'json';
        const list = checks().auditChecks();
        process.stdout.write(json ? JSON.stringify(list, null, 2) + '\n'
          : formatTable(['id', 'severity', 'title'], list.checks.map((c) => [c.id, c.severity, c.title])) + '\n');
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
