import { IntegrityError, UsageError } from '../errors';
import { formatS3Uri, isS3Uri, parseS3Uri } from '../store/location';
import { sameLocation } from '../snapshot/identity';
import { backupRepository, checkpointRepository, snapshotRepository, type SnapshotRepository } from '../snapshot/repository';
import type { Config } from '../config/config';
import { upgradeRepository, type UpgradeResult } from '../snapshot/upgrade';
import type { ValidationLevel } from '../validate';
import type { ApiContext, CallOptions } from './context';
import { report, type Report } from './report';
import { checkLevel, failedValidation } from './validation-failure';

export type RepoUpgradeReport = Report<UpgradeResult>;

export interface UpgradeRepositoryOptions extends CallOptions {
  /** Show what would move, and validate every snapshot; change nothing. */
  dryRun?: boolean;
  /** Validation of every snapshot before and after (default quick). */
  level?: ValidationLevel;
}

/**
 * A repository named on the command line: `backups` or `checkpoints` (the configured ones),
 * or an s3:// URI (a backup repository, unless it is the configured checkpoints location).
 */
export function namedRepository(config: Config, name: string): SnapshotRepository {
  if (name === 'backups') return backupRepository(config);
  if (name === 'checkpoints') return checkpointRepository(config);
  if (!isS3Uri(name)) throw new UsageError(`"${name}" is not a repository: give backups, checkpoints or an s3://bucket/prefix URI`);
  const root = parseS3Uri(name);
  return sameLocation(root, config.checkpoints) ? checkpointRepository(config) : snapshotRepository('backup', root, true, config.manifestKey);
}

/** `lakevault repo …`: the repositories themselves (backups, checkpoints). */
export class RepositoryApi {
  constructor(private readonly context: ApiContext) {}

  /**
   * Moves a repository written in an older layout to the current one, in place, validating
   * every snapshot before and after (snapshot/upgrade.ts); dryRun shows the moves only.
   */
  upgrade(repository: string, options: UpgradeRepositoryOptions = {}): Promise<RepoUpgradeReport> {
    return upgrade(this.context, repository, options);
  }
}

async function upgrade(context: ApiContext, repository: string, options: UpgradeRepositoryOptions): Promise<RepoUpgradeReport> {
  const { config, store } = context;
  const repo = namedRepository(config, repository);
  const level = checkLevel(options.level ?? 'quick');
  const progress = context.progress('repo.upgrade', options.onProgress);
  const result = report(await upgradeRepository(store, repo, {
    dryRun: options.dryRun === true, concurrency: config.concurrency, level,
    onStep: (step) => progress(`repo upgrade ${formatS3Uri(repo.root)}: ${step}`, { step }),
  }));
  const invalid = result.validation.filter((v) => !v.before);
  if (!result.ok) throw failedValidation(new IntegrityError(`${invalid.length} snapshot(s) of ${result.repository} do not validate (${invalid.map((v) => v.id).join(', ')}): ${result.dryRun ? 'the upgrade would move them as they are' : 'moved as they were'}`), result);
  return result;
}
