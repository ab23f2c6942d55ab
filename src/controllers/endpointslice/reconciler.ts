// The EndpointSlice reconciler as a pure function (upstream's k8s.io/endpointslice Reconciler):
// given a Service, the pods it selects and the slices that exist, decide which slices to create,
// update and delete. Churn is kept low the way upstream keeps it: endpoints stay in the slice
// that holds them and are updated in place; slices that changed anyway are filled up first
// (fullest first); leftovers go into the unchanged slice that ends up closest to full, and only
// then into new slices; a create paired with a delete becomes an update of the deleted slice.
import type { Node, Pod, Service } from '../../api/core.js';
import type { EndpointSlice, EndpointSlicePort } from '../../api/discovery.js';
import { EndpointSet, endpointsEqualBeyondHash } from './endpoint-set.js';
import { addressTypesForService, getEndpointPorts, podToEndpoint, portMapKey, type AddressType } from './pod-to-endpoint.js';
import { endpointSliceLabels, getSliceToFill, newEndpointSlice, ownedBy } from './slice-meta.js';
import { shouldPodBeInEndpoints } from './util/pod.js';

export const defaultMaxEndpointsPerSlice = 100;

export interface ReconcileInput {
  service: Service;
  pods: Pod[];
  existingSlices: EndpointSlice[];
  maxEndpointsPerSlice: number;
  controllerName: string;
  /**
   * The pod's Node from the cache: undefined when it does not exist (the pod is then skipped
   * unless the Service publishes not-ready addresses), null when there is no node lister.
   */
  nodeFor?: (name: string) => Node | undefined | null;
}

export interface EndpointSlicePlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  /** Pods left out because their Node is not (yet) known: the Service should be synced again. */
  podsWithoutNode: string[];
  added: number;
  removed: number;
}

function byName<T extends { metadata: { name?: string } }>(a: T, b: T): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

export function reconcileEndpointSlices(input: ReconcileInput): EndpointSlicePlan {
  const { service } = input;
  const plan: EndpointSlicePlan = { toCreate: [], toUpdate: [], toDelete: [], podsWithoutNode: [], added: 0, removed: 0 };
  const supported = addressTypesForService(service);
  const existing = input.existingSlices.map((s) => ({ ...s, endpoints: s.endpoints ?? [] })).sort(byName);
  const byType = new Map<AddressType, EndpointSlice[]>();
  for (const s of existing) {
    if (!supported.has(s.addressType as AddressType)) {
      plan.toDelete.push(s);
      continue;
    }
    const list = byType.get(s.addressType as AddressType) ?? [];
    list.push(s);
    byType.set(s.addressType as AddressType, list);
  }
  const pods = [...input.pods].sort(byName);
  for (const t of supported) {
    const p = reconcileByAddressType(input, pods, byType.get(t) ?? [], t);
    plan.toCreate.push(...p.toCreate);
    plan.toUpdate.push(...p.toUpdate);
    plan.toDelete.push(...p.toDelete);
    plan.added += p.added;
    plan.removed += p.removed;
    for (const n of p.podsWithoutNode) if (!plan.podsWithoutNode.includes(n)) plan.podsWithoutNode.push(n);
  }
  return plan;
}

