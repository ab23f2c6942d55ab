// Periodic compaction, kine's default policy made configurable: every interval, forget history
// older than the newest `keepRevisions` revisions (kine: 1000 revisions every 5 minutes). Watch
// caches that fall further behind than that relist, as they do against etcd.
import type { Backend } from './backend.js';

export interface CompactorOptions {
  intervalMs: number;
  keepRevisions: number;
  /** Told about a failed round; the compactor keeps running. Default: ignore. */
  onError?(err: unknown): void;
}

export function startCompactor(backend: Backend, opts: CompactorOptions): { stop(): void } {
  let running = false;
  const round = async () => {
    // A slow round (large history) must not overlap the next one.
    if (running) return;
    running = true;
    try {
      const target = (await backend.currentRevision()) - opts.keepRevisions;
      if (target > (await backend.compactedRevision())) await backend.compact(target);
    } catch (err) {
      opts.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void round(), opts.intervalMs);
  // Compaction is housekeeping: it must never be what keeps the process alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
