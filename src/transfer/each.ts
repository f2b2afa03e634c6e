// Bounded parallelism for per-object work of the engines: at most `limit` at once (the transfer
// layer sits below sync, so it uses the pipeline's semaphore rather than sync's helper).
import { Limiter } from '../pipeline/driver/limiter.js';

export async function forEachAtMost<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const limiter = new Limiter(Math.max(1, limit));
  const results = await Promise.allSettled(items.map((item) => limiter.run(() => fn(item))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
