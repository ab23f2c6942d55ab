// client-go's ItemExponentialFailureRateLimiter: each failure of an item doubles its delay,
// from `base` up to `max`; forget() resets the item.

export class ItemExponentialRateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1000 * 1000,
  ) {}

  /** The delay before the item's next try, counting this failure. */
  when(item: K): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    // 2^n overflows to Infinity long after the cap; Math.min keeps the cap.
    return Math.min(this.baseMs * 2 ** n, this.maxMs);
  }

  numRequeues(item: K): number {
    return this.failures.get(item) ?? 0;
  }

  forget(item: K): void {
    this.failures.delete(item);
  }
}
