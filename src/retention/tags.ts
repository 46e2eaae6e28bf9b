import { UsageError } from '../errors';

/**
 * Snapshot tags, as restic has them: free words a backup is created with
 * (`backup create --tag`), which `--keep-tag` rules match. Pure.
 */

/** restic's tag list syntax: `a,b` → ['a', 'b'], spaces around each tag removed. */
export function splitTagList(text: string): string[] {
  return text.split(',').map((tag) => tag.trim());
}

/**
 * The tags a snapshot is created with, from any number of tag lists (`--tag a,b --tag c`):
 * empty entries dropped (as restic does), duplicates dropped, order kept. A tag with a
 * comma could never be named by `--keep-tag`, and control characters have no place in
 * a label: both are refused.
 */
export function snapshotTags(lists: readonly string[], what = '--tag'): string[] {
  if (!Array.isArray(lists) || !lists.every((list) => typeof list === 'string')) throw new UsageError(`${what}: tags are a list of strings, e.g. ["weekly", "legal"]`);
  const tags: string[] = [];
  for (const tag of lists.flatMap(splitTagList)) {
    if (tag === '' || tags.includes(tag)) continue;
    checkTag(tag, what);
    tags.push(tag);
  }
  return tags;
}

export function checkTag(tag: string, what: string): void {
  if (tag.includes(',')) throw new UsageError(`${what} "${tag}": a tag cannot contain a comma (commas separate tags)`);
  // eslint-disable-next-line no-control-regex -- control characters are what it looks for
  if (/[\u0000-\u001f\u007f]/.test(tag)) throw new UsageError(`${what} ${JSON.stringify(tag)}: a tag cannot contain control characters`);
}

/**
 * restic's match of one `--keep-tag` list: the snapshot carries every tag of the list.
 * The empty tag matches a snapshot without tags (`--keep-tag ''` keeps untagged ones).
 */
export function hasTags(snapshotTags: readonly string[], list: readonly string[]): boolean {
  for (const tag of list) {
    if (tag === '' && snapshotTags.length === 0) return true;
    if (!snapshotTags.includes(tag)) return false;
  }
  return true;
}
