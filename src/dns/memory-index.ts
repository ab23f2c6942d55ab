// A ClusterIndex kept in maps, fed object by object. The informer-backed index feeds it from
// watch events; tests feed it a fixture. Reverse (IP) indexes are kept up to date on every
// write so PTR lookups never scan the cluster.
import type { Service, Pod, Namespace } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import {
  slimEndpointSlice,
  slimPod,
  slimService,
  type ClusterIndex,
  type SlimEndpointSlice,
  type SlimPod,
  type SlimService,
} from './cluster-index.js';

/** A multimap from an IP to the keys of the objects that hold it. */
class IPIndex {
  private readonly m = new Map<string, Set<string>>();
  set(key: string, oldIPs: string[], newIPs: string[]): void {
    for (const ip of oldIPs) {
      const s = this.m.get(ip);
      if (!s) continue;
      s.delete(key);
      if (s.size === 0) this.m.delete(ip);
    }
    for (const ip of newIPs) {
      let s = this.m.get(ip);
      if (!s) this.m.set(ip, (s = new Set()));
      s.add(key);
    }
  }
  get(ip: string): Iterable<string> {
    return this.m.get(ip) ?? [];
  }
}

const sliceIPs = (s: SlimEndpointSlice): string[] => s.endpoints.flatMap((e) => e.addresses);

export class MemoryIndex implements ClusterIndex {
  private readonly svcs = new Map<string, SlimService>(); // ns/name
  private readonly svcsByNS = new Map<string, Map<string, SlimService>>();
  private readonly slices = new Map<string, SlimEndpointSlice>(); // ns/sliceName
  private readonly slicesBySvc = new Map<string, Map<string, SlimEndpointSlice>>(); // ns/svc -> sliceName
  private readonly pods = new Map<string, SlimPod>(); // ns/name
  private readonly namespaces = new Set<string>();
  private readonly svcIPs = new IPIndex();
  private readonly sliceIPs = new IPIndex();
  private readonly podIPs = new IPIndex();
  private lastChange = Math.floor(Date.now() / 1000);
  /** Bumped on every change, so answer caches can tell they are stale. */
  generation = 0;
  /** The generation at which each "ns/service" last changed (the Service or one of its slices). */
  private readonly scopeGen = new Map<string, number>();
  /** The generation of the last namespace change: every scoped answer depends on it. */
  private nsGen = 0;
  isSynced: () => boolean = () => true;

  synced(): boolean {
    return this.isSynced();
  }
  modified(): number {
    return this.lastChange;
  }
  private touch(...scopes: string[]): void {
    this.lastChange = Math.floor(Date.now() / 1000);
    this.generation++;
    for (const sc of scopes) this.scopeGen.set(sc, this.generation);
  }

  /**
   * A number that changes whenever an answer in `scope` ("ns/service", or "ns/" for names that
   * only need the namespace) may change; without a scope, on every change. All values come from
   * one counter, so "equal to before" means "nothing relevant happened since".
   */
  version(scope?: string): number {
    if (scope === undefined) return this.generation;
    return Math.max(this.scopeGen.get(scope) ?? 0, this.nsGen);
  }

  namespaceExists(ns: string): boolean {
    return this.namespaces.has(ns);
  }
  services(ns?: string, name?: string): SlimService[] {
    if (ns !== undefined && name !== undefined) {
      const s = this.svcs.get(`${ns}/${name}`);
      return s ? [s] : [];
    }
    if (ns !== undefined) return [...(this.svcsByNS.get(ns)?.values() ?? [])];
    return [...this.svcs.values()];
  }
  endpointSlices(ns: string, svc: string): SlimEndpointSlice[] {
    return [...(this.slicesBySvc.get(`${ns}/${svc}`)?.values() ?? [])];
  }
  servicesByIP(ip: string): SlimService[] {
    return [...this.svcIPs.get(ip)].flatMap((k) => this.svcs.get(k) ?? []);
  }
  endpointSlicesByIP(ip: string): SlimEndpointSlice[] {
    return [...this.sliceIPs.get(ip)].flatMap((k) => this.slices.get(k) ?? []);
  }
  podByIP(ip: string): SlimPod[] {
    return [...this.podIPs.get(ip)].flatMap((k) => this.pods.get(k) ?? []);
  }

