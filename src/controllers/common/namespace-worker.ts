// A controller that keeps something in every namespace (the ServiceAccounts controller, the root
// CA publisher): its key is a namespace name, synced when the namespace appears or changes and
// when one of the objects it keeps there is changed or deleted by someone else.
import type { Namespace } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { ResourceRef } from '../../client/client.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { QueueWorker } from './queue-worker.js';

export abstract class PerNamespaceWorker<T extends KubeObject> extends QueueWorker {
  protected readonly namespaces: Informer<Namespace>;
  protected readonly kept: Informer<T>;

  constructor(name: string, informers: InformerFactory, res: ResourceRef, isKept: (obj: T) => boolean) {
    super(name);
    this.namespaces = informers.informer<Namespace>(R.namespaces);
    this.kept = informers.informer<T>(res);
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => this.queue.add(ns.metadata.name!),
    });
    const touched = (obj: T): void => {
      if (obj.metadata.namespace && isKept(obj)) this.queue.add(obj.metadata.namespace);
    };
    this.kept.addEventHandler({ onUpdate: (_old, obj) => touched(obj), onDelete: touched });
  }

  protected override cachesToSync() {
    return [this.namespaces, this.kept];
  }
}
