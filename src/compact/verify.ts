import { IntegrityError } from '../errors';
import type { FileSet } from '../model/file-set';
import type { ObjectStore } from '../store/types';
import type { DataFile } from '../table/manifest';
import type { FieldDescription } from '../model/schema';
import { validateFileSet } from '../validate';

/**
 * Reads the new files back before anything is switched: every row group decoded and
 * digested by the validator (worker threads), each file against the digests in its own
 * footer, and their content together against `expected` — the digest of the rows they
 * replace. Throws when anything differs; returns the digest read back.
 */
export async function verifyWritten(store: ObjectStore, written: { file: DataFile; bucket: string; key: string }[], root: string, schema: FieldDescription[], expected: string, fileTimeoutMs: number): Promise<string> {
  const set: FileSet = {
    kind: 'table',
    label: 'compacted files',
    uri: root,
    hasManifest: true,
    schema,
    contentDigest: expected,
    files: written.map(({ file, bucket, key }) => ({
      relativeKey: file.key, bucket, key, size: file.bytes, etag: file.etag, kind: 'data' as const,
      rows: file.rows, rowGroups: file.rowGroups, digest: file.digest, columnDigests: file.columnDigests,
    })),
  };
  const report = await validateFileSet(store, set, { level: 'full', fileTimeoutMs });
  const problem = report.differences[0]?.message ?? report.fileErrors.map((e) => `${e.file}: ${e.error}`)[0];
  if (problem) throw new IntegrityError(`the new files do not read back as written (${problem}): nothing was switched`);
  const digest = report.subjects[0]?.contentDigest;
  if (digest !== expected) throw new IntegrityError(`the new files read back as content ${digest ?? '(unknown)'}, the rows they replace are ${expected}: nothing was switched`);
  return digest;
}
