// client-go's flowcontrol token bucket rate limiter: `burst` tokens at most, refilled at `qps` per
// second; each accepted call takes one. A qps of 0 or less accepts nothing (flowcontrol's
// NewFakeNeverRateLimiter, which the node lifecycle controller swaps in to stop evictions).

export class TokenBucket {
  private tokens: number;
  private atMs: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    nowMs: number = Date.now(),
  ) {
    this.tokens = burst;
    this.atMs = nowMs;
  }

  private refill(nowMs: number): void {
    if (this.qps > 0 && nowMs > this.atMs) this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.atMs) / 1000) * this.qps);
    this.atMs = Math.max(this.atMs, nowMs);
  }

  /** TryAccept: takes a token if one is there. */
  tryAccept(nowMs: number = Date.now()): boolean {
    if (this.qps <= 0) return false;
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a token is there (Infinity when the bucket never fills). */
  msUntilToken(nowMs: number = Date.now()): number {
    if (this.qps <= 0) return Infinity;
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.qps) * 1000);
  }
}
