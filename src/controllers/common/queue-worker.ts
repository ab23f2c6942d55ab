// The loop every controller runs: workers take a key off the work queue, run sync(key), forget the
// key's backoff on success and re-queue it rate-limited on failure (client-go's processNextWorkItem).
import type { WorkQueue } from '../../client/informer-types.js';
import { RateLimitedQueue } from '../../client/workqueue.js';
import { logger, type Logger } from '../../util/log.js';
import { runQueueWorkers } from './queue-loop.js';

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
    runQueueWorkers(workers, { queue: this.queue, sync: (k) => this.sync(k), log: this.log, isStopped: () => this.stopped });
  }

  stop(): void {
    this.stopped = true;
    this.queue.shutDown();
  }

  protected get isStopped(): boolean {
    return this.stopped;
  }
}
