// The reflector's backoff, as client-go's default backoff manager: 800 ms doubling to 30 s,
// with jitter so that many informers failing together do not retry together.

export class Backoff {
  private current = 0;

  constructor(
    private readonly initialMs = 800,
    private readonly maxMs = 30_000,
    private readonly jitter = 1.0,
  ) {}

  /** The delay before the next attempt; each call doubles it. */
  next(): number {
    this.current = this.current === 0 ? this.initialMs : Math.min(this.current * 2, this.maxMs);
    return Math.round(this.current * (1 + Math.random() * this.jitter));
  }

  reset(): void {
    this.current = 0;
  }
}
