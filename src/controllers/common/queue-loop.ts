// The worker loop every controller runs (client-go's processNextWorkItem): take a key, sync it,
// forget its backoff on success, re-queue it rate-limited on failure — for the endpoint
// controllers up to maxRetries times, as upstream's do, then drop it until the next event.
import type { WorkQueue } from '../../client/informer-types.js';
import { errorText, type Logger } from '../../util/log.js';
import { isConflict } from './errors.js';
import { StaleInformerCacheError } from './stale-cache.js';

/** Upstream's endpoint controllers give up after 15 retries (backoff then exceeds a minute). */
export const maxRetries = 15;

export interface QueueLoopOptions {
  queue: WorkQueue<string>;
  sync: (key: string) => Promise<void>;
  log: Logger;
  /** Drop a key after maxRetries failures (counted by the queue); without it, retries never stop. */
  giveUp?: boolean;
  isStopped: () => boolean;
  /** Log every failed sync at debug level (controllers whose transient failures are expected). */
  quietRetries?: boolean;
}

export function runQueueWorkers(workers: number, o: QueueLoopOptions): void {
  for (let i = 0; i < Math.max(1, workers); i++) void worker(o);
}

async function worker(o: QueueLoopOptions): Promise<void> {
  for (;;) {
    const key = await o.queue.get();
    if (key === undefined) return;
    try {
      await o.sync(key);
      o.queue.forget(key);
    } catch (e) {
      if (!o.isStopped()) {
        if (o.giveUp && (o.queue.numRequeues?.(key) ?? 0) >= maxRetries) {
          o.log.warn(`dropping ${key} after ${maxRetries} retries: ${errorText(e)}`);
          o.queue.forget(key);
        } else {
          // Conflicts and a cache behind our own last write are the normal cost of optimistic
          // concurrency; anything else is worth seeing.
          const msg = `sync ${key} failed, retrying: ${errorText(e)}`;
          if (isConflict(e) || e instanceof StaleInformerCacheError || o.quietRetries) o.log.debug(msg);
          else o.log.warn(msg);
          o.queue.addRateLimited(key);
        }
      }
    } finally {
      o.queue.done(key);
    }
  }
}
