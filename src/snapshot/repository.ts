import type { Config } from '../config/config';
import { UsageError } from '../errors';
import { childLocation, formatS3Uri, parseS3Uri, type Location } from '../store/location';
import type { ManifestKey } from '../config/manifest-key';

export type SnapshotKind = 'backup' | 'checkpoint';

/**
 * Where snapshots of one kind live and how they are taken. Backups and checkpoints are
 * the same mechanism configured differently: backups go to s3://lake-backups and reuse
 * unchanged files of earlier backups; checkpoints go to s3://lake-checkpoints and are
 * self-contained (a drill or recovery depends on nothing but its checkpoint).
 *
 * Layout 2: <root>/<series>/<id>/<key relative to the table>, plus <id>/_lakevault/*.json,
 * where a series is the folder of one source location, `<name>-<hash>` (snapshot/identity.ts);
 * <root>/_lakevault/ holds the repository's format (repository-format.ts) and locks (locks.ts).
 * Layout 1 (lakevault 0.1.0) filed snapshots under <root>/<table's last segment>/<id>/:
 * still read, moved by `lakevault repo upgrade`.
 */
export interface SnapshotRepository {
  kind: SnapshotKind;
  root: Location;
  /** Reference unchanged files of earlier snapshots instead of copying them. */
  incremental: boolean;
  /** The key that authenticates manifests (snapshot/authentication.ts), when one is configured. */
  key?: ManifestKey | undefined;
  seriesLocation(series: string): Location;
  snapshotLocation(series: string, id: string): Location;
}

/** The repository's own folder under its root: format marker and locks. */
export const REPOSITORY_FOLDER = '_lakevault';

const ID_PATTERN = /^\d{8}T\d{6}(?:\.\d{3})?Z-[0-9a-f]{6}$/;

/** Snapshot ids are newId() values: 20261129T031500.123Z-a1b2c3 (sortable UTC time + suffix). */
export function isSnapshotId(text: string): boolean {
  return ID_PATTERN.test(text);
}

export function checkSnapshotId(text: string): string {
  if (!isSnapshotId(text)) throw new UsageError(`"${text}" is not a snapshot id (expected e.g. 20261207T192747.396Z-4b3673)`);
  return text;
}

/** The instant an id was taken (its timestamp part). */
export function idTime(id: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d{3}))?Z/.exec(id);
  if (!m) throw new UsageError(`"${id}" is not a snapshot id`);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +(m[7] ?? 0)));
}

export function snapshotRepository(kind: SnapshotKind, root: Location, incremental: boolean, key?: ManifestKey): SnapshotRepository {
  return {
    kind,
    root,
    incremental,
    ...(key ? { key } : {}),
    seriesLocation: (series) => childLocation(root, series),
    snapshotLocation: (series, id) => childLocation(root, series, id),
  };
}

export function backupRepository(config: Pick<Config, 'backups' | 'manifestKey'>, options: { to?: string } = {}): SnapshotRepository {
  return snapshotRepository('backup', options.to ? parseS3Uri(options.to) : config.backups, true, config.manifestKey);
}

export function checkpointRepository(config: Pick<Config, 'checkpoints' | 'manifestKey'>): SnapshotRepository {
  return snapshotRepository('checkpoint', config.checkpoints, false, config.manifestKey);
}

export function snapshotUri(repo: SnapshotRepository, series: string, id: string): string {
  return formatS3Uri(repo.snapshotLocation(series, id));
}
