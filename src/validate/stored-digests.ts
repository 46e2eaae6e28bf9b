import { isBagDigest } from '../digest/bag';
import { META_DIGEST, META_ROW_GROUP_DIGESTS } from '../parquet/encode';

/** The digests a lakevault writer put into a file's footer, when they are in the current format. */
export interface StoredDigests {
  digest?: string;
  rowGroups?: Record<string, string>[];
}

export function storedDigests(keyValueMetadata: Record<string, string>): StoredDigests {
  const out: StoredDigests = {};
  const digest = keyValueMetadata[META_DIGEST];
  if (isBagDigest(digest)) out.digest = digest;
  const rowGroups = keyValueMetadata[META_ROW_GROUP_DIGESTS];
  if (rowGroups) {
    try {
      const parsed = JSON.parse(rowGroups) as unknown;
      if (Array.isArray(parsed) && parsed.every((group) => group && typeof group === 'object' && Object.values(group).every((d) => isBagDigest(d as string)))) {
        out.rowGroups = parsed as Record<string, string>[];
      }
    } catch {
      // unreadable: treated as absent (and reported as such by the caller)
    }
  }
  return out;
}

/** ETags that are MD5s of the whole object can be compared across copies; multipart ones cannot. */
export function comparableEtags(a: string, b: string): boolean {
  const plain = (etag: string) => /^[0-9a-f]{32}$/i.test(etag);
  return plain(a) && plain(b);
}
