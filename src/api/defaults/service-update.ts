// What upstream's Service registry does to an update before validating it (strategy
// PrepareForUpdate + storage patchAllocatedValues): keep allocated values a client omitted,
// sync clusterIP/clusterIPs, and drop fields the new type no longer uses. Pure, in place.
import type { Service } from '../core.js';
import { normalizeClusterIPs } from '../validation/service-clusterips.js';
import { externallyAccessible, needsHealthCheck } from '../validation/service-helpers.js';

const needsClusterIP = (s: Service): boolean => s.spec?.type !== 'ExternalName';
const needsNodePort = (s: Service): boolean => s.spec?.type === 'NodePort' || s.spec?.type === 'LoadBalancer';

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** patchAllocatedValues: `kubectl replace` of a manifest without clusterIP/nodePort keeps them. */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const o = old.spec ?? {};
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && o.clusterIP) spec.clusterIP = o.clusterIP;
    if ((spec.clusterIPs ?? []).length === 0 && (o.clusterIPs ?? []).length > 0) spec.clusterIPs = [...o.clusterIPs!];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const newUsed = new Set((spec.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0));
    const used = new Set((o.ports ?? []).map((p) => p.nodePort ?? 0).filter((n) => n !== 0 && newUsed.has(n)));
    // Ports are matched by name: the user may have changed anything else about them.
    const byName = new Map((o.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0]));
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const v = byName.get(p.name ?? '') ?? 0;
      if (v !== 0 && !used.has(v)) p.nodePort = v;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !spec.healthCheckNodePort && o.healthCheckNodePort) {
    spec.healthCheckNodePort = o.healthCheckNodePort;
  }
}

/** dropTypeDependentFields: wipe what the old type allocated, unless the user also edited it. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = (svc.spec ??= {});
  const o = old.spec ?? {};
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (same(o.clusterIPs, spec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(o.ipFamilies, spec.ipFamilies)) delete spec.ipFamilies;
    if (same(o.ipFamilyPolicy, spec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const oldNP = (o.ports ?? []).map((p) => p.nodePort ?? 0);
    const newNP = (spec.ports ?? []).map((p) => p.nodePort ?? 0);
    if (same(oldNP, newNP)) for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && (o.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)) {
    delete spec.healthCheckNodePort;
  }
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts !== undefined && o.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (same(o.loadBalancerClass, spec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && (o.externalTrafficPolicy ?? '') === (spec.externalTrafficPolicy ?? '')) {
    delete spec.externalTrafficPolicy;
  }
  // A Service that stopped being a LoadBalancer has no load balancer to report.
  if (spec.type !== 'LoadBalancer' && svc.status?.loadBalancer) svc.status.loadBalancer = {};
}

/**
 * The registry's update preparation, in upstream's order: keep allocated values, sync
 * clusterIP/clusterIPs against the old object, then drop type-dependent fields. Call after
 * `kindRules.Service.defaults` and before `validateUpdate`, and store the result. (kubesvc's
 * Service allocator runs its own copy of these steps in beginUpdate.)
 */
export function prepareServiceForUpdate(svc: Service, old: Service): void {
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(old, svc);
  dropTypeDependentFields(svc, old);
}
