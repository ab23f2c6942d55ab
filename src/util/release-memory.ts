// Giving memory back after a crowd of connections leaves. V8 collects garbage only when something
// allocates, so an idle server keeps the heap (and the native TLS state its dead sockets' wrappers
// still hold) at its high-water mark indefinitely: after 10,000 connections came and went, RSS
// stayed ~2.5x its resting size. One full collection once things are quiet returns most of it.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | undefined | null;

/** A full garbage collection, or nothing where the runtime will not expose one. */
export function collectGarbage(): void {
  if (gc === undefined) {
    try {
      // Exposing gc after start-up is what --expose-gc does at start; a fresh context picks it up.
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}

/**
 * Watches a count (open connections) and collects once when it has fallen by at least `drop` from
 * its peak and stayed down for `quietMs`: a single full collection after each crowd, never on the
 * hot path and never more often than `quietMs`.
 */
export class ReleaseAfterDrop {
  private peak = 0;
  private current = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly drop: number,
    private readonly quietMs: number,
    private readonly release: () => void = collectGarbage,
  ) {}

  /** Call whenever the count changes. */
  update(count: number): void {
    this.current = count;
    if (count > this.peak) {
      this.peak = count;
      // Still growing: whatever was scheduled would collect in the middle of the crowd.
      clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    if (this.timer || this.peak - count < this.drop) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.peak = this.current;
      this.release();
    }, this.quietMs);
    // Never the reason the process stays up.
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
