// In-process watch fan-out. Every commit hands its events to the hub, which gives each watcher
// the ones under its prefix in one batch. A watcher that starts in the past first replays the log
// from its revision up to the revision current when it was created, in pages, while live events
// for it wait in a buffer; the buffer is released once the replay reaches that revision. Replay
// and live events meet at one revision, so nothing is missed or delivered twice.
import { CompactedError, type Watch, type WatchEvent, type WatchOptions } from '../backend.js';
import { prefixEnd } from '../prefix.js';
import type { KeySpan } from './statements.js';

const REPLAY_PAGE = 1000;

export interface HistorySource {
  currentRevision(): number;
  compactedRevision(): number;
  /** Writes in span with after < revision ≤ upTo, oldest first, at most limit. */
  history(span: KeySpan, after: number, upTo: number, limit: number): WatchEvent[];
}

interface Watcher {
  prefix: string;
  span: KeySpan;
  opts: WatchOptions;
  /** Events with revision ≤ this have been delivered (or were before the start). */
  delivered: number;
  /** While replaying: the revision where replay hands over to live events. */
  replayUntil: number | undefined;
  buffered: WatchEvent[];
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  constructor(private readonly source: HistorySource) {}

  add(prefix: string, opts: WatchOptions): Watch {
    const current = this.source.currentRevision();
    const start = opts.afterRevision ?? current;
    const w: Watcher = {
      prefix,
      span: { from: prefix, to: prefixEnd(prefix) },
      opts,
      delivered: start,
      replayUntil: start < current ? current : undefined,
      buffered: [],
    };
    const handle: Watch = { cancel: () => this.watchers.delete(w) };
    const compacted = this.source.compactedRevision();
    if (start < compacted) {
      // Report asynchronously: the caller must hold the handle before any callback runs.
      setImmediate(() => opts.onError?.(new CompactedError(start, compacted)));
      return handle;
    }
    this.watchers.add(w);
    if (w.replayUntil !== undefined) setImmediate(() => this.replay(w));
    return handle;
  }

  /** Deliver one commit's events (revision order) to every watcher they concern. */
  publish(events: WatchEvent[]): void {
    for (const w of this.watchers) {
      const mine = events.filter((e) => e.revision > w.delivered && e.kv.key.startsWith(w.prefix));
      if (mine.length === 0) continue;
      if (w.replayUntil !== undefined) w.buffered.push(...mine);
      else this.deliver(w, mine);
    }
  }

  /** End every watch with `err` (backend closing). */
  endAll(err: Error): void {
    const all = [...this.watchers];
    this.watchers.clear();
    for (const w of all) w.opts.onError?.(err);
  }

  /** Watchers still replaying whose next event was compacted away end with CompactedError. */
  checkCompacted(): void {
    const compacted = this.source.compactedRevision();
    for (const w of this.watchers) {
      if (w.replayUntil !== undefined && w.delivered < compacted) this.fail(w, new CompactedError(w.delivered, compacted));
    }
  }

  private replay(w: Watcher): void {
    if (!this.watchers.has(w) || w.replayUntil === undefined) return;
    const compacted = this.source.compactedRevision();
    if (w.delivered < compacted) return this.fail(w, new CompactedError(w.delivered, compacted));
    const page = this.source.history(w.span, w.delivered, w.replayUntil, REPLAY_PAGE);
    const done = page.length < REPLAY_PAGE;
    if (page.length > 0 && !this.deliver(w, page)) return;
    if (!done) {
      setImmediate(() => this.replay(w));
      return;
    }
    w.delivered = w.replayUntil;
    w.replayUntil = undefined;
    const live = w.buffered;
    w.buffered = [];
    if (live.length > 0) this.deliver(w, live);
  }

  /** Returns false when the watcher is gone (cancelled inside the handler, or it threw). */
  private deliver(w: Watcher, events: WatchEvent[]): boolean {
    w.delivered = events[events.length - 1]!.revision;
    try {
      w.opts.onEvents(events);
    } catch (err) {
      // A handler that throws must not break the commit that is delivering to everyone else;
      // its watch ends and the handler learns why.
      this.fail(w, err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    return this.watchers.has(w);
  }

  private fail(w: Watcher, err: Error): void {
    if (!this.watchers.delete(w)) return;
    w.opts.onError?.(err);
  }
}
