// The loop every controller runs: workers take a key off the work queue, run sync(key), forget the
// key's backoff on success and re-queue it rate-limited on failure (client-go's processNextWorkItem).
import type { WorkQueue } from '../../client/informer-types.js';
import { RateLimitedQueue } from '../../client/workqueue.js';
import { errorText, logger, type Logger } from '../../util/log.js';
import { isConflict } from './errors.js';

export abstract class QueueWorker {
  readonly queue: WorkQueue<string>;
  protected readonly log: Logger;
  private stopped = false;

  constructor(readonly name: string, queue?: WorkQueue<string>) {
    this.queue = queue ?? new RateLimitedQueue<string>();
    this.log = logger(name);
  }

  /** Level-triggered: reads the caches, compares desired with actual, writes the difference. */
  abstract sync(key: string): Promise<void>;

  /** Starts `workers` loops; they stop when the queue shuts down. */
  protected runWorkers(workers: number): void {
    for (let i = 0; i < Math.max(1, workers); i++) void this.worker();
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (e) {
        if (!this.stopped) {
          // Conflicts are the normal cost of optimistic concurrency; anything else is worth seeing.
          const msg = `sync ${key} failed, retrying: ${errorText(e)}`;
          if (isConflict(e)) this.log.debug(msg);
          else this.log.warn(msg);
          this.queue.addRateLimited(key);
        }
      } finally {
        this.queue.done(key);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  protected get isStopped(): boolean {
    return this.stopped;
  }
}
