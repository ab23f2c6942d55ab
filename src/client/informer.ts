// The informer factory components share: one informer per (resource, namespace, selectors),
// however many controllers ask for it, so each resource is listed and watched once per process.
import type { KubeObject } from '../api/meta.js';
import type { Client, ResourceRef } from './client.js';
import type { Informer, InformerFactory, InformerOptions } from './informer-types.js';
import { SharedInformer } from './shared-informer.js';

export { metaNamespaceKey, splitKey } from './keys.js';
export { SharedInformer } from './shared-informer.js';

export class InformerFactoryImpl implements InformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;

  constructor(private readonly client: Client) {}

  /**
   * Informers asked for after start() start at once (client-go needs a second Start call; here
   * forgetting it cannot leave an informer silently idle). resyncMs is not part of the identity:
   * the shared informer resyncs at the shortest period asked for.
   */
  informer<T extends KubeObject = KubeObject>(res: ResourceRef, opts: InformerOptions = {}): Informer<T> {
    const ns = res.namespaced ? (opts.namespace ?? '') : '';
    const key = [res.group, res.version, res.resource, ns, opts.labelSelector ?? '', opts.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new SharedInformer(this.client, res, opts);
      this.informers.set(key, inf);
      if (this.started) inf.start();
    } else if (opts.resyncMs) {
      inf.requestResync(opts.resyncMs);
    }
    return inf as unknown as Informer<T>;
  }

  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.synced()));
  }

  stop(): void {
    this.started = false;
    for (const inf of this.informers.values()) inf.stop();
  }
}
