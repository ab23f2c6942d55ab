// The subsets a Service's legacy Endpoints should hold (upstream's endpoints controller
// syncService, the pure part): one address per pod that belongs in endpoints, ready or not
// ready by its Ready condition (always ready when the Service publishes not-ready addresses),
// under every Service port the pod serves; then repacked into the canonical layout.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from '../../api/core.js';
import { findPort, isPodReady, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/util/pod.js';
import { repackSubsets } from './repack.js';

function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The address of the pod's IP in the Service's (first) family; undefined when it has none. */
export function podToEndpointAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  let family = service.spec?.ipFamilies?.[0];
  if (!family) {
    const ip = service.spec?.clusterIP;
    family = ip && ip !== 'None' ? (isIPv6(ip) ? 'IPv6' : 'IPv4') : isIPv6(pod.status?.podIP ?? '') ? 'IPv6' : 'IPv4';
  }
  const ip = podIPs(pod).find((p) => isIPv6(p) === (family === 'IPv6'));
  if (!ip) return undefined;
  const addr: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) addr.hostname = pod.spec.hostname!;
  return addr;
}

export interface DesiredSubsets {
  subsets: EndpointSubset[];
  ready: number;
  notReady: number;
}

export function desiredSubsets(service: Service, pods: Pod[]): DesiredSubsets {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const subsets: EndpointSubset[] = [];
  let ready = 0;
  let notReady = 0;
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined) => {
    const ports = port ? [port] : [];
    if (publishNotReady || isPodReady(pod)) {
      subsets.push({ addresses: [addr], ports });
      ready++;
    } else {
      subsets.push({ notReadyAddresses: [addr], ports });
      notReady++;
    }
  };
  const svcPorts = service.spec?.ports ?? [];
  let headlessWithoutPorts = false;
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podToEndpointAddress(service, pod);
    if (!addr) continue;
    if (svcPorts.length === 0) {
      // Only a headless Service may go without ports; its addresses are listed portless.
      if (service.spec?.clusterIP === 'None') {
        add(pod, addr, undefined);
        headlessWithoutPorts = true;
      }
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const epp: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol) epp.appProtocol = sp.appProtocol;
      add(pod, addr, epp);
    }
  }
  // Repacking needs ports to group by; portless subsets of a headless Service are merged by hand.
  if (headlessWithoutPorts) {
    const merged: EndpointSubset = {};
    for (const s of subsets) {
      if (s.addresses) (merged.addresses ??= []).push(...s.addresses);
      if (s.notReadyAddresses) (merged.notReadyAddresses ??= []).push(...s.notReadyAddresses);
    }
    return { subsets: subsets.length ? [merged] : [], ready, notReady };
  }
  return { subsets: repackSubsets(subsets), ready, notReady };
}

/** An address as a fixed-order tuple: key order in JSON from the server need not match ours; the target's resourceVersion is left out. */
function addressTuple(a: EndpointAddress): unknown[] {
  const r = a.targetRef;
  return [a.ip, a.hostname ?? '', a.nodeName ?? '', r ? [r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? '', r.fieldPath ?? ''] : null];
}

/** Canonical JSON of subsets for comparison: empty lists and absent ones alike. */
function canonical(subsets: EndpointSubset[] | undefined): string {
  return JSON.stringify(
    (subsets ?? []).map((s) => [
      (s.addresses ?? []).map(addressTuple),
      (s.notReadyAddresses ?? []).map(addressTuple),
      (s.ports ?? []).map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? '']),
    ]),
  );
}

/** endpointSubsetsEqualIgnoreResourceVersion: pod writes that move no address cause no Endpoints write. */
export function subsetsEqualIgnoreResourceVersion(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  return canonical(a) === canonical(b);
}
