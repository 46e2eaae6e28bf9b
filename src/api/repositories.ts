import type { EndpointSettings } from '../config/endpoints';
import { UsageError } from '../errors';
import { snapshotRepository, type SnapshotKind, type SnapshotRepository } from '../snapshot/repository';
import { parseS3Uri } from '../store/location';
import type { OpenStore } from '../store/open';
import type { ApiContext } from './context';

/**
 * A snapshot repository named by a caller: its s3:// root and, when it is on another
 * endpoint than the primary, that endpoint (an AWS profile, or an endpoint and its
 * settings). `--to s3://dr-backups/lake --to-profile dr`.
 */
export interface RepositoryOption {
  uri?: string;
  endpoint?: Omit<EndpointSettings, 'source'>;
}

export interface OpenedRepository {
  repo: SnapshotRepository;
  open: OpenStore;
}

/**
 * The repository and the store it lives on: a named endpoint when one is given; else an
 * s3:// root given alone is on the primary endpoint (as it always was); else the configured
 * location of its kind, on that location's own endpoint when it has one
 * (LAKEVAULT_BACKUPS_ENDPOINT, _PROFILE…).
 */
export async function openRepository(context: ApiContext, kind: SnapshotKind, option: RepositoryOption | undefined, flag: string): Promise<OpenedRepository> {
  const { config } = context;
  if (option?.endpoint && !option.endpoint.profile && !option.endpoint.endpoint) {
    throw new UsageError(`${flag}-region and ${flag}-ca-bundle need ${flag}-profile or ${flag}-endpoint`);
  }
  if (option?.endpoint && !option.uri) throw new UsageError(`${flag}-profile and ${flag}-endpoint need ${flag} s3://bucket/prefix: the repository on that endpoint`);
  const location = kind === 'backup' ? 'backups' : 'checkpoints';
  const root = option?.uri ? parseS3Uri(option.uri) : config[location];
  const open = option?.endpoint
    ? await context.endpoints.openSettings({ source: `${flag}-*`, ...option.endpoint })
    : option?.uri ? context.open : await context.endpoints.forLocation(location);
  return { repo: snapshotRepository(kind, root, kind === 'backup', config.manifestKey), open };
}
