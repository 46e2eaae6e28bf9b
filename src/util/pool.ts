/**
 * Runs `work` over items with at most `concurrency` in flight. Items may be an async
 * iterable (a listing), which is consumed lazily: never more than `concurrency` items
 * are held. A lane starts only for an item already pulled, so a large concurrency over
 * few items costs no more than those items. The first failure stops new work and is
 * rethrown after in-flight work settles.
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

  // Pulls from the iterator one at a time (async iterators must not be called
  // concurrently); undefined when it is done or has failed (recorded in `failure`).
  const next = (): Promise<{ item: T; index: number } | undefined> => {
    const result = pulling.then(() => iterator.next()).then(
      (step) => (step.done ? undefined : { item: step.value, index: index++ }),
      (error: unknown) => { failure ??= { error }; return undefined; },
    );
    pulling = result;
    return result;
  };

  const lane = async (first: { item: T; index: number }): Promise<void> => {
    let current: { item: T; index: number } | undefined = first;
    while (current && !failure) {
      try {
        await work(current.item, current.index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      if (failure) return;
      current = await next();
    }
  };

  // Anything but a whole number ≥ 1 (0, NaN) still makes progress, one item at a time.
  const width = concurrency >= 1 ? Math.floor(concurrency) : 1;
  const lanes: Promise<void>[] = [];
  while (lanes.length < width && !failure) {
    const first = await next();
    if (!first) break;
    lanes.push(lane(first));
  }
  await Promise.all(lanes);
  if (failure) {
    await iterator.return?.();
    throw failure.error;
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}
