// client-go's shared index informer: a reflector feeds one indexed cache, and every change is
// passed to each registered handler with the old and new object. A relist is diffed against the
// cache as client-go's Replace does: objects still present are updates (even if unchanged —
// handlers compare resourceVersions when they care), new ones adds, missing ones deletes with
// the last state the cache knew.
import type { KubeObject } from '../api/meta.js';
import { logger, errorText } from '../util/log.js';
import type { Client, ResourceRef } from './client.js';
import type { EventHandlers, Informer, InformerOptions, Lister } from './informer-types.js';
import { Indexer } from './indexer.js';
import { metaNamespaceKey } from './keys.js';
import { Reflector, type ReflectorSink } from './reflector.js';

const log = logger('informer');

export class SharedInformer<T extends KubeObject = KubeObject> implements Informer<T>, ReflectorSink<T> {
  private readonly indexer = new Indexer<T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private readonly reflector: Reflector<T>;
  private isSynced = false;
  private readonly syncedPromise: Promise<void>;
  private resolveSynced!: () => void;
  private resyncMs: number;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    client: Client,
    readonly resource: ResourceRef,
    readonly options: InformerOptions = {},
  ) {
    this.resyncMs = options.resyncMs ?? 0;
    this.syncedPromise = new Promise((r) => (this.resolveSynced = r));
    const { namespace, labelSelector, fieldSelector } = options;
    this.reflector = new Reflector<T>(
      client,
      resource,
      {
        ...(resource.namespaced && namespace ? { namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
      },
      this,
    );
  }

  get lister(): Lister<T> {
    return this.indexer;
  }

  /** The resourceVersion of the last list or event the cache applied. */
  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /**
   * Handlers added late get a synthetic onAdd for each cached object, delivered synchronously
   * here, so nothing the informer delivers later can overtake them.
   */
  addEventHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    if (!h.onAdd) return;
    for (const obj of [...this.indexer.values()]) this.call(() => h.onAdd!(obj));
  }

  addIndex(name: string, fn: (obj: T) => string[]): void {
    this.indexer.addIndex(name, fn);
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  synced(): Promise<void> {
    return this.syncedPromise;
  }

  /** Lowers the resync period when another user of this shared informer asks for a shorter one. */
  requestResync(ms: number): void {
    if (ms <= 0 || (this.resyncMs > 0 && this.resyncMs <= ms)) return;
    this.resyncMs = ms;
    if (this.running) this.scheduleResync();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.reflector.start();
    this.scheduleResync();
  }

  stop(): void {
    this.running = false;
    this.reflector.stop();
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
  }

  private scheduleResync(): void {
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    if (this.resyncMs <= 0) return;
    this.resyncTimer = setInterval(() => this.resync(), this.resyncMs);
  }

  /** Redelivers every cached object as an update, so level-triggered controllers re-check them. */
  private resync(): void {
    if (!this.isSynced) return;
    for (const obj of [...this.indexer.values()]) this.notify('update', obj, obj);
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      log.error(`a ${this.resource.resource} event handler failed`, errorText(e));
    }
  }

  private notify(what: 'add' | 'update' | 'delete', a: T, b?: T): void {
    for (const h of this.handlers) {
      if (what === 'add' && h.onAdd) this.call(() => h.onAdd!(a));
      else if (what === 'update' && h.onUpdate) this.call(() => h.onUpdate!(a, b!));
      else if (what === 'delete' && h.onDelete) this.call(() => h.onDelete!(a));
    }
  }

  // ---- ReflectorSink ----

  replace(items: T[], _resourceVersion: string): void {
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(metaNamespaceKey(obj));
      const old = this.indexer.set(obj);
      if (old) this.notify('update', old, obj);
      else this.notify('add', obj);
    }
    for (const key of [...this.indexer.keys()]) {
      if (seen.has(key)) continue;
      const old = this.indexer.deleteKey(key)!;
      this.notify('delete', old);
    }
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    if (type === 'DELETED') {
      this.indexer.deleteKey(metaNamespaceKey(obj));
      // The watch's object is the final state, fresher than what the cache held.
      this.notify('delete', obj);
      return;
    }
    const old = this.indexer.set(obj);
    if (old) this.notify('update', old, obj);
    else this.notify('add', obj);
  }
}
