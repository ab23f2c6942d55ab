// An EndpointSlice's identity and labels (upstream's endpointslice utils.go): generateName
// `<service>-`, the Service as controlling owner, the Service's own labels plus the reserved
// service-name, managed-by and headless labels.
import type { Service } from '../../api/core.js';
import type { EndpointSlice, EndpointSlicePort } from '../../api/discovery.js';
import type { OwnerReference } from '../../api/meta.js';
import { IsHeadlessService, LabelManagedBy, LabelServiceName } from './util/labels.js';
import type { AddressType } from './pod-to-endpoint.js';

const reserved = new Set([LabelServiceName, LabelManagedBy, IsHeadlessService]);

export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

export function serviceOwnerRef(service: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name ?? '',
    uid: service.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Owned by this very Service (same uid): slices of an earlier Service of that name are not. */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === service.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/** `<name>-`, unless that would be too long a name prefix (253 characters less the 5 random ones). */
export function endpointSlicePrefix(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return prefix.length > 253 - 5 ? serviceName : prefix;
}

/**
 * setEndpointSliceLabels: the labels a slice of this Service should carry, and whether its
 * non-reserved labels differ from the Service's (only that difference warrants an update).
 */
export function endpointSliceLabels(slice: EndpointSlice, service: Service, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const sliceLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice.metadata.labels ?? {})) if (!reserved.has(k)) sliceLabels[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.metadata.labels ?? {})) if (!reserved.has(k)) labels[k] = v;
  const keys = Object.keys(labels);
  const changed = keys.length !== Object.keys(sliceLabels).length || keys.some((k) => sliceLabels[k] !== labels[k]);
  if (!isServiceIPSet(service)) labels[IsHeadlessService] = '';
  labels[LabelServiceName] = service.metadata.name ?? '';
  labels[LabelManagedBy] = controllerName;
  return { labels, changed };
}

export function newEndpointSlice(service: Service, ports: EndpointSlicePort[], addressType: AddressType, controllerName: string): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: endpointSlicePrefix(service.metadata.name ?? ''),
      namespace: service.metadata.namespace ?? '',
      labels: {},
      ownerReferences: [serviceOwnerRef(service)],
    },
    addressType,
    endpoints: [],
    ports,
  };
  slice.metadata.labels = endpointSliceLabels(slice, service, controllerName).labels;
  return slice;
}

/**
 * getSliceToFill: the slice that ends up closest to full when `count` endpoints are added to it,
 * without overflowing; undefined when none has room.
 */
export function getSliceToFill(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (count + s.endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

/** The Service key (namespace/name) an EndpointSlice belongs to, from its service-name label. */
export function serviceKeyForSlice(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[LabelServiceName];
  return name ? `${slice.metadata.namespace ?? ''}/${name}` : undefined;
}
