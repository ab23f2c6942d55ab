// One watch on the whole keyspace feeds a cache per resource of the registry keyspace. Because
// every write in the store produces exactly one event here, the cache's revision follows the
// store's global revision, so "wait until the cache has seen revision R" gives consistent reads
// from memory.
import type { Backend, Watch, WatchEvent } from '../../storage/backend.js';
import { CachedObject, type CacheEvent } from './cached-object.js';
import { ResourceCache } from './resource-cache.js';
import { logger } from '../../util/log.js';
import { releaseMemory } from '../../util/release-memory.js';

const log = logger('apiserver');

/** Events leaving the window in one quiet trim that make it worth a full collection. */
const releaseAfterDropped = 5_000;

export class WatchCache {
  private readonly caches: ResourceCache[] = [];
  private watch: Watch | undefined;
  private waiters: { revision: number; resolve: () => void }[] = [];
  revision = 0;
  private failed: Error | undefined;
  private started = false;
  private stopped = false;
  /** Set while the cache re-reads storage after its watch ended; reads wait for it. */
  private recovering: Promise<void> | undefined;
  /** Caches added after start, still reading their initial state: events for them wait here. */
  private readonly loading = new Map<ResourceCache, { events: CacheEvent[]; done: Promise<void> }>();

  /** Drops events past their freshness from resources that have had no event since. */
  private trimTimer: NodeJS.Timeout | undefined;

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
    const { revision, byCache } = await this.readAll();
    for (const c of this.caches) c.load(byCache.get(c) ?? [], revision);
    this.revision = revision;
    this.started = true;
    this.watchFrom(revision);
    // A resource trims its window when events arrive; one that went quiet after a burst would
    // otherwise keep the burst's events (and objects) until its next event.
    this.trimTimer = setInterval(() => {
      let dropped = 0;
      for (const c of this.caches) dropped += c.trim();
      // A burst just left the window: its objects are garbage now, but V8 collects only when
      // something allocates, and a quiet server would keep them (hundreds of MiB after 10,000
      // Services came and went) until then. The same release as after a crowd of connections.
      if (dropped >= releaseAfterDropped) releaseMemory();
    }, 15_000);
    this.trimTimer.unref();
  }

  private async readAll(): Promise<{ revision: number; byCache: Map<ResourceCache, CachedObject[]> }> {
    const res = await this.backend.range(this.root);
    const byCache = new Map<ResourceCache, CachedObject[]>();
    for (const kv of res.kvs) {
      const c = this.cacheFor(kv.key);
      if (!c) continue;
      let list = byCache.get(c);
      if (!list) byCache.set(c, (list = []));
      list.push(CachedObject.fromKeyValue(kv));
    }
    return { revision: res.revision, byCache };
  }

  /**
   * The watch covers every key, not only the cached root: "wait until the cache has seen the
   * store's current revision" must hold even when something writes outside the root (another
   * kubesvc server keeping its join data in the same etcd), or every consistent read would wait
   * for a revision this watch never delivers.
   */
  private watchFrom(revision: number): void {
    this.watch = this.backend.watch('', {
      afterRevision: revision,
      onEvents: (evs) => this.onEvents(evs),
      onError: (err) => {
        if (this.stopped) return;
        log.warn(`the storage watch ended (${err.message}); reading storage again`);
        this.recovering ??= this.recover(err).finally(() => (this.recovering = undefined));
      },
    });
  }

  /**
   * After the storage watch ended (its revision compacted away by another API server's compactor,
   * storage unreachable for a while): read everything again, hand the caches what changed
   * meanwhile as events at the revision read, and watch on from there, as a reflector relists.
   * Watchers of the caches see the net changes; nothing they hold goes stale.
   */
  private async recover(err: Error): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        const { revision, byCache } = await this.readAll();
        if (this.stopped) return;
        for (const c of this.caches) {
          if (this.loading.has(c)) continue;
          const events = replaceEvents(c, byCache.get(c) ?? [], revision);
          if (events.length) c.apply(events);
        }
        if (revision > this.revision) this.revision = revision;
        this.failed = undefined;
        this.wake();
        this.watchFrom(revision);
        return;
      } catch (e) {
        this.failed = err;
        log.error(`reading storage again after the watch ended (attempt ${attempt + 1})`, e);
        await new Promise((r) => setTimeout(r, Math.min(10_000, 200 * 2 ** attempt)));
      }
    }
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
    this.wake();
  }

  private wake(): void {
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
    this.stopped = true;
    if (this.trimTimer) clearInterval(this.trimTimer);
    this.watch?.cancel();
    this.watch = undefined;
  }
}

/** What turns a cache's objects into `fresh` (read at `revision`), as watch events at that revision. */
function replaceEvents(cache: ResourceCache, fresh: CachedObject[], revision: number): CacheEvent[] {
  const events: CacheEvent[] = [];
  const now = new Map(fresh.map((o) => [o.key, o]));
  for (const [key, prev] of cache.objects) {
    if (!now.has(key)) events.push({ type: 'DELETED', object: prev.withRevision(revision), prev, revision });
  }
  for (const o of fresh) {
    const prev = cache.objects.get(o.key);
    if (!prev) events.push({ type: 'ADDED', object: o, revision });
    else if (prev.revision !== o.revision) events.push({ type: 'MODIFIED', object: o, prev, revision });
  }
  return events;
}