function reconcileByAddressType(input: ReconcileInput, pods: Pod[], existingSlices: EndpointSlice[], addressType: AddressType): EndpointSlicePlan {
  const { service } = input;
  const plan: EndpointSlicePlan = { toCreate: [], toUpdate: [], toDelete: [], podsWithoutNode: [], added: 0, removed: 0 };

  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existingSlices) {
    if (!ownedBy(s, service)) {
      plan.toDelete.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  const desiredPorts = new Map<string, EndpointSlicePort[]>();
  const desiredByPorts = new Map<string, EndpointSet>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = getEndpointPorts(service, pod);
    const k = portMapKey(ports);
    if (!desiredByPorts.has(k)) {
      desiredByPorts.set(k, new EndpointSet());
      desiredPorts.set(k, ports);
    }
    let node: Node | undefined | null = null;
    const nodeName = pod.spec?.nodeName;
    if (nodeName && input.nodeFor) {
      node = input.nodeFor(nodeName);
      if (node === undefined) {
        // A pod on a Node that does not exist would otherwise keep the slice stuck; publishing
        // not-ready addresses is the user asking for the address regardless.
        plan.podsWithoutNode.push(`${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
        if (!service.spec?.publishNotReadyAddresses) continue;
      }
    }
    const ep = podToEndpoint(pod, node ?? undefined, service, addressType);
    if (ep.addresses.length > 0) desiredByPorts.get(k)!.insert(ep);
  }

  for (const [k, desired] of desiredByPorts) {
    const p = reconcileByPortMapping(input, existingByPorts.get(k) ?? [], desired, desiredPorts.get(k)!, addressType);
    plan.toCreate.push(...p.toCreate);
    plan.toUpdate.push(...p.toUpdate);
    plan.toDelete.push(...p.toDelete);
    plan.added += p.added;
    plan.removed += p.removed;
  }
  for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) plan.toDelete.push(...slices);

  // A Service with no endpoints still gets one empty slice, so consumers can tell "no
  // endpoints" from "not processed yet".
  if (existingSlices.length === plan.toDelete.length && plan.toCreate.length < 1) {
    const placeholder = newEndpointSlice(service, [], addressType, input.controllerName);
    if (plan.toDelete.length === 1 && isSamePlaceholder(plan.toDelete[0]!, placeholder)) plan.toDelete = [];
    else plan.toCreate.push(placeholder);
  }

  recycleDeletesAsUpdates(plan, service, addressType);
  return plan;
}

function sameStringMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/** Upstream's placeholderSliceCompare: same namespace, labels, owners, type, and no endpoints or ports. */
function isSamePlaceholder(a: EndpointSlice, b: EndpointSlice): boolean {
  const owners = (s: EndpointSlice) => JSON.stringify((s.metadata.ownerReferences ?? []).map((o) => [o.apiVersion, o.kind, o.name, o.uid, !!o.controller, !!o.blockOwnerDeletion]));
  return (
    a.metadata.namespace === b.metadata.namespace &&
    sameStringMap(a.metadata.labels, b.metadata.labels) &&
    owners(a) === owners(b) &&
    a.addressType === b.addressType &&
    (a.endpoints ?? []).length === 0 &&
    (b.endpoints ?? []).length === 0 &&
    (a.ports ?? []).length === 0 &&
    (b.ports ?? []).length === 0
  );
}

/**
 * Upstream's finalize step: rather than create one slice and delete another, reuse the name of
 * the one going away (only one of this Service's, of the same address type: a slice left by an
 * earlier Service of the same name is being garbage collected and must not be taken over).
 */
function recycleDeletesAsUpdates(plan: EndpointSlicePlan, service: Service, addressType: AddressType): void {
  for (let i = 0; i < plan.toDelete.length && plan.toCreate.length > 0; ) {
    const old = plan.toDelete[i]!;
    if (old.addressType === addressType && ownedBy(old, service)) {
      const slice = plan.toCreate.pop()!;
      const { generateName: _g, ...meta } = slice.metadata;
      slice.metadata = { ...meta, name: old.metadata.name };
      if (old.metadata.resourceVersion) slice.metadata.resourceVersion = old.metadata.resourceVersion;
      if (old.metadata.annotations) slice.metadata.annotations = { ...old.metadata.annotations };
      plan.toUpdate.push(slice);
      plan.toDelete.splice(i, 1);
    } else {
      i++;
    }
  }
}

function reconcileByPortMapping(
  input: ReconcileInput,
  existingSlices: EndpointSlice[],
  desired: EndpointSet,
  ports: EndpointSlicePort[],
  addressType: AddressType,
): EndpointSlicePlan {
  const max = input.maxEndpointsPerSlice;
  const { service, controllerName } = input;
  const slicesByName = new Map<string, EndpointSlice>();
  const unchanged: string[] = [];
  const toUpdate: string[] = [];
  const toDelete: string[] = [];
  let removed = 0;

  // 1. Keep the endpoints still desired where they are, updated; drop the rest.
  for (const s of existingSlices) {
    const name = s.metadata.name ?? '';
    slicesByName.set(name, s);
    const kept = [];
    let endpointUpdated = false;
    for (const ep of s.endpoints) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondHash(want, ep)) endpointUpdated = true;
      desired.delete(ep);
    }
    const { labels, changed: labelsChanged } = endpointSliceLabels(s, service, controllerName);
    if (endpointUpdated || kept.length !== s.endpoints.length) {
      removed += Math.max(0, s.endpoints.length - kept.length);
      if (kept.length === 0) {
        toDelete.push(name);
      } else {
        slicesByName.set(name, { ...structuredClone(s), endpoints: kept, metadata: { ...structuredClone(s.metadata), labels } });
        toUpdate.push(name);
      }
    } else if (labelsChanged) {
      slicesByName.set(name, { ...structuredClone(s), metadata: { ...structuredClone(s.metadata), labels } });
      toUpdate.push(name);
    } else {
      unchanged.push(name);
    }
  }

  const added = desired.size;

  // 2. Fill the slices being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.length > 0) {
    const slices = toUpdate.map((n) => slicesByName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) {
      while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(desired.popAny()!);
    }
  }

  // 3. Leftovers: into the unchanged slice closest to full that can take them all, else new slices.
  const toCreate: EndpointSlice[] = [];
  while (desired.size > 0) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.length > 0) {
      const found = getSliceToFill(
        unchanged.map((n) => slicesByName.get(n)!),
        desired.size,
        max,
      );
      if (found) {
        fill = structuredClone(found);
        slicesByName.set(fill.metadata.name ?? '', fill);
      }
    }
    fill ??= newEndpointSlice(service, ports, addressType, controllerName);
    while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(desired.popAny()!);
    if (fill.metadata.name) {
      toUpdate.push(fill.metadata.name);
      unchanged.splice(unchanged.indexOf(fill.metadata.name), 1);
    } else {
      toCreate.push(fill);
    }
  }

  return {
    toCreate,
    toUpdate: toUpdate.map((n) => slicesByName.get(n)!),
    toDelete: toDelete.map((n) => slicesByName.get(n)!),
    podsWithoutNode: [],
    added,
    removed,
  };
}
