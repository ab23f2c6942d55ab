// Informers and the work queue, as client-go's: an informer lists then watches one resource into
// a local cache (relisting on 410), calls handlers with old and new objects, and says when it has
// synced; controllers' handlers only enqueue keys, and workers take keys off a work queue.
import type { KubeObject } from '../api/meta.js';
import type { ResourceRef } from './client.js';

export interface EventHandlers<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** `obj` is the last state the cache knew (after a relist, possibly not the final state). */
  onDelete?(obj: T): void;
}

/** A read-only view of an informer's cache. Objects are shared: clone before changing them. */
export interface Lister<T extends KubeObject = KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  /** All objects, or those of one namespace; optionally only those whose labels match `selector`. */
  list(namespace?: string, selector?: (labels: Record<string, string>) => boolean): T[];
  /** Objects filed under `value` by a named index (see Informer.addIndex). */
  byIndex(index: string, value: string): T[];
}

export interface Informer<T extends KubeObject = KubeObject> {
  readonly resource: ResourceRef;
  readonly lister: Lister<T>;
  /** Handlers added after the informer synced get a synthetic onAdd per cached object. */
  addEventHandler(h: EventHandlers<T>): void;
  /** Files objects under the values `fn` returns (e.g. pods by spec.nodeName). */
  addIndex(name: string, fn: (obj: T) => string[]): void;
  hasSynced(): boolean;
  /** Resolves once the first list has been loaded and delivered to handlers. */
  synced(): Promise<void>;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Redeliver every cached object as an update this often (0: never). */
  resyncMs?: number;
}

export interface InformerFactory {
  /** One shared informer per (resource, options): asking twice returns the same one. */
  informer<T extends KubeObject = KubeObject>(res: ResourceRef, opts?: InformerOptions): Informer<T>;
  start(): void;
  /** Resolves when every informer created so far has synced. */
  waitForSync(): Promise<void>;
  stop(): void;
}

/** client-go's rate-limited work queue: a key is processed by one worker at a time, dirty keys re-queued once. */
export interface WorkQueue<K = string> {
  add(key: K): void;
  addAfter(key: K, delayMs: number): void;
  /** Re-queues with per-key exponential backoff (5 ms doubling to 1000 s, as client-go's default). */
  addRateLimited(key: K): void;
  /** Clears the key's backoff after a successful sync. */
  forget(key: K): void;
  /** How often the key has been re-queued rate-limited since its last forget (queues that count). */
  numRequeues?(key: K): number;
  /** The next key, or undefined once shut down. */
  get(): Promise<K | undefined>;
  /** Must be called after processing a key from get(). */
  done(key: K): void;
  shutDown(): void;
  readonly length: number;
}
