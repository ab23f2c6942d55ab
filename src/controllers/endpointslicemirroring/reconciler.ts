// The mirroring reconciler as a pure function (upstream's endpointslicemirroring reconciler):
// one slice per subset's port set and address type; an existing slice is rewritten in place
// when its endpoints, labels or annotations differ, extra ones are deleted, and a create paired
// with a delete of the same address type becomes an update.
import type { Endpoints } from '../../api/core.js';
import type { EndpointSlice } from '../../api/discovery.js';
import { endpointsEqualBeyondHash, type EndpointSet } from '../endpointslice/endpoint-set.js';
import type { AddressType } from '../endpointslice/pod-to-endpoint.js';
import { addrTypePortMapKey, desiredMirror, newMirroredSlice } from './desired.js';

export interface MirrorPlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  invalidAddresses: number;
  skippedAddresses: number;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/** Whether `slice` already holds exactly the desired endpoints (same identity and same attributes). */
function unchanged(slice: EndpointSlice, desired: EndpointSet): boolean {
  const eps = slice.endpoints ?? [];
  if (eps.length !== desired.size) return false;
  return eps.every((ep) => {
    const want = desired.get(ep);
    return want !== undefined && endpointsEqualBeyondHash(want, ep);
  });
}

export function reconcileMirroredSlices(endpoints: Endpoints, existingSlices: EndpointSlice[], maxEndpointsPerSubset: number): MirrorPlan {
  const d = desiredMirror(endpoints, maxEndpointsPerSubset);
  const plan: MirrorPlan = { toCreate: [], toUpdate: [], toDelete: [], invalidAddresses: d.invalidAddresses, skippedAddresses: d.skippedAddresses };
  const existingByKey = new Map<string, EndpointSlice[]>();
  const sorted = [...existingSlices].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  for (const s of sorted) {
    const k = addrTypePortMapKey(s.addressType, s.ports);
    existingByKey.set(k, [...(existingByKey.get(k) ?? []), s]);
  }

  for (const [k, desired] of d.endpointsByKey) {
    const existing = existingByKey.get(k) ?? [];
    if (desired.size === 0) {
      plan.toDelete.push(...existing);
      continue;
    }
    const first = existing[0];
    plan.toDelete.push(...existing.slice(1));
    const addressType = k.split('|')[0] as AddressType;
    const next = newMirroredSlice(endpoints, d.portsByKey.get(k)!, addressType, first?.metadata.name);
    if (
      first &&
      unchanged(first, desired) &&
      sameStringMap(first.metadata.labels, next.metadata.labels) &&
      sameStringMap(first.metadata.annotations, next.metadata.annotations)
    ) {
      continue;
    }
    next.endpoints = desired.values().slice(0, maxEndpointsPerSubset);
    if (first?.metadata.resourceVersion) next.metadata.resourceVersion = first.metadata.resourceVersion;
    (first ? plan.toUpdate : plan.toCreate).push(next);
  }
  for (const [k, slices] of existingByKey) if (!d.endpointsByKey.has(k)) plan.toDelete.push(...slices);

  // Recycle: a slice about to be deleted takes the place of one about to be created.
  for (const t of ['IPv4', 'IPv6'] as const) {
    const creates = plan.toCreate.filter((s) => s.addressType === t);
    const deletes = plan.toDelete.filter((s) => s.addressType === t);
    for (let i = 0; i < creates.length && i < deletes.length; i++) {
      const c = creates[i]!;
      const old = deletes[i]!;
      plan.toCreate.splice(plan.toCreate.indexOf(c), 1);
      plan.toDelete.splice(plan.toDelete.indexOf(old), 1);
      delete c.metadata.generateName;
      c.metadata.name = old.metadata.name;
      if (old.metadata.resourceVersion) c.metadata.resourceVersion = old.metadata.resourceVersion;
      plan.toUpdate.push(c);
    }
  }
  return plan;
}
