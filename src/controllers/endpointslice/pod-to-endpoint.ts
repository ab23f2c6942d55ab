// A Pod as an EndpointSlice endpoint, and the ports it serves for a Service (upstream's
// endpointslice utils.go: podToEndpoint, getEndpointPorts, getEndpointAddresses).
import type { Node, Pod, Service } from '../../api/core.js';
import type { Endpoint, EndpointSlicePort } from '../../api/discovery.js';
import { findPort, isPodReady, podIPs, shouldSetHostname } from './util/pod.js';

export type AddressType = 'IPv4' | 'IPv6';

const LabelTopologyZone = 'topology.kubernetes.io/zone';

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The pod's addresses of this family. */
export function getEndpointAddresses(pod: Pod, addressType: AddressType): string[] {
  return podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6'));
}

/**
 * The endpoint conditions, as upstream computes them: serving follows the pod's Ready condition;
 * terminating is a deletion timestamp; ready is serving and not terminating — or always, when the
 * Service publishes not-ready addresses (which is why ready never means "serving" alone).
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, service: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: getEndpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LabelTopologyZone];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, service)) ep.hostname = pod.spec.hostname!;
  return ep;
}

/**
 * The Service's ports as this pod serves them. A port whose named targetPort the pod lacks is
 * left out, so such a pod lands in slices with a different port set. A headless Service may
 * have no ports at all.
 */
export function getEndpointPorts(service: Service, pod: Pod): EndpointSlicePort[] {
  const out: EndpointSlicePort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointSlicePort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Ports in one canonical order, so equal sets compare equal however they were listed. */
export function sortPorts(ports: EndpointSlicePort[]): EndpointSlicePort[] {
  const key = (p: EndpointSlicePort) => JSON.stringify([p.name ?? '', p.protocol ?? 'TCP', p.port ?? 0, p.appProtocol ?? '']);
  return [...ports].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** PortMapKey: identifies a set of ports (absent and empty names, and missing lists, compare equal). */
export function portMapKey(ports: EndpointSlicePort[] | undefined | null): string {
  return JSON.stringify(sortPorts(ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? 0, p.appProtocol ?? '']));
}

/** Address types a Service's endpoints come in, from its ipFamilies (or its ClusterIP, or both when headless). */
export function addressTypesForService(service: Service): Set<AddressType> {
  const out = new Set<AddressType>();
  for (const f of service.spec?.ipFamilies ?? []) out.add(f);
  if (out.size) return out;
  const ip = service.spec?.clusterIP;
  if (ip && ip !== 'None') {
    out.add(isIPv6(ip) ? 'IPv6' : 'IPv4');
    return out;
  }
  out.add('IPv4');
  out.add('IPv6');
  return out;
}
