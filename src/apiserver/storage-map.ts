// What the server mounts for each registry entry: its store (over the watch cache), its hooks
// and its subresources, built with narrow dependencies. It follows the registry: an entry added
// at run time is cached, stored and served from then on; a removed one stops being served.
import type { Backend } from '../storage/backend.js';
import { keyPrefix, type ResourceInfo } from './resources.js';
import type { Registry } from './registry/registry.js';
import type { ReadREST, RegistryDeps, RegistryEntry, Review, SubresourceREST } from './registry/entry.js';
import { namespaceLifecycle } from './registry/namespace-lifecycle.js';
import { chainAdmit, type StoreHooks } from './store/hooks.js';
import { Store } from './store/store.js';
import type { WatchCache } from './store/watch-cache.js';

export interface ResourceStorage {
  entry: RegistryEntry;
  store: Store;
  /** The entry's subresources with behaviour of their own, by name. */
  subresources: Record<string, SubresourceREST>;
  /** Create-only resources that store nothing answer POSTs with this. */
  review?: Review;
  /** Read-only resources that store nothing answer GETs with this. */
  read?: ReadREST;
}

export class StorageMap {
  private readonly byInfo = new Map<ResourceInfo, ResourceStorage>();
  private readonly deps: RegistryDeps;
  private readonly unsubscribe: () => void;

  constructor(
    readonly registry: Registry,
    private readonly backend: Backend,
    private readonly watchCache: WatchCache,
    deps: Omit<RegistryDeps, 'store'>,
  ) {
    this.deps = { ...deps, store: (group, resource) => this.store(group, resource) };
    for (const e of registry.entries()) this.mount(e);
    this.unsubscribe = registry.onChange((c) => (c.type === 'added' ? this.mount(c.entry) : this.unmount(c.entry)));
  }

  private mount(entry: RegistryEntry): void {
    const info = entry.info;
    const hooks: StoreHooks = { ...entry.hooks?.(this.deps) };
    // Admission in upstream's order: the namespace must be active before the kind's own plugins run.
    if (info.namespaced) hooks.admit = chainAdmit(namespaceLifecycle(info.resource, () => this.store('', 'namespaces')), hooks.admit);
    this.watchCache.add(keyPrefix(info));
    const store = new Store(info, entry.strategy, this.backend, this.watchCache, hooks);
    const storage: ResourceStorage = { entry, store, subresources: {} };
    this.byInfo.set(info, storage);
    storage.subresources = entry.subresources?.(this.deps) ?? {};
    const review = entry.review?.(this.deps);
    if (review) storage.review = review;
    const read = entry.read?.(this.deps);
    if (read) storage.read = read;
  }

  private unmount(entry: RegistryEntry): void {
    if (!this.byInfo.delete(entry.info)) return;
    this.watchCache.remove(keyPrefix(entry.info));
  }

  /** The storage of a route's or a store's ResourceInfo, while it is served. */
  get(info: ResourceInfo): ResourceStorage | undefined {
    return this.byInfo.get(info);
  }

  /** The storage of a served group/version/resource. */
  find(group: string, version: string, resource: string): ResourceStorage | undefined {
    const e = this.registry.find(group, version, resource);
    return e ? this.byInfo.get(e.info) : undefined;
  }

  /** The store of a served resource, whatever its version (one per resource today). */
  store(group: string, resource: string): Store {
    for (const [info, s] of this.byInfo) if (info.group === group && info.resource === resource) return s.store;
    throw new Error(`no store for ${resource}.${group}`);
  }

  stores(): Store[] {
    return [...this.byInfo.values()].map((s) => s.store);
  }

  stop(): void {
    this.unsubscribe();
  }
}