  upsertNamespace(ns: Namespace): void {
    if (ns.metadata.name) this.namespaces.add(ns.metadata.name);
    this.touch();
    this.nsGen = this.generation;
  }
  deleteNamespace(ns: Namespace): void {
    if (ns.metadata.name) this.namespaces.delete(ns.metadata.name);
    this.touch();
    this.nsGen = this.generation;
  }

  upsertService(obj: Service): void {
    const s = slimService(obj);
    const key = `${s.namespace}/${s.name}`;
    this.svcIPs.set(key, this.svcs.get(key)?.clusterIPs ?? [], s.clusterIPs);
    this.svcs.set(key, s);
    let byNS = this.svcsByNS.get(s.namespace);
    if (!byNS) this.svcsByNS.set(s.namespace, (byNS = new Map()));
    byNS.set(s.name, s);
    this.touch(key);
  }
  deleteService(obj: Service): void {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const old = this.svcs.get(key);
    if (!old) return;
    this.svcIPs.set(key, old.clusterIPs, []);
    this.svcs.delete(key);
    this.svcsByNS.get(old.namespace)?.delete(old.name);
    this.touch(key);
  }

  upsertEndpointSlice(obj: EndpointSlice): void {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const s = slimEndpointSlice(obj);
    // A slice can lose its service label or change address type: forget the old copy first.
    this.deleteEndpointSlice(obj);
    if (s) {
      this.slices.set(key, s);
      this.sliceIPs.set(key, [], sliceIPs(s));
      const svcKey = `${s.namespace}/${s.service}`;
      let bySvc = this.slicesBySvc.get(svcKey);
      if (!bySvc) this.slicesBySvc.set(svcKey, (bySvc = new Map()));
      bySvc.set(s.name, s);
      this.touch(svcKey);
    } else this.touch();
  }
  deleteEndpointSlice(obj: EndpointSlice): void {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const old = this.slices.get(key);
    if (!old) return;
    this.sliceIPs.set(key, sliceIPs(old), []);
    this.slices.delete(key);
    const svcKey = `${old.namespace}/${old.service}`;
    const bySvc = this.slicesBySvc.get(svcKey);
    bySvc?.delete(old.name);
    if (bySvc && bySvc.size === 0) this.slicesBySvc.delete(svcKey);
    this.touch(svcKey);
  }

  upsertPod(obj: Pod): void {
    const p = slimPod(obj);
    const key = `${p.namespace}/${p.name}`;
    this.podIPs.set(key, this.pods.get(key)?.ips ?? [], p.ips);
    this.pods.set(key, p);
    this.touch();
  }
  deletePod(obj: Pod): void {
    const key = `${obj.metadata.namespace ?? 'default'}/${obj.metadata.name}`;
    const old = this.pods.get(key);
    if (!old) return;
    this.podIPs.set(key, old.ips, []);
    this.pods.delete(key);
    this.touch();
  }
}

export interface StaticFixture {
  namespaces?: string[];
  services?: Service[];
  endpointSlices?: EndpointSlice[];
  pods?: Pod[];
  /** Defaults to true; false makes the handler answer SERVFAIL as before an informer sync. */
  synced?: boolean;
}

/** A fixed index for tests. Namespaces of the given objects exist implicitly. */
export function staticIndex(f: StaticFixture): MemoryIndex {
  const idx = new MemoryIndex();
  const nsNames = new Set(f.namespaces ?? []);
  for (const o of [...(f.services ?? []), ...(f.endpointSlices ?? []), ...(f.pods ?? [])]) nsNames.add(o.metadata.namespace ?? 'default');
  for (const n of nsNames) idx.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } } as Namespace);
  for (const s of f.services ?? []) idx.upsertService(s);
  for (const s of f.endpointSlices ?? []) idx.upsertEndpointSlice(s);
  for (const p of f.pods ?? []) idx.upsertPod(p);
  const synced = f.synced ?? true;
  idx.isSynced = () => synced;
  return idx;
}
