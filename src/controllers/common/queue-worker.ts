// The one controller runtime every controller and the scheduler run on (client-go's
// processNextWorkItem with a rate-limited work queue): informer handlers only enqueue keys; once
// the caches a controller reads have synced, workers take a key, run sync(key), forget its
// backoff on success and re-queue it rate-limited on failure — for controllers that give up
// (upstream's endpoint controllers) at most maxRetries times, then the key waits for its next event.
import type { WorkQueue } from '../../client/informer-types.js';
import { RateLimitedQueue } from '../../client/workqueue.js';
import { errorText, logger, type Logger } from '../../util/log.js';
import { isConflict } from './errors.js';
import { StaleInformerCacheError } from './stale-cache.js';

/** Upstream's endpoint controllers give up after 15 retries (backoff then exceeds a minute). */
export const maxRetries = 15;

export interface QueueWorkerOptions {
  queue?: WorkQueue<string> | undefined;
  /** Drop a key after maxRetries failures (counted by the queue); without it, retries never stop. */
  giveUp?: boolean;
  /** Where the worker logs (tests); default: a logger named after the controller. */
  log?: Logger;
}

/** What a controller manager starts and stops. */
export interface Runnable {
  run(workers: number): void;
  stop(): void;
}

export abstract class QueueWorker implements Runnable {
  readonly queue: WorkQueue<string>;
  protected readonly log: Logger;
  private readonly giveUp: boolean;
  private stopped = false;

  constructor(
    readonly name: string,
    queue?: WorkQueue<string> | QueueWorkerOptions,
  ) {
    const o: QueueWorkerOptions = queue && 'get' in queue ? { queue } : (queue ?? {});
    this.queue = o.queue ?? new RateLimitedQueue<string>();
    this.log = o.log ?? logger(name);
    this.giveUp = o.giveUp ?? false;
  }

  /** Level-triggered: reads the caches, compares desired with actual, writes the difference. */
  abstract sync(key: string): Promise<void>;

  /** The caches sync reads that a manager's waitForSync does not cover (informers of their own). */
  protected cachesToSync(): { synced(): Promise<void> }[] {
    return [];
  }

  /** Runs once the caches have synced, before the first worker (e.g. to rebuild state from them). */
  protected beforeWorkers(): void {}

  /** Starts `workers` loops once the caches have synced; they end when the queue shuts down. */
  run(workers: number): void {
    void Promise.all(this.cachesToSync().map((c) => c.synced())).then(() => {
      if (this.stopped) return;
      this.beforeWorkers();
      for (let i = 0; i < Math.max(1, workers); i++) void this.worker();
    });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  protected get isStopped(): boolean {
    return this.stopped;
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (e) {
        if (!this.stopped) this.retry(key, e);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private retry(key: string, e: unknown): void {
    if (this.giveUp && (this.queue.numRequeues?.(key) ?? 0) >= maxRetries) {
      this.log.warn(`dropping ${key} after ${maxRetries} retries: ${errorText(e)}`);
      this.queue.forget(key);
      return;
    }
    // Conflicts and a cache behind our own last write are the normal cost of optimistic
    // concurrency; anything else is worth seeing.
    const msg = `sync ${key} failed, retrying: ${errorText(e)}`;
    if (isConflict(e) || e instanceof StaleInformerCacheError) this.log.debug(msg);
    else this.log.warn(msg);
    this.queue.addRateLimited(key);
  }
}
