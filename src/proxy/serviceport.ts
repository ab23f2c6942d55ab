// Service → ServicePorts, as upstream's newBaseServiceInfo and serviceToServiceMap: a pure
// function, so the change tracker can compare what a Service meant before and after an update.
import type { Protocol, Service, ServicePort as ApiServicePort } from '../api/core.js';
import { isIPv4 } from './ip.js';
import { servicePortKey, type ServicePortInfo, type ServicePortMap, type ServicePortName } from './types.js';

/** Upstream's default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const defaultStickyMaxAgeSeconds = 10800;

/** Headless and ExternalName Services have nothing to proxy (upstream's ShouldSkipService). */
export function shouldSkipService(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  if (!ip || ip === 'None') return true;
  return svc.spec.type === 'ExternalName';
}

/** The Service's IPv4 ClusterIP (upstream's GetClusterIPByFamily for IPv4), or "". */
export function clusterIPv4(svc: Service): string {
  const ips = svc.spec.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.find(isIPv4) ?? '';
}

/** Reachable from outside the cluster (upstream's apiservice.ExternallyAccessible). */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec.type ?? 'ClusterIP';
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0);
}

/** Upstream's apiservice.NeedsHealthCheck. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

export function newServicePortInfo(svc: Service, port: ApiServicePort): ServicePortInfo {
  const protocol: Protocol = port.protocol ?? 'TCP';
  const name: ServicePortName = {
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    port: port.name ?? '',
    protocol,
  };
  const affinity = svc.spec.sessionAffinity === 'ClientIP' ? 'ClientIP' : 'None';
  const lbVIPs = (svc.status?.loadBalancer?.ingress ?? [])
    // ipMode Proxy means the load balancer itself delivers to the node; kube-proxy must not capture the IP.
    .filter((ing) => ing.ip && (ing.ipMode === undefined || ing.ipMode === 'VIP'))
    .map((ing) => ing.ip!)
    .filter(isIPv4);
  const type = svc.spec.type ?? 'ClusterIP';
  return {
    name,
    clusterIP: clusterIPv4(svc),
    port: port.port,
    protocol,
    nodePort: (type === 'NodePort' || type === 'LoadBalancer') && port.nodePort ? port.nodePort : 0,
    externalIPs: (svc.spec.externalIPs ?? []).filter(isIPv4),
    loadBalancerVIPs: lbVIPs,
    loadBalancerSourceRanges: (svc.spec.loadBalancerSourceRanges ?? [])
      .map((r) => r.trim())
      .filter((r) => isIPv4(r.split('/')[0] ?? '')),
    sessionAffinity: affinity,
    stickyMaxAgeSeconds:
      affinity === 'ClientIP' ? (svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultStickyMaxAgeSeconds) : 0,
    externalPolicyLocal: externallyAccessible(svc) && svc.spec.externalTrafficPolicy === 'Local',
    internalPolicyLocal: svc.spec.internalTrafficPolicy === 'Local',
    healthCheckNodePort: needsHealthCheck(svc) ? (svc.spec.healthCheckNodePort ?? 0) : 0,
  };
}

/** All ServicePorts of one Service; empty for Services the proxy skips. */
export function serviceToServicePortMap(svc: Service | undefined): ServicePortMap {
  const out: ServicePortMap = new Map();
  if (!svc || shouldSkipService(svc) || !clusterIPv4(svc)) return out;
  for (const p of svc.spec.ports ?? []) {
    if (!p) continue;
    const info = newServicePortInfo(svc, p);
    out.set(servicePortKey(info.name), info);
  }
  return out;
}

/** Externally reachable: a NodePort, an external IP or a load-balancer VIP (upstream's ExternallyAccessible on ServicePort). */
export function servicePortExternallyAccessible(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.loadBalancerVIPs.length > 0 || sp.externalIPs.length > 0;
}

/** Upstream's UsesClusterEndpoints: some traffic to this port goes to endpoints on any node. */
export function usesClusterEndpoints(sp: ServicePortInfo): boolean {
  return !sp.internalPolicyLocal || (servicePortExternallyAccessible(sp) && !sp.externalPolicyLocal);
}

/** Upstream's UsesLocalEndpoints: some traffic to this port goes only to this node's endpoints. */
export function usesLocalEndpoints(sp: ServicePortInfo): boolean {
  return sp.internalPolicyLocal || (servicePortExternallyAccessible(sp) && sp.externalPolicyLocal);
}

/** Service name → healthCheckNodePort, for the Services that need one (upstream's HealthCheckNodePorts). */
export function healthCheckNodePorts(sm: ServicePortMap): Map<string, number> {
  const out = new Map<string, number>();
  for (const sp of sm.values()) {
    if (sp.healthCheckNodePort) out.set(`${sp.name.namespace}/${sp.name.name}`, sp.healthCheckNodePort);
  }
  return out;
}
