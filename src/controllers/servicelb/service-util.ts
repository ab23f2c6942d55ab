// Which Services this LoadBalancer controller serves and what they ask for.
import type { LoadBalancerIngress, Service } from '../../api/core.js';

/** kubesvc's loadBalancerClass; a LoadBalancer Service without a class is ours too. */
export const ServiceLBClass = 'kubesvc.io/servicelb';

/** MetalLB's annotations for requesting addresses (the newer spelling first). */
export const loadBalancerIPsAnnotations = ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'];

export function isLoadBalancer(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer';
}

/** A LoadBalancer Service whose class is unset or ours. */
export function wantsOurLoadBalancer(svc: Service, ourClass: string): boolean {
  if (!isLoadBalancer(svc)) return false;
  const cls = svc.spec?.loadBalancerClass;
  return !cls || cls === ourClass;
}

/**
 * The address the user asked for: spec.loadBalancerIP, else the first IPv4 entry of the MetalLB
 * annotation. Undefined when none was asked for.
 */
export function requestedIP(svc: Service): string | undefined {
  const ip = svc.spec?.loadBalancerIP?.trim();
  if (ip) return ip;
  for (const a of loadBalancerIPsAnnotations) {
    const v = svc.metadata.annotations?.[a];
    if (!v) continue;
    const entries = v
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    // IPv6 entries are for dual-stack pools, which this controller does not have.
    return entries.find((e) => !e.includes(':')) ?? entries[0];
  }
  return undefined;
}

export function ingressIPs(svc: Service): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
}

export function desiredIngress(ip: string): LoadBalancerIngress[] {
  return [{ ip, ipMode: 'VIP' }];
}

/** Whether the status already says exactly this. */
export function ingressMatches(svc: Service, want: LoadBalancerIngress[]): boolean {
  const have = svc.status?.loadBalancer?.ingress ?? [];
  return (
    have.length === want.length &&
    have.every((h, i) => h.ip === want[i]!.ip && (h.ipMode ?? 'VIP') === want[i]!.ipMode && !h.hostname && !(h.ports ?? []).length)
  );
}
