// client-go's thread-safe store with indexers, single-threaded: objects by key, plus named
// indexes from index value to keys, kept up to date on every change. The namespace index is
// built in, so listing one namespace does not scan the others.
import type { KubeObject } from '../api/meta.js';
import type { Lister } from './informer-types.js';
import { metaNamespaceKey } from './keys.js';

export type IndexFunc<T> = (obj: T) => string[];

const namespaceIndex = '__namespace';

export class Indexer<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexFuncs = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndex(namespaceIndex, (o) => [o.metadata.namespace ?? '']);
  }

  get size(): number {
    return this.items.size;
  }

  keys(): IterableIterator<string> {
    return this.items.keys();
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexFuncs.has(name)) throw new Error(`index ${JSON.stringify(name)} already exists`);
    this.indexFuncs.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, obj] of this.items) this.file(index, fn(obj), key);
  }

  private file(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let set = index.get(v);
      if (!set) index.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unfile(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      const set = index.get(v);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) index.delete(v);
    }
  }

  /** Stores the object under its key; returns the one it replaced. */
  set(obj: T): T | undefined {
    const key = metaNamespaceKey(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexFuncs) {
      const index = this.indices.get(name)!;
      if (old) this.unfile(index, fn(old), key);
      this.file(index, fn(obj), key);
    }
    return old;
  }

  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexFuncs) this.unfile(this.indices.get(name)!, fn(old), key);
    return old;
  }

  // ---- Lister ----

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string, selector?: (labels: Record<string, string>) => boolean): T[] {
    const objs = namespace ? this.byIndex(namespaceIndex, namespace) : [...this.items.values()];
    return selector ? objs.filter((o) => selector(o.metadata.labels ?? {})) : objs;
  }

  byIndex(index: string, value: string): T[] {
    const idx = this.indices.get(index);
    if (!idx) throw new Error(`index ${JSON.stringify(index)} does not exist`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }
}
