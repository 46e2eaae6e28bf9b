import type { ObjectStore } from '../store/types';

/**
 * The names of the "folders" directly under a prefix (table names under a repository,
 * snapshot ids under a table). Uses a delimiter listing; when that yields nothing, falls
 * back to a plain listing, because the embedded server (s3rver's filesystem store) never
 * reports common prefixes more than one level deep. On real servers an empty delimiter
 * listing means an empty prefix, and the fallback costs one empty request.
 */
export async function childNames(store: ObjectStore, bucket: string, prefix: string): Promise<string[]> {
  const names = new Set<string>();
  for await (const common of store.listCommonPrefixes(bucket, prefix)) names.add(common.slice(prefix.length).replace(/\/$/, ''));
  if (names.size === 0) {
    for await (const object of store.list(bucket, prefix)) {
      const rest = object.key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0) names.add(rest.slice(0, slash));
    }
  }
  return [...names].sort();
}
