/**
 * The one concurrency helper: a fixed number of slots working through a list. Each slot takes the
 * next item when its previous one is done, so items start in input order and at most `limit` run at
 * once. (p-limit would queue every item up front; the callers here also need to stop taking items
 * after a failure or an interrupt, and rollout-restart pauses a slot between two of its items.)
 */

export interface PoolOptions {
  /** At most this many items at once (at least one slot runs). */
  limit: number;
  /** Checked before a slot takes an item: true takes no more (items not taken are never started). */
  stop?: () => boolean;
  /** Awaited before a slot takes its second and later items, e.g. a pause between two rollouts. */
  between?: () => Promise<void>;
}

/**
 * Runs fn over items. When fn rejects, no further item is taken; the call rejects with the first
 * error once the items already running have settled.
 */
export async function forEachLimit<T>(items: readonly T[], options: PoolOptions, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const halted = (): boolean => failed !== undefined || options.stop?.() === true;
  const slot = async (): Promise<void> => {
    for (let first = true; !halted() && next < items.length; first = false) {
      if (!first && options.between !== undefined) {
        await options.between();
        if (halted() || next >= items.length) break;
      }
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.limit, items.length)) }, slot));
  if (failed) throw failed.error;
}

/** forEachLimit that collects fn's results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  await forEachLimit(items, { limit }, async (item, i) => {
    results[i] = await fn(item, i);
  });
  return results;
}
