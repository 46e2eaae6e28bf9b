/** A generation id inside a file name (newId(): UTC timestamp + suffix). */
const GENERATION_ID = /\d{8}T\d{6}(?:\.\d{3})?Z-[0-9a-f]{6}/;

/**
 * The key a restored file gets when it replaces a live table: the generation id in its
 * name (data/part-00000-<old>.parquet → data/part-00000-<new>.parquet; the snapshot's own
 * generation, or any earlier one a previous restore kept), or the new id added before the
 * extension when the name carries none. New keys never collide with the files the current
 * manifest lists, and repeated restores do not make names grow.
 */
export function generationKey(relativeKey: string, oldGeneration: string, newGeneration: string): string {
  if (oldGeneration && relativeKey.includes(oldGeneration)) return relativeKey.split(oldGeneration).join(newGeneration);
  const slash = relativeKey.lastIndexOf('/');
  const name = relativeKey.slice(slash + 1);
  if (GENERATION_ID.test(name)) return relativeKey.slice(0, slash + 1) + name.replace(new RegExp(GENERATION_ID.source, 'g'), newGeneration);
  const dot = relativeKey.lastIndexOf('.');
  return dot > slash + 1
    ? `${relativeKey.slice(0, dot)}-${newGeneration}${relativeKey.slice(dot)}`
    : `${relativeKey}-${newGeneration}`;
}
