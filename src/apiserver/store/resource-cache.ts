// The watch cache of one resource: the current objects, and a window of recent events from
// which watches resume. A watch asking for a resourceVersion older than the window gets
// 410 Gone ("too old resource version"), as upstream's cacher answers, and clients relist.
// The window holds what upstream's watch cache holds: at least the last `minWindow` events, the
// rest only while they are younger than `freshMs` (upstream's eventFreshDuration, 75 s), never
// more than `capacity`. Counting alone let a few rounds of churn keep tens of thousands of dead
// objects' events (and their JSON) alive, ~50 MiB per 2,500 Services created and deleted.
import type { CacheEvent } from './cached-object.js';
import { CachedObject } from './cached-object.js';

export type CacheListener = (events: readonly CacheEvent[]) => void;

/** Upstream's eventFreshDuration: events younger than this stay resumable. */
export const eventFreshMs = 75_000;
/** Upstream's lowerBoundCapacity: this many recent events stay, however old. */
export const minWindow = 100;

export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  private sorted: string[] | undefined;
  private window: CacheEvent[] = [];
  /** When each event of the window arrived (ms, the clock below). */
  private arrived: number[] = [];
  private windowStart = 0;
  private readonly listeners = new Set<CacheListener>();
  /** Every event with revision > this is still in the window. */
  oldestResumable = 0;

  constructor(
    readonly prefix: string,
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
    private readonly freshMs = eventFreshMs,
  ) {}

  /** Loads the initial state read at `revision`. */
  load(objects: CachedObject[], revision: number): void {
    for (const o of objects) this.objects.set(o.key, o);
    this.sorted = undefined;
    this.oldestResumable = revision;
  }

  apply(events: CacheEvent[]): void {
    for (const ev of events) {
      if (ev.type === 'DELETED') this.objects.delete(ev.object.key);
      else {
        if (!this.objects.has(ev.object.key)) this.sorted = undefined;
        this.objects.set(ev.object.key, ev.object);
      }
      if (ev.type === 'DELETED') this.sorted = undefined;
      this.window.push(ev);
    }
    const at = this.now();
    for (let i = 0; i < events.length; i++) this.arrived.push(at);
    this.trim(at);
    for (const l of this.listeners) l(events);
  }

  /** Drops events past the capacity, and those older than freshMs beyond the last minWindow; returns how many. */
  trim(now = this.now()): number {
    const live = this.window.length - this.windowStart;
    let drop = Math.max(0, live - this.capacity);
    while (live - drop > minWindow && this.arrived[this.windowStart + drop]! < now - this.freshMs) drop++;
    if (drop === 0) return 0;
    this.oldestResumable = this.window[this.windowStart + drop - 1]!.revision;
    this.windowStart += drop;
    // Compact the arrays now and then rather than shifting on every event.
    if (this.windowStart > minWindow && this.windowStart * 2 > this.window.length) {
      this.window = this.window.slice(this.windowStart);
      this.arrived = this.arrived.slice(this.windowStart);
      this.windowStart = 0;
    }
    return drop;
  }

  /** Events in the window (tests and diagnostics). */
  get windowSize(): number {
    return this.window.length - this.windowStart;
  }

  /** Keys in storage order (namespace/name), as upstream lists. */
  sortedKeys(): string[] {
    this.sorted ??= [...this.objects.keys()].sort();
    return this.sorted;
  }

  /** Events after `revision`, or undefined when the window no longer reaches back that far. */
  eventsSince(revision: number): CacheEvent[] | undefined {
    if (revision < this.oldestResumable) return undefined;
    const out: CacheEvent[] = [];
    // Binary search would be faster; the window is bounded and resumes are rare.
    for (let i = this.window.length - 1; i >= this.windowStart; i--) {
      const ev = this.window[i]!;
      if (ev.revision <= revision) break;
      out.push(ev);
    }
    return out.reverse();
  }

  subscribe(l: CacheListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get watcherCount(): number {
    return this.listeners.size;
  }
}
