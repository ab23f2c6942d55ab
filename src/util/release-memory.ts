// Giving memory back after a crowd of connections leaves. V8 collects garbage only when something
// allocates, so an idle server keeps the heap (and the native TLS state its dead sockets' wrappers
// still hold) at its high-water mark indefinitely: after 10,000 connections came and went, RSS
// stayed ~2.5x its resting size. Full collections once things are quiet free all of it; glibc then
// still holds the freed TLS sessions' pages until malloc_trim releases them (bench/README.md,
// "Connection soak": with 1,000 watches, +47..54 % over rest without the trim).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mallocTrim } from './malloc-trim.js';
import { logger } from './log.js';

const log = logger('memory');

/**
 * The second collection's delay. A full GC sweeps concurrently, and only the next one gives back
 * the old-space pages that sweeping emptied. V8 also shrinks the young generation (up to 32 MiB
 * after a crowd) only at a GC that finds allocation slow over the last ~5 s, so the second GC
 * comes after that long a quiet spell. By then the native state of the dead sockets (freed from
 * their wrappers' weak callbacks) is free too, and the trim after it finds the most to return.
 */
const SECOND_GC_DELAY_MS = 6_000;
/**
 * malloc_trim walks every arena: 3-13 ms at 100-300 MiB RSS with nothing to release, plus ~1 ms
 * per MiB it releases (3-5x that on a loaded machine; bench/README.md). Never more often than
 * this, which bounds the walk to a fraction of a percent of a core however often crowds come and
 * go, while a crowd that leaves just after another (idle sockets timing out, then the watches)
 * still gets its trim within seconds rather than a minute later.
 */
export const MIN_TRIM_INTERVAL_MS = 15_000;

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
 * Runs `trim` now, or once at the end of the interval if one ran less than `minIntervalMs` ago:
 * every request is served (a crowd that left is always followed by a trim), but never more often
 * than the interval however often crowds come and go.
 */
export class RateLimitedTrim {
  private last = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly minIntervalMs: number,
    private readonly trim: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  request(): void {
    if (this.timer) return;
    const wait = this.last + this.minIntervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, wait);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.last = this.now();
    this.trim();
  }
}

const mib = (n: number) => (n / 1048576).toFixed(0);

const trimmer = new RateLimitedTrim(MIN_TRIM_INTERVAL_MS, () => {
  const before = process.memoryUsage.rss();
  const t0 = performance.now();
  mallocTrim()?.then(
    (released) =>
      log.debug(`malloc_trim: RSS ${mib(before)} -> ${mib(process.memoryUsage.rss())} MiB in ${(performance.now() - t0).toFixed(1)} ms${released ? '' : ' (nothing to release)'}`),
    (err: unknown) => log.debug(`malloc_trim failed: ${err instanceof Error ? err.message : String(err)}`),
  );
});

/**
 * What a crowd's departure calls: a full collection now, another a moment later, then the C
 * heap's free pages back to the kernel (where the malloc_trim addon was built).
 */
export function releaseMemory(): void {
  collectGarbage();
  const t = setTimeout(() => {
    const young = () => mib(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0);
    const before = young();
    collectGarbage();
    log.debug(`after a crowd: young generation ${before} -> ${young()} MiB, heap ${mib(process.memoryUsage().heapTotal)} MiB`);
    trimmer.request();
  }, SECOND_GC_DELAY_MS);
  t.unref();
}

/**
 * Watches a count (open connections) and collects once when it has fallen by at least `drop` from
 * its peak and stayed down for `quietMs`: one release after each crowd, never on the hot path and
 * never more often than `quietMs`.
 */
export class ReleaseAfterDrop {
  private peak = 0;
  private current = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly drop: number,
    private readonly quietMs: number,
    private readonly release: () => void = releaseMemory,
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
