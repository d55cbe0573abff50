/**
 * Runs `fn` over `items` as the engine does: at most `parallel` at a time, each worker taking the
 * next item as soon as it is done (0 = all at once, the CLI's unbounded default).
 */
export async function inParallel<T, R>(
  items: T[],
  parallel: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  if (!parallel) return Promise.all(items.map(fn));
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const k = next++;
      out[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return out;
}
