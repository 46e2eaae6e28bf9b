/**
 * A module loaded on its first use instead of at start-up.
 *
 * Why: every `lakevault` run is a fresh process, and loading Arrow, zod and the table,
 * snapshot, validation and audit code costs about 0.3 s of CPU before the first request —
 * more than a `copy` of 1,000 objects spends on its own requests (docs/BENCHMARKS.md).
 * A command pays only for the capabilities it calls.
 *
 *   const tables = lazyModule((): typeof import('./tables') => require('./tables'));
 *   tables().TableApi
 */
export function lazyModule<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}
