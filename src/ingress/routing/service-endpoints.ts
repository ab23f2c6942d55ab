// The endpoints behind Service ports, as the routing core sends to them: one round robin per
// `namespace/service/portName`, created the first time a route asks for it and updated in place
// whenever one of the Service's EndpointSlices changes (so a deleted pod leaves the rotation as
// soon as its slice says so, with no rebuild of any route table). Shared by the Ingress and Gateway
// controllers of one data plane.
import type { Service } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';
import type { Informer, InformerFactory } from '../../client/informer-types.js';
import { R } from '../../client/resources.js';
import { backendAddresses, RoundRobin, servicePortName, type ServicePortRef } from './backends.js';

export class ServiceEndpoints {
  readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly pools = new Map<string, RoundRobin>();

  /** `onGone` gets the `ip:port` of every endpoint still in use after a change, so the proxy can close the rest. */
  constructor(informers: InformerFactory, private readonly onGone: (live: ReadonlySet<string>) => void) {
    this.services = informers.informer<Service>(R.services);
    this.slices = informers.informer<EndpointSlice>(R.endpointslices);
    const changed = (s: EndpointSlice) => {
      this.refreshService(s.metadata.namespace ?? '', s.metadata.labels?.['kubernetes.io/service-name'] ?? '');
      this.closeGone();
    };
    this.slices.addEventHandler({ onAdd: changed, onUpdate: (_o, s) => changed(s), onDelete: changed });
  }

  async synced(): Promise<void> {
    await Promise.all([this.services.synced(), this.slices.synced()]);
  }

  /** The endpoints of a Service port (by name or number); undefined when the Service or port does not exist. */
  get(namespace: string, name: string, port: ServicePortRef | undefined): RoundRobin | undefined {
    const svc = this.services.lister.get(namespace, name);
    if (!svc) return undefined;
    const portName = servicePortName(svc, port);
    if (portName === undefined) return undefined;
    const key = `${namespace}/${name}/${portName}`;
    let rr = this.pools.get(key);
    if (!rr) {
      rr = new RoundRobin(backendAddresses(this.slicesOf(namespace, name), portName));
      this.pools.set(key, rr);
    }
    return rr;
  }

  /** After a Service change: every pool is read again (a port renamed, a Service gone). */
  refreshAll(): void {
    const seen = new Set<string>();
    for (const key of this.pools.keys()) {
      const [ns, svc] = key.split('/');
      const k = `${ns}/${svc}`;
      if (seen.has(k)) continue;
      seen.add(k);
      this.refreshService(ns!, svc!);
    }
    this.closeGone();
  }

  private slicesOf(ns: string, svc: string): EndpointSlice[] {
    return this.slices.lister.list(ns, (labels) => labels['kubernetes.io/service-name'] === svc);
  }

  /** An EndpointSlice of `ns/svc` changed: its round robins take the new addresses at once. */
  private refreshService(ns: string, svc: string): void {
    if (!svc) return;
    const prefix = `${ns}/${svc}/`;
    let slices: EndpointSlice[] | undefined;
    for (const [key, rr] of this.pools) {
      if (!key.startsWith(prefix)) continue;
      slices ??= this.slicesOf(ns, svc);
      rr.update(backendAddresses(slices, key.slice(prefix.length)));
    }
  }

  /** Pools of endpoints no Service has any more are closed (requests in flight finish first). */
  private closeGone(): void {
    const live = new Set<string>();
    for (const rr of this.pools.values()) for (const a of rr.list()) live.add(`${a.ip}:${a.port}`);
    this.onGone(live);
  }
}
