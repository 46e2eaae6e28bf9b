import { createHash } from 'node:crypto';
import type { PrefixDescription } from '../../lake/describe';
import type { TableVersion, VersionFile } from '../table-source';
import { describedOrigin } from './origin';

/**
 * A described prefix as a table version. Differences from a lakevault table's: files include
 * metadata (layout noise, the Delta log) of kind 'metadata'; no content digests (the writer
 * stored none); what names the version is its listing, so its digest is over the files'
 * keys, sizes and ETags and no object's ETag stands for it.
 */
export function describedVersion(d: PrefixDescription): TableVersion {
  const files: VersionFile[] = d.files.map((file) => ({
    key: file.relativeKey,
    bytes: file.size,
    etag: file.etag,
    kind: file.kind,
    rows: file.rows ?? 0,
    rowGroups: file.rowGroups ?? 0,
    ...(file.schema ? { schema: file.schema } : {}),
  }));
  const canonical = JSON.stringify({ generation: d.generation, files: files.map((f) => [f.key, f.bytes, f.etag]) });
  return {
    generation: d.generation,
    digest: 'sha256:' + createHash('sha256').update(canonical).digest('hex'),
    schema: d.schema,
    files,
    totals: { files: files.length, rows: d.totals.rows, bytes: d.totals.bytes },
    origin: { foreign: describedOrigin(d) },
  };
}
