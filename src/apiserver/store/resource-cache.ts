// The watch cache of one resource: the current objects, and a window of recent events from
// which watches resume. A watch asking for a resourceVersion older than the window gets
// 410 Gone ("too old resource version"), as upstream's cacher answers, and clients relist.
import type { CacheEvent } from './cached-object.js';
import { CachedObject } from './cached-object.js';

export type CacheListener = (events: readonly CacheEvent[]) => void;

export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  private sorted: string[] | undefined;
  private window: CacheEvent[] = [];
  private windowStart = 0;
  private readonly listeners = new Set<CacheListener>();
  /** Every event with revision > this is still in the window. */
  oldestResumable = 0;

  constructor(
    readonly prefix: string,
    private readonly capacity: number,
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
    const live = this.window.length - this.windowStart;
    if (live > this.capacity) {
      const drop = live - this.capacity;
      this.oldestResumable = this.window[this.windowStart + drop - 1]!.revision;
      this.windowStart += drop;
      // Compact the array now and then rather than shifting on every event.
      if (this.windowStart > this.capacity) {
        this.window = this.window.slice(this.windowStart);
        this.windowStart = 0;
      }
    }
    for (const l of this.listeners) l(events);
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
