// Upstream's EndpointsChangeTracker: EndpointSlice events go into the slice cache as pending;
// one sync checks them out and applies them to the EndpointsMap. It also keeps the
// endpoints.kubernetes.io/last-change-trigger-time of each change (the time the controller saw
// the pod or Service change that caused it), from which a sync measures network programming
// latency: from that change to the proxy serving it.
import type { EndpointSlice } from '../api/discovery.js';
import { EndpointSliceCache, endpointSliceCacheKeys } from './endpointslicecache.js';
import type { EndpointsMap } from './types.js';

export const annotationLastChangeTriggerTime = 'endpoints.kubernetes.io/last-change-trigger-time';

export interface UpdateEndpointsMapResult {
  /** ns/name of every Service whose endpoints changed. */
  updatedServices: Set<string>;
  /** Service → trigger times (ms since the epoch) of the changes applied. */
  lastChangeTriggerTimes: Map<string, number[]>;
}

/** The annotation's time in ms since the epoch, or undefined when absent or malformed (RFC 3339, as upstream parses it). */
export function lastChangeTriggerTime(annotations: Record<string, string> | undefined): number | undefined {
  const v = annotations?.[annotationLastChangeTriggerTime];
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export class EndpointsChangeTracker {
  private readonly cache: EndpointSliceCache;
  private triggerTimes = new Map<string, number[]>();
  /** Changes from before the proxy started would measure its start-up, not programming latency. */
  private readonly startTime: number;
  totalChanges = 0;

  constructor(nodeName: string, now: number = Date.now()) {
    this.cache = new EndpointSliceCache(nodeName);
    this.startTime = now;
  }

  /** Records a slice event; returns whether it changed what is pending. */
  endpointSliceUpdate(slice: EndpointSlice, remove: boolean): boolean {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') return false;
    const keys = endpointSliceCacheKeys(slice);
    if (!keys) return false;
    this.totalChanges++;
    const changed = this.cache.updatePending(slice, remove);
    if (changed) {
      if (remove) {
        // On delete the annotation is the time of the slice's last update, not of this change.
        this.triggerTimes.delete(keys.service);
      } else {
        const t = lastChangeTriggerTime(slice.metadata.annotations);
        if (t !== undefined && t > this.startTime) {
          const list = this.triggerTimes.get(keys.service) ?? [];
          list.push(t);
          this.triggerTimes.set(keys.service, list);
        }
      }
    }
    return changed;
  }

  /** Services with pending endpoint changes (kubeproxy_sync_proxy_rules_endpoint_changes_pending). */
  get pending(): number {
    return this.cache.pendingServices();
  }

  /** @internal used by applyEndpointsChanges */
  checkout(): { changes: ReturnType<EndpointSliceCache['checkoutChanges']>; triggerTimes: Map<string, number[]> } {
    const triggerTimes = this.triggerTimes;
    this.triggerTimes = new Map();
    return { changes: this.cache.checkoutChanges(), triggerTimes };
  }
}

/** Applies pending endpoint changes to `em` (upstream's EndpointsMap.Update). */
export function applyEndpointsChanges(em: EndpointsMap, ect: EndpointsChangeTracker): UpdateEndpointsMapResult {
  const { changes, triggerTimes } = ect.checkout();
  const updatedServices = new Set<string>();
  for (const [svc, change] of changes) {
    updatedServices.add(svc);
    for (const k of change.previous.keys()) em.delete(k);
    for (const [k, eps] of change.current) em.set(k, eps);
  }
  return { updatedServices, lastChangeTriggerTimes: triggerTimes };
}
