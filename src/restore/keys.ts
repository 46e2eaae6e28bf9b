/**
 * The key a restored file gets when it replaces a live table: the snapshot's generation
 * id in the name swapped for the new one (data/part-00000-<old>.parquet →
 * data/part-00000-<new>.parquet), or the new id added before the extension when the name
 * does not carry it. New keys never collide with the files the current manifest lists.
 */
export function generationKey(relativeKey: string, oldGeneration: string, newGeneration: string): string {
  if (oldGeneration && relativeKey.includes(oldGeneration)) return relativeKey.split(oldGeneration).join(newGeneration);
  const slash = relativeKey.lastIndexOf('/');
  const dot = relativeKey.lastIndexOf('.');
  return dot > slash + 1
    ? `${relativeKey.slice(0, dot)}-${newGeneration}${relativeKey.slice(dot)}`
    : `${relativeKey}-${newGeneration}`;
}
