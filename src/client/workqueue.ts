// client-go's rate-limited work queue. A key is queued at most once however often it is added
// (dirty set); a key being processed is never handed to a second worker: adding it meanwhile
// marks it dirty, and done() queues it again. Delayed adds wait in timers, keeping the earliest
// deadline per key, and failures back off per key.
import type { WorkQueue } from './informer-types.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';

export interface RateLimitedQueueOptions {
  /** First retry delay (client-go: 5 ms). */
  baseDelayMs?: number;
  /** Longest retry delay (client-go: 1000 s). */
  maxDelayMs?: number;
}

export class RateLimitedQueue<K = string> implements WorkQueue<K> {
  private queue: K[] = [];
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly getters: ((k: K | undefined) => void)[] = [];
  private readonly limiter: ItemExponentialRateLimiter<K>;
  private shuttingDown = false;

  constructor(opts: RateLimitedQueueOptions = {}) {
    this.limiter = new ItemExponentialRateLimiter<K>(opts.baseDelayMs ?? 5, opts.maxDelayMs ?? 1000 * 1000);
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  private push(key: K): void {
    const getter = this.getters.shift();
    if (getter) {
      // Hand it straight to a waiting worker.
      this.dirty.delete(key);
      this.processing.add(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const prev = this.waiting.get(key);
    // A key already waiting keeps whichever deadline comes first.
    if (prev) {
      if (prev.at <= at) return;
      clearTimeout(prev.timer);
    }
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    this.waiting.set(key, { at, timer });
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: K): void {
    this.limiter.forget(key);
  }

  /** How often the key has been re-queued by addRateLimited since its last forget(). */
  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  get(): Promise<K | undefined> {
    if (this.length > 0) {
      const key = this.queue[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    // As client-go: after shutDown, what was queued is still handed out, then undefined.
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    for (const g of this.getters.splice(0)) g(undefined);
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
