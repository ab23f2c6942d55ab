// One watch on the whole registry keyspace feeds a cache per resource. Because every write in
// the store produces exactly one event here, the cache's revision follows the store's global
// revision, so "wait until the cache has seen revision R" gives consistent reads from memory.
import type { Backend, Watch, WatchEvent } from '../../storage/backend.js';
import { CachedObject, type CacheEvent } from './cached-object.js';
import { ResourceCache } from './resource-cache.js';
import { logger } from '../../util/log.js';

const log = logger('apiserver');

export class WatchCache {
  private readonly caches: ResourceCache[] = [];
  private watch: Watch | undefined;
  private waiters: { revision: number; resolve: () => void }[] = [];
  revision = 0;
  private failed: Error | undefined;
  private started = false;
  /** Caches added after start, still reading their initial state: events for them wait here. */
  private readonly loading = new Map<ResourceCache, { events: CacheEvent[]; done: Promise<void> }>();

  constructor(
    private readonly backend: Backend,
    private readonly root: string,
    prefixes: string[] = [],
    private readonly capacity = 50_000,
  ) {
    for (const p of prefixes) this.caches.push(new ResourceCache(p, capacity));
  }

  get(prefix: string): ResourceCache {
    const c = this.caches.find((c) => c.prefix === prefix);
    if (!c) throw new Error(`no cache for ${prefix}`);
    return c;
  }

  /**
   * Caches a new prefix (a resource served from now on). Once started, its objects are read at
   * the revision the cache has reached, and the events after it that arrive meanwhile are applied
   * on top; reads wait for that (sync) so they never see a half-loaded cache.
   */
  add(prefix: string): ResourceCache {
    const existing = this.caches.find((c) => c.prefix === prefix);
    if (existing) return existing;
    const cache = new ResourceCache(prefix, this.capacity);
    this.caches.push(cache);
    if (!this.started) return cache;
    const at = this.revision;
    const pending: CacheEvent[] = [];
    const done = (async () => {
      try {
        const res = await this.backend.range(prefix, { revision: at });
        cache.load(res.kvs.map((kv) => CachedObject.fromKeyValue(kv)), at);
      } catch (e) {
        log.error(`loading the cache of ${prefix}`, e);
      } finally {
        this.loading.delete(cache);
        cache.apply(pending.filter((ev) => ev.revision > at));
      }
    })();
    this.loading.set(cache, { events: pending, done });
    return cache;
  }

  /** Stops caching a prefix (a resource no longer served). */
  remove(prefix: string): void {
    const i = this.caches.findIndex((c) => c.prefix === prefix);
    if (i < 0) return;
    const [cache] = this.caches.splice(i, 1);
    this.loading.delete(cache!);
  }

  private cacheFor(key: string): ResourceCache | undefined {
    for (const c of this.caches) if (key.startsWith(c.prefix)) return c;
    return undefined;
  }

  async start(): Promise<void> {
    const res = await this.backend.range(this.root);
    const byCache = new Map<ResourceCache, CachedObject[]>();
    for (const kv of res.kvs) {
      const c = this.cacheFor(kv.key);
      if (!c) continue;
      let list = byCache.get(c);
      if (!list) byCache.set(c, (list = []));
      list.push(CachedObject.fromKeyValue(kv));
    }
    for (const c of this.caches) c.load(byCache.get(c) ?? [], res.revision);
    this.revision = res.revision;
    this.started = true;
    this.watch = this.backend.watch(this.root, {
      afterRevision: res.revision,
      onEvents: (evs) => this.onEvents(evs),
      onError: (err) => {
        this.failed = err;
        log.error('the storage watch ended; the API server can no longer serve watches', err);
      },
    });
  }

  private onEvents(evs: WatchEvent[]): void {
    const grouped = new Map<ResourceCache, CacheEvent[]>();
    for (const ev of evs) {
      const c = this.cacheFor(ev.kv.key);
      if (c) {
        let ce: CacheEvent;
        if (ev.type === 'delete') {
          const prev = c.objects.get(ev.kv.key) ?? (ev.prevKv ? CachedObject.fromKeyValue(ev.prevKv) : undefined);
          if (!prev) continue;
          ce = { type: 'DELETED', object: prev.withRevision(ev.revision), prev, revision: ev.revision };
        } else {
          const prev = c.objects.get(ev.kv.key);
          const object = CachedObject.fromKeyValue(ev.kv);
          ce = prev
            ? { type: 'MODIFIED', object, prev, revision: ev.revision }
            : { type: 'ADDED', object, revision: ev.revision };
        }
        let list = grouped.get(c);
        if (!list) grouped.set(c, (list = []));
        list.push(ce);
      }
      if (ev.revision > this.revision) this.revision = ev.revision;
    }
    for (const [c, list] of grouped) {
      const loading = this.loading.get(c);
      if (loading) loading.events.push(...list);
      else c.apply(list);
    }
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.revision <= this.revision);
      this.waiters = this.waiters.filter((w) => w.revision > this.revision);
      for (const w of ready) w.resolve();
    }
  }

  /** Resolves once the cache has applied every write up to `revision`. */
  waitFor(revision: number, timeoutMs = 3000): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (revision <= this.revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`the watch cache did not reach revision ${revision} in ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        revision,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits until the cache reflects every write acknowledged so far. */
  async sync(): Promise<number> {
    if (this.loading.size) await Promise.all([...this.loading.values()].map((l) => l.done));
    const rev = await this.backend.currentRevision();
    await this.waitFor(rev);
    return Math.max(rev, this.revision);
  }

  stop(): void {
    this.watch?.cancel();
    this.watch = undefined;
  }
}
