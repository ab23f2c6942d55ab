// What the endpoint controllers need to know about a Pod (upstream's endpointslice/util and
// podutil): whether it belongs in endpoints at all, whether it is ready, which container port a
// Service port reaches, and whether a change to it can change any endpoints.
import type { Pod, Service, ServicePort } from '../../../api/core.js';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Succeeded or Failed: its containers are gone for good (not the same as terminating). */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPs, podIPs first as upstream reads them, falling back to podIP. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * ShouldPodBeInEndpoints: a pod with an IP that has not finished. Terminating pods (deletion
 * timestamp set) stay only when asked: EndpointSlices keep them (as serving/terminating), legacy
 * Endpoints only when the Service publishes not-ready addresses.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

/** A pod gets a DNS name under a headless Service when its subdomain names that Service. */
export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata.name && svc.metadata.namespace === pod.metadata.namespace;
}

/**
 * FindPort: the container port a Service port targets on this pod. A number is used as is; a
 * name is looked up among the pod's named ports of the same protocol (containers, then sidecar
 * init containers). Undefined when the pod has no such port: that pod is left out of the port.
 */
export function findPort(pod: Pod, svcPort: ServicePort): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  if (typeof target === 'number') return target;
  const protocol = svcPort.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  // A numeric string ("8080") is what an int-or-string holding a number looks like after some clients.
  if (/^[0-9]+$/.test(target)) return Number(target);
  return undefined;
}

export function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => (b ?? {})[k] === (a ?? {})[k]);
}

/**
 * podEndpointsChanged: `podChanged` when the pod's own endpoint (readiness, IPs, termination)
 * may differ; `labelsChanged` when the set of Services selecting it may differ (hostname and
 * subdomain count here, as they decide DNS names).
 */
export function podEndpointsChanged(oldPod: Pod, newPod: Pod): { podChanged: boolean; labelsChanged: boolean } {
  const labelsChanged =
    !sameLabels(oldPod.metadata.labels, newPod.metadata.labels) ||
    oldPod.spec?.hostname !== newPod.spec?.hostname ||
    oldPod.spec?.subdomain !== newPod.spec?.subdomain;
  const podChanged =
    oldPod.metadata.deletionTimestamp !== newPod.metadata.deletionTimestamp ||
    isPodReady(oldPod) !== isPodReady(newPod) ||
    isPodTerminal(oldPod) !== isPodTerminal(newPod) ||
    podIPs(oldPod).join(',') !== podIPs(newPod).join(',') ||
    oldPod.spec?.nodeName !== newPod.spec?.nodeName;
  return { podChanged, labelsChanged };
}
