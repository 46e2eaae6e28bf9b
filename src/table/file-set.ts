import { manifestFile, manifestFileSet, type FileSet } from '../model/file-set';
import type { TableManifest } from './manifest';
import type { TableRef } from './table-ref';

/** A lakevault table as its manifest lists it, as a FileSet. */
export function tableFileSet(table: TableRef, manifest: TableManifest): FileSet {
  const files = manifest.files.map((file) => manifestFile({
    relativeKey: file.key,
    bucket: table.location.bucket,
    key: table.location.prefix + file.key,
    size: file.bytes,
    etag: file.etag,
    kind: 'data',
  }, file));
  return manifestFileSet({ kind: 'table', label: `table ${table.name}`, uri: table.uri }, manifest, files);
}
