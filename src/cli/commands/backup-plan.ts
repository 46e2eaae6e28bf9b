import type { Command } from 'commander';
import { PLAN_FORMATS, type PlanFormat } from '../../api/batch-plan';
import { checkEndpointSetting } from '../../config/endpoints';
import { UsageError } from '../../errors';
import { formatBytes, formatCount } from '../output';
import { printResult, withClient } from '../with-client';

/**
 * `backup plan` and `backup plan-verify`: lakevault's side of a copy run by S3 Batch
 * Operations (docs/SCALE.md) — the job's CSV manifest for one table or backup, and the
 * check of what the job did against that snapshot's manifest.
 */
export function addPlanCommands(backup: Command): void {
  backup.command('plan <table-or-backup>')
    .description('write the CSV manifest (bucket,key) an S3 Batch Operations copy job consumes for one table or backup')
    .requiredOption('--format <format>', `manifest format: ${PLAN_FORMATS.join(', ')}`)
    .requiredOption('--output <file>', 'where the CSV manifest is written')
    .action(async (reference: string, flags: { format: string; output: string }, command: Command) => {
      if (!(PLAN_FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format must be ${PLAN_FORMATS.join(' or ')}, got "${flags.format}"`);
      await withClient(command, async ({ lv, output }) => {
        await printResult(output, lv.backup.plan(reference, { format: flags.format as PlanFormat, output: flags.output }), (r) => [
          `${r.output}: ${formatCount(r.objects)} objects (${formatBytes(r.bytes)}) of ${r.subject}, from ${r.buckets.length ? r.buckets.join(', ') : 'no bucket'}`,
          ...(r.buckets.length > 1 ? ['an S3 Batch Operations copy job reads from one bucket: split this manifest by bucket'] : []),
          ...r.tooLarge.map((o) => `NOT IN THE MANIFEST: s3://${o.bucket}/${o.key} (${formatBytes(o.size)}) is over the 5 GiB a batch copy can copy: copy it with a multipart copy`),
        ].join('\n'));
      });
    });

  backup.command('plan-verify <table-or-backup>')
    .description('check a batch copy of a table or backup against its manifest: the destination listing and the job\'s completion reports')
    .requiredOption('--destination <uri>', 's3://bucket/prefix: the job\'s destination bucket and TargetKeyPrefix')
    .option('--report <file>', 'a completion report CSV of the job (repeatable: give them all)', (value: string, files: string[] = []) => [...files, value])
    .option('--destination-profile <name>', 'the destination\'s endpoint, keys, region and CA from this profile of the AWS shared config files')
    .option('--destination-endpoint <url>', 'the destination\'s endpoint (keys from --destination-profile)')
    .option('--destination-region <region>', 'the destination\'s signing region')
    .option('--destination-ca-bundle <file>', 'PEM file of CAs to trust for the destination')
    .action(async (reference: string, flags: { destination: string; report?: string[]; destinationProfile?: string; destinationEndpoint?: string; destinationRegion?: string; destinationCaBundle?: string }, command: Command) => {
      const other = {
        ...(flags.destinationProfile ? { profile: flags.destinationProfile } : {}),
        ...(flags.destinationEndpoint ? { endpoint: checkEndpointSetting(flags.destinationEndpoint, '--destination-endpoint') } : {}),
        ...(flags.destinationRegion ? { region: flags.destinationRegion } : {}),
        ...(flags.destinationCaBundle ? { caBundle: flags.destinationCaBundle } : {}),
      };
      if (Object.keys(other).length && !other.profile && !other.endpoint) throw new UsageError('--destination-region and --destination-ca-bundle need --destination-profile or --destination-endpoint');
      await withClient(command, async ({ lv, output }) => {
        const result = await printResult(output, lv.backup.planVerify(reference, {
          destination: flags.destination,
          ...(Object.keys(other).length ? { destinationEndpoint: other } : {}),
          ...(flags.report ? { reports: flags.report } : {}),
        }), (r) => [
          `${r.subject} → ${r.destination}: ${r.ok ? 'OK' : 'NOT COMPLETE'}; ${r.verified} of ${r.files} files verified (size and ETag), ${r.sizeOnly} by size only, ${r.problems.length} problem(s)`,
          ...(r.report ? [`completion reports: ${r.report.tasks} tasks, ${r.report.succeeded} succeeded, ${r.report.failed} failed, ${r.report.unplanned} not in this plan`] : []),
          ...r.problems.slice(0, 50).map((p) => `  ${p.check}: ${p.destination}${p.detail ? ` (${p.detail})` : ''}`),
          ...(r.problems.length > 50 ? [`  … and ${r.problems.length - 50} more (--json lists them all)`] : []),
          ...(r.sizeOnly ? [`files checked by size only (their ETag is no MD5): prove their content with lakevault validate ${r.destination} --level full`] : []),
        ].join('\n'));
        if (!result.ok) process.exitCode = 1;
      });
    });
}
