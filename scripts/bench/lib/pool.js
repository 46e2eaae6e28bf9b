// @ts-check
'use strict';
/**
 * The plain promise pool: `concurrency` lanes pulling from one shared iterator.
 * @template T
 * @param {Iterable<T>} items @param {number} concurrency @param {(item: T) => Promise<void>} work
 */
async function pool(items, concurrency, work) {
  const iterator = items[Symbol.iterator]();
  const lane = async () => {
    for (let step = iterator.next(); !step.done; step = iterator.next()) await work(step.value);
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

module.exports = { pool };
