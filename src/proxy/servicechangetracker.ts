// Upstream's ServiceChangeTracker: informer events only record what each Service meant before
// the last applied sync ("previous") and what it means now ("current"); a change that cancels
// out (an update back to the applied state, a create then delete) is dropped, so a sync only sees
// real differences. One sync applies everything with applyServiceChanges.
import type { Service } from '../api/core.js';
import { sameMap } from './equal.js';
import { serviceToServicePortMap } from './serviceport.js';
import { namespacedName, type ServicePortMap } from './types.js';

interface ServiceChange {
  previous: ServicePortMap;
  current: ServicePortMap;
}

export interface UpdateServiceMapResult {
  /** ns/name of every Service whose ServicePorts were added, changed or removed. */
  updatedServices: Set<string>;
}

export class ServiceChangeTracker {
  private items = new Map<string, ServiceChange>();
  /** Services seen by update() (counts every event, as kubeproxy_sync_proxy_rules_service_changes_total does). */
  totalChanges = 0;

  /**
   * Records a Service event (`previous` undefined for an add, `current` undefined for a delete).
   * Returns whether any change is pending, as upstream's Update does.
   */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (!svc) return false;
    this.totalChanges++;
    const key = namespacedName(svc.metadata.namespace ?? '', svc.metadata.name ?? '');
    let change = this.items.get(key);
    if (!change) {
      change = { previous: serviceToServicePortMap(previous), current: new Map() };
      this.items.set(key, change);
    }
    change.current = serviceToServicePortMap(current);
    if (sameMap(change.previous, change.current)) this.items.delete(key);
    return this.items.size > 0;
  }

  get pending(): number {
    return this.items.size;
  }

  /** Hands the pending changes to the caller and forgets them. */
  checkout(): Map<string, ServiceChange> {
    const out = this.items;
    this.items = new Map();
    return out;
  }
}

/** Applies the tracker's pending changes to `sm` (upstream's ServicePortMap.Update). */
export function applyServiceChanges(sm: ServicePortMap, sct: ServiceChangeTracker): UpdateServiceMapResult {
  const updatedServices = new Set<string>();
  for (const [name, change] of sct.checkout()) {
    updatedServices.add(name);
    // Remove ports that are gone, then write the current ones (updated ports are simply overwritten).
    for (const k of change.previous.keys()) if (!change.current.has(k)) sm.delete(k);
    for (const [k, info] of change.current) sm.set(k, info);
  }
  return { updatedServices };
}
