// Predicates upstream's pkg/api/service and the validation share when reasoning about a Service.
import type { Service } from '../core.js';

export const ClusterIPNone = 'None';
/** MaxClientIPServiceAffinitySeconds: one day. */
export const MaxClientIPServiceAffinitySeconds = 86400;

/** Headless means clusterIPs is exactly ["None"] (validation runs after clusterIP/clusterIPs sync). */
export function isHeadlessService(svc: Service | undefined): boolean {
  const ips = svc?.spec?.clusterIPs ?? [];
  return ips.length === 1 && ips[0] === ClusterIPNone;
}

/** ExternallyAccessible: reachable from outside the cluster, so externalTrafficPolicy applies. */
export function externallyAccessible(svc: Service): boolean {
  const t = svc.spec?.type;
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && (svc.spec?.externalIPs ?? []).length > 0);
}

/** NeedsHealthCheck: only LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort. */
export function needsHealthCheck(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';
}
