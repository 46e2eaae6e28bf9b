import { manifestFile, manifestFileSet, type FileSet } from '../model/file-set';
import { folderOf, type SnapshotManifest } from './manifest';
import { snapshotUri, type SnapshotRepository } from './repository';

/** A backup's or checkpoint's manifest as a FileSet (files where their bytes really are). */
export function snapshotFileSet(repo: SnapshotRepository, manifest: SnapshotManifest): FileSet {
  const files = manifest.files.map((file) => manifestFile({
    relativeKey: file.relativeKey,
    bucket: file.bucket,
    key: file.key,
    size: file.size,
    etag: file.etag,
    sourceEtag: file.sourceEtag,
    kind: file.kind ?? 'data',
    ...(file.schema ? { schema: file.schema } : {}),
  }, file));
  const about = {
    kind: manifest.kind,
    label: `${manifest.kind} ${manifest.id} of table ${manifest.source.table}`,
    uri: snapshotUri(repo, folderOf(manifest), manifest.id),
  };
  return manifestFileSet(about, manifest, files);
}
