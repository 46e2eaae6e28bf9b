import { readFileSync, writeFileSync } from 'node:fs';
import { batchCopyPlan, parseCompletionReport, verifyBatchCopy, type BatchPlan, type BatchVerification, type CompletionTask } from '../backup/batch-plan';
import type { EndpointSettings } from '../config/endpoints';
import { UsageError } from '../errors';
import { resolveFileSet } from './subjects';
import { parseS3Uri } from '../store/location';
import type { ObjectInfo } from '../store/types';
import type { ApiContext } from './context';
import { report, type Report } from './report';

export const PLAN_FORMATS = ['s3-batch-csv'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanOptions {
  format: PlanFormat;
  /** Where the CSV manifest is written (a local file). */
  output: string;
}

export type BackupPlanReport = Report<Omit<BatchPlan, 'csv'> & { subject: string; format: PlanFormat; output: string }>;

export interface PlanVerifyOptions {
  /** s3://bucket/prefix: the destination bucket and the job's TargetKeyPrefix. */
  destination: string;
  /** The destination's endpoint when it is not the primary one (a profile, or an endpoint and its settings). */
  destinationEndpoint?: Omit<EndpointSettings, 'source'>;
  /** Completion report CSV files of the job (local files), all of them. */
  reports?: string[];
}

export type BackupPlanVerifyReport = Report<BatchVerification>;

/**
 * `backup plan <table|backup> --format s3-batch-csv --output FILE`: the CSV manifest an
 * S3 Batch Operations copy job consumes for one snapshot (docs/SCALE.md).
 */
export async function plan(context: ApiContext, reference: string, options: PlanOptions): Promise<BackupPlanReport> {
  if (!PLAN_FORMATS.includes(options.format)) throw new UsageError(`--format must be ${PLAN_FORMATS.join(' or ')}, got "${options.format}"`);
  if (!options.output) throw new UsageError('a plan needs --output <file> for its CSV manifest');
  const subject = await resolveFileSet(context.store, context.config, reference);
  const { csv, ...planned } = batchCopyPlan(subject);
  try {
    writeFileSync(options.output, csv);
  } catch (error) {
    throw new UsageError(`cannot write the plan to ${options.output}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return report({ subject: subject.uri, format: options.format, output: options.output, ...planned });
}

/**
 * `backup plan-verify <table|backup> --destination URI [--report FILE]…`: what a batch copy
 * of the snapshot did, checked against its manifest (the destination's listing, and the
 * job's completion reports when given). Throws nothing for a bad copy: `ok` says it.
 */
export async function planVerify(context: ApiContext, reference: string, options: PlanVerifyOptions): Promise<BackupPlanVerifyReport> {
  const destination = parseS3Uri(options.destination);
  const tasks = options.reports?.length ? readReports(options.reports) : undefined;
  const subject = await resolveFileSet(context.store, context.config, reference);
  const target = options.destinationEndpoint
    ? await context.endpoints.openSettings({ source: '--destination-*', ...options.destinationEndpoint })
    : context.open;
  const listing = new Map<string, ObjectInfo>();
  for await (const object of target.store.list(destination.bucket, destination.prefix)) listing.set(object.key, object);
  return report(verifyBatchCopy(subject, destination, listing, tasks));
}

function readReports(files: string[]): CompletionTask[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the completion report ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    try {
      return parseCompletionReport(text, file);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  });
}
