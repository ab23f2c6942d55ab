// The Service field rules that sit around allocation in upstream's registry (storage.go's
// normalizeClusterIPs / patchAllocatedValues and strategy.go's dropTypeDependentFields): they
// decide what a create or update *means* for clusterIPs, nodePorts and healthCheckNodePort
// before anything is allocated or released.
import type { Service } from '../../api/core.js';

export const ClusterIPNone = 'None';

export function needsClusterIP(svc: Service): boolean {
  return svc.spec.type !== 'ExternalName';
}

export function needsNodePort(svc: Service): boolean {
  return svc.spec.type === 'NodePort' || svc.spec.type === 'LoadBalancer';
}

/** apiservice.NeedsHealthCheck: only LoadBalancers that keep traffic on the receiving node. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec.type === 'LoadBalancer' && svc.spec.externalTrafficPolicy === 'Local';
}

/** apiservice.ExternallyAccessible. */
export function externallyAccessible(svc: Service): boolean {
  return (
    svc.spec.type === 'LoadBalancer' ||
    svc.spec.type === 'NodePort' ||
    (svc.spec.type === 'ClusterIP' && (svc.spec.externalIPs?.length ?? 0) > 0)
  );
}

/** Whether new nodePorts are handed out; allocateLoadBalancerNodePorts defaults to true. */
export function shouldAllocateNodePorts(svc: Service): boolean {
  if (svc.spec.type === 'NodePort') return true;
  if (svc.spec.type === 'LoadBalancer') return svc.spec.allocateLoadBalancerNodePorts !== false;
  return false;
}

export function isHeadless(svc: Service): boolean {
  const ips = svc.spec.clusterIPs ?? [];
  return ips.length > 0 && ips[0] === ClusterIPNone;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export function sameClusterIPs(a: Service, b: Service): boolean {
  return sameStrings(a.spec.clusterIPs, b.spec.clusterIPs);
}

export function sameIPFamilies(a: Service, b: Service): boolean {
  return sameStrings(a.spec.ipFamilies, b.spec.ipFamilies);
}

/** nodePort values in use by a Service (zero means "none"). */
export function collectNodePorts(svc: Service): number[] {
  const out: number[] = [];
  for (const p of svc.spec.ports ?? []) if (p.nodePort) out.push(p.nodePort);
  return out;
}

/**
 * Keeps clusterIP and clusterIPs in step for clients that only know the singular field
 * (storage.go normalizeClusterIPs). `old` is undefined on create.
 */
export function normalizeClusterIPs(svc: Service, old?: Service): void {
  const spec = svc.spec;
  if (!old) {
    if (spec.clusterIP && !(spec.clusterIPs?.length)) spec.clusterIPs = [spec.clusterIP];
    return;
  }
  const oldSpec = old.spec;
  // An old client patched some other field and dropped clusterIPs on the way.
  if ((oldSpec.clusterIPs?.length ?? 0) > 0 && !(spec.clusterIPs?.length)) {
    if ((oldSpec.clusterIP ?? '') === (spec.clusterIP ?? '')) spec.clusterIPs = [...oldSpec.clusterIPs!];
  }
  if ((oldSpec.clusterIP ?? '') !== (spec.clusterIP ?? '')) {
    if (oldSpec.clusterIP && !spec.clusterIP) {
      // A client clearing the singular field means to clear both.
      if (sameClusterIPs(old, svc)) delete spec.clusterIPs;
    } else if (sameClusterIPs(old, svc)) {
      spec.clusterIPs = [spec.clusterIP!];
    }
  }
}

/**
 * Fills in values the server allocated but the client left out, so that re-applying the same
 * manifest succeeds (storage.go patchAllocatedValues).
 */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const spec = svc.spec;
  const oldSpec = old.spec;
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (!(spec.clusterIPs?.length) && (oldSpec.clusterIPs?.length ?? 0) > 0) spec.clusterIPs = [...oldSpec.clusterIPs!];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    // Ports set in both objects are taken; the old values are matched to new ports by name.
    const newUsed = new Set(collectNodePorts(svc));
    const used = new Set(collectNodePorts(old).filter((p) => newUsed.has(p)));
    const byName = new Map<string, number>();
    for (const p of oldSpec.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      if (oldVal && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc)) {
    if (!spec.healthCheckNodePort && oldSpec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/**
 * Clears fields the new type does not use, but only values the user left as they were (a
 * changed value is theirs to fix, and validation will tell them) — strategy.go's
 * dropTypeDependentFields. The cleared values are released by the update's transaction.
 */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const spec = svc.spec;
  const oldSpec = old.spec;
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if ((oldSpec.clusterIP ?? '') === (spec.clusterIP ?? '') && sameClusterIPs(old, svc)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameIPFamilies(old, svc)) delete spec.ipFamilies;
    if ((oldSpec.ipFamilyPolicy ?? '') === (spec.ipFamilyPolicy ?? '')) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    const oldPorts = new Set(collectNodePorts(old));
    if (collectNodePorts(svc).every((p) => oldPorts.has(p))) {
      for (const p of spec.ports ?? []) delete p.nodePort;
    }
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && (oldSpec.healthCheckNodePort ?? 0) === (spec.healthCheckNodePort ?? 0)) {
    delete spec.healthCheckNodePort;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (
      spec.allocateLoadBalancerNodePorts !== undefined &&
      oldSpec.allocateLoadBalancerNodePorts !== undefined &&
      spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts
    ) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if ((oldSpec.loadBalancerClass ?? null) === (spec.loadBalancerClass ?? null)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && oldSpec.externalTrafficPolicy === spec.externalTrafficPolicy) {
    delete spec.externalTrafficPolicy;
  }
  // LB de-provisioning is asynchronous, but users need not see that.
  if (spec.type !== 'LoadBalancer' && svc.status?.loadBalancer) svc.status.loadBalancer = {};
}
