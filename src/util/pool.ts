/**
 * Runs `work` over items with at most `concurrency` in flight. Items may be an async
 * iterable (a listing), which is consumed lazily: never more than `concurrency` items
 * are held. The first failure stops new work and is rethrown after in-flight work settles.
 */
export async function runPool<T>(
  items: Iterable<T> | AsyncIterable<T>,
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const iterator = Symbol.asyncIterator in (items as object)
    ? (items as AsyncIterable<T>)[Symbol.asyncIterator]()
    : toAsync((items as Iterable<T>)[Symbol.iterator]());
  let failure: { error: unknown } | undefined;
  let index = 0;
  let pulling: Promise<unknown> = Promise.resolve();

  // Pulls from the iterator one at a time: async iterators must not be called concurrently.
  const next = (): Promise<IteratorResult<T>> => {
    const result = pulling.then(() => iterator.next());
    pulling = result.catch(() => undefined);
    return result;
  };

  const lane = async (): Promise<void> => {
    while (!failure) {
      let step: IteratorResult<T>;
      try {
        step = await next();
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (step.done) return;
      const current = index++;
      try {
        await work(step.value, current);
      } catch (error) {
        failure ??= { error };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  if (failure) {
    await iterator.return?.();
    throw failure.error;
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}
