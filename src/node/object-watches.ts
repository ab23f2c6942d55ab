// The kubelet's watch-based ConfigMap and Secret managers: one watch per object a pod on this node
// references (list+watch in its namespace with fieldSelector metadata.name=<name>), kept while some
// pod references it and stopped when none does. A node may read only the objects its pods use (the
// Node authorizer refuses a cluster-wide list), and a per-object watch is what it allows.
import type { KubeObject } from '../api/meta.js';
import type { Client, ResourceRef } from '../client/client.js';
import { SharedInformer } from '../client/shared-informer.js';

interface Watch<T extends KubeObject> {
  informer: SharedInformer<T>;
  /** UIDs of the pods that reference the object. */
  pods: Set<string>;
}

export class ObjectWatches<T extends KubeObject> {
  private readonly watches = new Map<string, Watch<T>>();
  /** What each pod references: ns/name keys. */
  private readonly byPod = new Map<string, Set<string>>();

  constructor(
    private readonly client: Client,
    private readonly resource: ResourceRef,
    /** Called on every add, update and delete of a watched object, with the pods that reference it. */
    private readonly changed: (podUIDs: ReadonlySet<string>) => void,
  ) {}

  /**
   * Makes the watches of `pod` exactly those of `names` in `namespace` (watches no pod needs any
   * more stop). Resolves once each of them has its first list, so a pod's first sync sees the
   * objects that exist instead of reporting them missing.
   */
  async reference(podUID: string, namespace: string, names: Iterable<string>): Promise<void> {
    const want = new Set([...names].map((n) => `${namespace}/${n}`));
    const had = this.byPod.get(podUID) ?? new Set<string>();
    for (const key of had) if (!want.has(key)) this.drop(podUID, key);
    const pending: Promise<void>[] = [];
    for (const key of want) {
      let w = this.watches.get(key);
      if (!w) {
        const name = key.slice(namespace.length + 1);
        const informer = new SharedInformer<T>(this.client, this.resource, { namespace, fieldSelector: `metadata.name=${name}` });
        const watch: Watch<T> = { informer, pods: new Set() };
        informer.addEventHandler({
          onAdd: () => this.changed(watch.pods),
          onUpdate: () => this.changed(watch.pods),
          onDelete: () => this.changed(watch.pods),
        });
        informer.start();
        w = watch;
        this.watches.set(key, w);
      }
      w.pods.add(podUID);
      if (!w.informer.hasSynced()) pending.push(w.informer.synced());
    }
    if (want.size) this.byPod.set(podUID, want);
    else this.byPod.delete(podUID);
    await Promise.all(pending);
  }

  /** The pod is gone: its watches stop unless another pod still needs them. */
  forget(podUID: string): void {
    for (const key of this.byPod.get(podUID) ?? []) this.drop(podUID, key);
    this.byPod.delete(podUID);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.watches.get(`${namespace ?? ''}/${name}`)?.informer.lister.get(namespace, name);
  }

  stop(): void {
    for (const w of this.watches.values()) w.informer.stop();
    this.watches.clear();
    this.byPod.clear();
  }

  private drop(podUID: string, key: string): void {
    const w = this.watches.get(key);
    if (!w) return;
    w.pods.delete(podUID);
    if (w.pods.size === 0) {
      w.informer.stop();
      this.watches.delete(key);
    }
  }
}
