// The ClusterIndex `kubesvc up` uses: informers for Services, EndpointSlices and Namespaces (and
// pods only in verified pod mode, which is the only use CoreDNS has for them), copied slim into a
// MemoryIndex as events arrive, so a query never waits on the API server.
import type { Namespace, Pod, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import type { KubeObject } from '../api/meta.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import { MemoryIndex } from './memory-index.js';

export interface InformerIndexOptions {
  /** Watch pods too, for `pods verified` (default false: `pods insecure` needs none). */
  pods?: boolean;
}

function feed<T extends KubeObject>(inf: Informer<T>, upsert: (o: T) => void, remove: (o: T) => void): void {
  inf.addEventHandler({
    onAdd: upsert,
    onUpdate: (_old, obj) => upsert(obj),
    onDelete: remove,
  });
}

/** Registers the informers on `factory` (they start with it, or at once if it already started). */
export function informerIndex(factory: InformerFactory, opts: InformerIndexOptions = {}): MemoryIndex {
  const idx = new MemoryIndex();
  const svcs = factory.informer<Service>(R.services);
  const slices = factory.informer<EndpointSlice>(R.endpointslices);
  const nss = factory.informer<Namespace>(R.namespaces);
  feed(svcs, (o) => idx.upsertService(o), (o) => idx.deleteService(o));
  feed(slices, (o) => idx.upsertEndpointSlice(o), (o) => idx.deleteEndpointSlice(o));
  feed(nss, (o) => idx.upsertNamespace(o), (o) => idx.deleteNamespace(o));
  const informers: Informer<KubeObject>[] = [svcs, slices, nss] as unknown as Informer<KubeObject>[];
  if (opts.pods) {
    const pods = factory.informer<Pod>(R.pods);
    feed(pods, (o) => idx.upsertPod(o), (o) => idx.deletePod(o));
    informers.push(pods as unknown as Informer<KubeObject>);
  }
  idx.isSynced = () => informers.every((i) => i.hasSynced());
  return idx;
}
