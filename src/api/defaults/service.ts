// SetDefaults_Service (pkg/apis/core/v1/defaults.go). IP families and the clusterIP/clusterIPs
// sync are not defaults upstream: the Service registry sets them knowing the old object (here
// src/apiserver/allocators does); setDefaultIPFamilies is the create-time rule, for callers
// without an allocator.
import type { Service } from '../core.js';
import { externallyAccessible } from '../validation/service-helpers.js';
import { normalizeClusterIPs } from '../validation/service-clusterips.js';

/** DefaultClientIPServiceAffinitySeconds: three hours. */
export const DefaultClientIPServiceAffinitySeconds = 10800;

export function setDefaultsService(svc: Service): void {
  const spec = (svc.spec ??= {});
  if (!spec.sessionAffinity) spec.sessionAffinity = 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    if (t === undefined || t === null) {
      spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: DefaultClientIPServiceAffinitySeconds } };
    }
  }
  if (!spec.type) spec.type = 'ClusterIP';
  for (const sp of spec.ports ?? []) {
    if (!sp.protocol) sp.protocol = 'TCP';
    // Both int 0 and "" are intstr's zero value: target the Service port itself.
    if (sp.targetPort === undefined || sp.targetPort === null || sp.targetPort === 0 || sp.targetPort === '') {
      sp.targetPort = sp.port;
    }
  }
  if (externallyAccessible(svc) && !spec.externalTrafficPolicy) spec.externalTrafficPolicy = 'Cluster';
  if (spec.internalTrafficPolicy === undefined || spec.internalTrafficPolicy === null) {
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer' || spec.type === 'ClusterIP') spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === undefined || spec.allocateLoadBalancerNodePorts === null) {
      spec.allocateLoadBalancerNodePorts = true;
    }
    for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  }
}

/**
 * The registry's IP-family defaulting for a single-stack IPv4 cluster: nothing for
 * ExternalName; headless without selector gets RequireDualStack with both families (its
 * endpoints are user-managed and may be of either family); everything else SingleStack [IPv4]
 * unless clusterIPs or ipFamilies already name two families.
 */
export function setDefaultIPFamilies(svc: Service): void {
  normalizeClusterIPs(undefined, svc);
  const spec = (svc.spec ??= {});
  if (spec.type === 'ExternalName') return;
  const clusterIPs = spec.clusterIPs ?? [];
  const headless = clusterIPs.length > 0 && clusterIPs[0] === 'None';
  const selectorless = Object.keys(spec.selector ?? {}).length === 0;
  if (!spec.ipFamilyPolicy) {
    if (clusterIPs.length === 2 || (spec.ipFamilies ?? []).length === 2 || (headless && selectorless)) {
      spec.ipFamilyPolicy = 'RequireDualStack';
    } else {
      spec.ipFamilyPolicy = 'SingleStack';
    }
  }
  let families = spec.ipFamilies ?? [];
  if (families.length === 0) {
    for (const ip of clusterIPs) {
      if (ip === 'None') break;
      families.push(ip.includes(':') ? 'IPv6' : 'IPv4');
    }
    if (families.length === 0) families = ['IPv4'];
  }
  if (headless && selectorless && spec.ipFamilyPolicy !== 'SingleStack' && families.length === 1) {
    families.push(families[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  }
  spec.ipFamilies = families;
}
