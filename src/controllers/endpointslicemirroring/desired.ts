// What a user-written Endpoints object looks like as EndpointSlices (upstream's
// endpointslicemirroring desiredCalc and utils): one group of endpoints per subset's port set
// and address type, at most maxEndpointsPerSubset addresses from each subset, invalid IPs
// skipped; not-ready addresses become endpoints with ready=false.
import type { EndpointAddress, EndpointPort, Endpoints } from '../../api/core.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../api/discovery.js';
import { EndpointSet } from '../endpointslice/endpoint-set.js';
import { endpointSlicePrefix } from '../endpointslice/slice-meta.js';
import { portMapKey, type AddressType } from '../endpointslice/pod-to-endpoint.js';
import {
  EndpointsLastChangeTriggerTime,
  EndpointSliceMirroringControllerName,
  LabelManagedBy,
  LabelServiceName,
  LastAppliedConfigAnnotation,
} from '../endpointslice/util/labels.js';

/** Upstream's --mirroring-max-endpoints-per-subset default. */
export const defaultMaxEndpointsPerSubset = 1000;

/** The address in canonical form and its family; undefined when it is not an IP address. */
export function parseEndpointIP(ip: string): { ip: string; addressType: AddressType } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m) {
    const parts = m.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { ip: parts.join('.'), addressType: 'IPv4' };
  }
  if (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip)) {
    try {
      // URL parsing canonicalises an IPv6 address (lower case, zeros compressed).
      const host = new URL(`http://[${ip}]/`).hostname;
      return { ip: host.slice(1, -1), addressType: 'IPv6' };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function addressToEndpoint(address: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: AddressType } | undefined {
  const parsed = parseEndpointIP(address.ip ?? '');
  if (!parsed) return undefined;
  const endpoint: Endpoint = { addresses: [parsed.ip], conditions: { ready } };
  if (address.targetRef) endpoint.targetRef = structuredClone(address.targetRef);
  if (address.nodeName) endpoint.nodeName = address.nodeName;
  if (address.hostname) endpoint.hostname = address.hostname;
  return { endpoint, addressType: parsed.addressType };
}

export function endpointsPortsToSlicePorts(ports: EndpointPort[] | undefined): EndpointSlicePort[] {
  return (ports ?? []).map((p) => {
    const out: EndpointSlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol) out.appProtocol = p.appProtocol;
    return out;
  });
}

/** Groups slices by address type and port set. */
export function addrTypePortMapKey(addressType: string, ports: EndpointSlicePort[] | undefined): string {
  return `${addressType}|${portMapKey(ports)}`;
}

export interface DesiredMirror {
  endpointsByKey: Map<string, EndpointSet>;
  portsByKey: Map<string, EndpointSlicePort[]>;
  invalidAddresses: number;
  /** Invalid ones included. */
  skippedAddresses: number;
}

export function desiredMirror(endpoints: Endpoints, maxEndpointsPerSubset: number): DesiredMirror {
  const d: DesiredMirror = { endpointsByKey: new Map(), portsByKey: new Map(), invalidAddresses: 0, skippedAddresses: 0 };
  for (const subset of endpoints.subsets ?? []) {
    const ports = endpointsPortsToSlicePorts(subset.ports);
    const keys: Record<AddressType, string> = { IPv4: addrTypePortMapKey('IPv4', ports), IPv6: addrTypePortMapKey('IPv6', ports) };
    for (const k of Object.values(keys)) {
      if (!d.endpointsByKey.has(k)) d.endpointsByKey.set(k, new EndpointSet());
      d.portsByKey.set(k, ports);
    }
    const all: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    let added = 0;
    for (const [address, ready] of all) {
      // One subset fits one slice: the rest of a too-large subset is not mirrored.
      if (added >= maxEndpointsPerSubset) break;
      const ep = addressToEndpoint(address, ready);
      if (!ep) {
        d.invalidAddresses++;
        continue;
      }
      d.endpointsByKey.get(keys[ep.addressType])!.insert(ep.endpoint);
      added++;
    }
    d.skippedAddresses += all.length - added;
  }
  return d;
}

/** A mirrored slice: the Endpoints' labels and annotations (not its trigger time or kubectl's record), owned by it. */
export function newMirroredSlice(endpoints: Endpoints, ports: EndpointSlicePort[], addressType: AddressType, name: string | undefined): EndpointSlice {
  const labels: Record<string, string> = { ...(endpoints.metadata.labels ?? {}) };
  labels[LabelServiceName] = endpoints.metadata.name ?? '';
  labels[LabelManagedBy] = EndpointSliceMirroringControllerName;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(endpoints.metadata.annotations ?? {})) {
    if (k === EndpointsLastChangeTriggerTime || k === LastAppliedConfigAnnotation) continue;
    annotations[k] = v;
  }
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      namespace: endpoints.metadata.namespace ?? '',
      labels,
      annotations,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Endpoints',
          name: endpoints.metadata.name ?? '',
          uid: endpoints.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType,
    endpoints: [],
    ports,
  };
  if (name) slice.metadata.name = name;
  else slice.metadata.generateName = endpointSlicePrefix(endpoints.metadata.name ?? '');
  return slice;
}
