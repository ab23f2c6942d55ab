// Upstream's EndpointSliceCache: the slices of each Service as last applied by a sync and as
// pending since. A Service's endpoints are the merge of all its slices (found by the
// kubernetes.io/service-name label), per slice port name: each slice says which port number a
// named port has for its endpoints, so pods with different numbers for one named targetPort work.
// Keeping slices apart (not just their merged result) means an endpoint that moves from one
// slice to another is never lost in between.
import type { EndpointSlice } from '../api/discovery.js';
import type { Protocol } from '../api/core.js';
import { byEndpoint, newEndpointInfo } from './endpoint.js';
import { sameMap, sameRecord } from './equal.js';
import { isIPv4 } from './ip.js';
import { namespacedName, servicePortKey, type EndpointInfo, type EndpointsMap } from './types.js';

export const labelServiceName = 'kubernetes.io/service-name';

/** Only what the proxy uses of a slice: smaller to keep, and equal when the proxy would not care. */
interface SliceInfo {
  ports: { name: string; port: number; protocol: Protocol }[];
  endpoints: {
    addresses: string[];
    nodeName: string;
    zone: string;
    zoneHints: string[];
    nodeHints: string[];
    ready: boolean;
    serving: boolean;
    terminating: boolean;
  }[];
  remove: boolean;
}

interface SliceTracker {
  applied: Map<string, SliceInfo>;
  pending: Map<string, SliceInfo>;
}

export interface EndpointsChange {
  previous: EndpointsMap;
  current: EndpointsMap;
}

/** ns/service and slice name, or undefined when the slice names no Service. */
export function endpointSliceCacheKeys(slice: EndpointSlice): { service: string; slice: string } | undefined {
  const svc = slice.metadata.labels?.[labelServiceName];
  const ns = slice.metadata.namespace;
  const name = slice.metadata.name;
  if (!svc || !ns || !name) return undefined;
  return { service: namespacedName(ns, svc), slice: name };
}

function newSliceInfo(slice: EndpointSlice, remove: boolean): SliceInfo {
  const ports = (slice.ports ?? [])
    .map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: p.protocol ?? ('TCP' as Protocol) }))
    .sort((a, b) => a.port - b.port);
  const info: SliceInfo = { ports, endpoints: [], remove };
  if (remove) return info;
  for (const e of slice.endpoints ?? []) {
    const c = e.conditions ?? {};
    info.endpoints.push({
      addresses: e.addresses ?? [],
      nodeName: e.nodeName ?? '',
      zone: e.zone ?? '',
      zoneHints: (e.hints?.forZones ?? []).map((z) => z.name),
      nodeHints: (e.hints?.forNodes ?? []).map((n) => n.name),
      // Unset conditions mean ready and serving, not terminating (the API's documented defaults).
      ready: c.ready === undefined || c.ready === null || c.ready,
      serving: c.serving === undefined || c.serving === null || c.serving,
      terminating: c.terminating === true,
    });
  }
  info.endpoints.sort((a, b) => {
    const x = a.addresses.join(',');
    const y = b.addresses.join(',');
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return info;
}

export class EndpointSliceCache {
  private readonly trackers = new Map<string, SliceTracker>();
  /** Services with pending slices, kept so counting them per event is O(1). */
  private readonly pendingSet = new Set<string>();

  /** @param nodeName this node, for EndpointInfo.isLocal */
  constructor(private readonly nodeName: string) {}

  /**
   * Records a slice as pending. Returns whether that changed what is pending: an update that
   * brings a slice back to its applied state drops the pending entry (the change cancels out).
   */
  updatePending(slice: EndpointSlice, remove: boolean): boolean {
    const keys = endpointSliceCacheKeys(slice);
    if (!keys) return false;
    const info = newSliceInfo(slice, remove);
    let t = this.trackers.get(keys.service);
    if (!t) this.trackers.set(keys.service, (t = { applied: new Map(), pending: new Map() }));
    const applied = t.applied.get(keys.slice);
    const pending = t.pending.get(keys.slice);
    const sameAsApplied = applied ? sameRecord(info, applied) : remove;
    if (sameAsApplied) {
      const had = t.pending.delete(keys.slice);
      if (t.pending.size === 0) this.pendingSet.delete(keys.service);
      if (t.pending.size === 0 && t.applied.size === 0) this.trackers.delete(keys.service);
      return had;
    }
    if (pending && sameRecord(info, pending)) return false;
    t.pending.set(keys.slice, info);
    this.pendingSet.add(keys.service);
    return true;
  }

  /** Services with pending slices. */
  pendingServices(): number {
    return this.pendingSet.size;
  }

  /** Applies pending slices; returns, per Service whose endpoints really changed, its endpoints before and after. */
  checkoutChanges(): Map<string, EndpointsChange> {
    const changes = new Map<string, EndpointsChange>();
    for (const svc of this.pendingSet) {
      const t = this.trackers.get(svc);
      if (!t || t.pending.size === 0) continue;
      const previous = this.endpointsMap(svc, t.applied);
      for (const [name, info] of t.pending) {
        if (info.remove) t.applied.delete(name);
        else t.applied.set(name, info);
      }
      t.pending.clear();
      const current = this.endpointsMap(svc, t.applied);
      if (t.applied.size === 0) this.trackers.delete(svc);
      if (!sameMap(previous, current)) changes.set(svc, { previous, current });
    }
    this.pendingSet.clear();
    return changes;
  }

  private endpointsMap(svc: string, slices: Map<string, SliceInfo>): EndpointsMap {
    const [namespace, name] = svc.split('/') as [string, string];
    const bySP = new Map<string, Map<string, EndpointInfo>>();
    for (const slice of slices.values()) {
      for (const p of slice.ports) {
        if (!p.port) continue; // upstream ignores ports without a number
        const key = servicePortKey({ namespace, name, port: p.name, protocol: p.protocol });
        let set = bySP.get(key);
        if (!set) bySP.set(key, (set = new Map()));
        for (const e of slice.endpoints) {
          const ip = e.addresses[0];
          if (!ip || !isIPv4(ip)) continue; // the proxy serves IPv4 only; other families are ignored as upstream ignores the wrong family
          const isLocal = this.nodeName !== '' && e.nodeName === this.nodeName;
          const ep = newEndpointInfo({
            ip,
            port: p.port,
            isLocal,
            ready: e.ready,
            serving: e.serving,
            terminating: e.terminating,
            nodeName: e.nodeName,
            zone: e.zone,
            zoneHints: e.zoneHints,
            nodeHints: e.nodeHints,
          });
          // The same endpoint may briefly sit in two slices; prefer the copy that says it is local.
          if (!set.has(ep.endpoint) || isLocal) set.set(ep.endpoint, ep);
        }
      }
    }
    const out: EndpointsMap = new Map();
    for (const [key, set] of bySP) {
      if (set.size) out.set(key, [...set.values()].sort(byEndpoint));
    }
    return out;
  }
}
