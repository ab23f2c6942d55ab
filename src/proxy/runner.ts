// Upstream's BoundedFrequencyRunner, for an async sync function: runs on request but never
// more often than minIntervalMs (requests in between coalesce into one run), at least every
// maxIntervalMs (a periodic resync: the provider checks for changes made behind its back), and
// after a failure again with exponential backoff, without waiting for another event. Runs never
// overlap: a request during a run schedules one more run after it.

export type RunReason = 'requested' | 'periodic' | 'retry';

export interface SyncRunnerOptions {
  /** Minimum time between the starts of two runs. */
  minIntervalMs: number;
  /** Maximum time between runs; 0 disables periodic runs. */
  maxIntervalMs: number;
  /** First retry delay after a failure (default 100 ms), doubling per consecutive failure. */
  retryInitialMs?: number;
  /** Longest retry delay (default maxIntervalMs, or 30 s when that is 0). */
  retryMaxMs?: number;
  onError?: (err: unknown, consecutiveFailures: number) => void;
}

export class BoundedFrequencyRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private requested = false;
  private retryAt: number | undefined;
  private lastStart = -Infinity;
  private failures = 0;
  private stopped = true;
  private startedAt = 0;

  constructor(
    private readonly fn: (reason: RunReason) => Promise<void>,
    private readonly opts: SyncRunnerOptions,
  ) {}

  /** Starts the periodic and retry timers; runs happen only after run() or the max interval. */
  start(): void {
    this.stopped = false;
    this.startedAt = Date.now();
    this.schedule();
  }

  /** Asks for a run as soon as the minimum interval allows. */
  run(): void {
    this.requested = true;
    this.schedule();
  }

  /** Consecutive failed runs so far (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Stops timers and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped || this.running) return;
    const now = Date.now();
    const due: number[] = [];
    if (this.requested) due.push(Math.max(now, this.lastStart + this.opts.minIntervalMs));
    if (this.retryAt !== undefined) due.push(Math.max(this.retryAt, this.lastStart + this.opts.minIntervalMs));
    if (this.opts.maxIntervalMs > 0) due.push(Math.max(this.lastStart, this.startedAt) + this.opts.maxIntervalMs);
    if (due.length === 0) return;
    const at = Math.min(...due);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), Math.max(0, at - now));
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped || this.running) return;
    const now = Date.now();
    // The timer fired for the earliest due time; which one it was is told by the due times, not by
    // the clock (a timer may fire a millisecond before Date.now() reaches its due time).
    const periodicDue = this.opts.maxIntervalMs > 0 ? Math.max(this.lastStart, this.startedAt) + this.opts.maxIntervalMs : Infinity;
    const reason: RunReason = this.requested ? 'requested' : this.retryAt !== undefined && this.retryAt <= periodicDue ? 'retry' : 'periodic';
    this.requested = false;
    this.retryAt = undefined;
    this.lastStart = now;
    this.running = this.fn(reason).then(
      () => {
        this.failures = 0;
      },
      (err: unknown) => {
        this.failures++;
        const initial = this.opts.retryInitialMs ?? 100;
        const max = this.opts.retryMaxMs ?? (this.opts.maxIntervalMs || 30_000);
        this.retryAt = Date.now() + Math.min(max, initial * 2 ** (this.failures - 1));
        this.opts.onError?.(err, this.failures);
      },
    );
    void this.running.finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }
}
