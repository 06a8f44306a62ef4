/**
 * Runs `task` for every item with at most `limit` in flight at once: a subscription of a
 * thousand accounts, or a reconcile call's 500 answers, is that many Durable Object calls,
 * which should not all open together. Node loads this file too (the simulator).
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
