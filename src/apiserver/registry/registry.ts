// The registry: the entries the server currently serves. Discovery, routing, OpenAPI, the watch
// cache's prefixes, stores and field selectors are all derived from its current entries, and it
// tells listeners when an entry comes or goes, so that a kind can be served from a running server
// (CustomResourceDefinitions) without a restart.
import type { ResourceInfo } from '../resources.js';
import type { RegistryEntry } from './entry.js';

export type RegistryChange = { type: 'added' | 'removed'; entry: RegistryEntry };
export type RegistryListener = (change: RegistryChange) => void;

function keyOf(group: string, version: string, resource: string): string {
  return `${group}/${version}/${resource}`;
}

export class Registry {
  private readonly byKey = new Map<string, RegistryEntry>();
  private readonly listeners = new Set<RegistryListener>();
  /** Counts changes: derived documents (OpenAPI) are rebuilt when it moves. */
  generation = 0;

  constructor(entries: RegistryEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  /** Serves a new resource; throws when its group, version and resource are already served. */
  add(entry: RegistryEntry): void {
    const { group, version, resource } = entry.info;
    const key = keyOf(group, version, resource);
    if (this.byKey.has(key)) throw new Error(`${resource}.${version}.${group} is already served`);
    this.byKey.set(key, entry);
    this.generation++;
    this.notify({ type: 'added', entry });
  }

  /** Stops serving a resource; returns the entry removed, if there was one. */
  remove(group: string, version: string, resource: string): RegistryEntry | undefined {
    const key = keyOf(group, version, resource);
    const entry = this.byKey.get(key);
    if (!entry) return undefined;
    this.byKey.delete(key);
    this.generation++;
    this.notify({ type: 'removed', entry });
    return entry;
  }

  /** Calls `l` after every add and remove; returns the unsubscribe. */
  onChange(l: RegistryListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private notify(change: RegistryChange): void {
    for (const l of [...this.listeners]) l(change);
  }

  /** In the order they were added (discovery lists them so). */
  entries(): RegistryEntry[] {
    return [...this.byKey.values()];
  }

  infos(): ResourceInfo[] {
    return this.entries().map((e) => e.info);
  }

  find(group: string, version: string, resource: string): RegistryEntry | undefined {
    return this.byKey.get(keyOf(group, version, resource));
  }

  groupServed(group: string): boolean {
    return this.entries().some((e) => e.info.group === group);
  }

  versionServed(group: string, version: string): boolean {
    return this.entries().some((e) => e.info.group === group && e.info.version === version);
  }
}
