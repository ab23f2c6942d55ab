// EndpointSlice endpoints → the proxy's EndpointInfo (upstream's newBaseEndpointInfo), and the
// per-node count of ready endpoints the service health server reports.
import type { EndpointInfo, EndpointsMap } from './types.js';

export function newEndpointInfo(e: Omit<EndpointInfo, 'endpoint'>): EndpointInfo {
  return { ...e, endpoint: `${e.ip}:${e.port}` };
}

/** Endpoints ordered by "ip:port", as upstream sorts them, so equal sets compare equal. */
export function byEndpoint(a: EndpointInfo, b: EndpointInfo): number {
  return a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : 0;
}

/**
 * Service name → number of distinct ready local endpoint IPs (upstream's LocalReadyEndpoints).
 * By IP, not ip:port, so a pod serving two ports counts once; terminating endpoints do not count,
 * so a load balancer stops sending new traffic to a node whose pods are all going away.
 */
export function localReadyEndpoints(em: EndpointsMap): Map<string, number> {
  const ips = new Map<string, Set<string>>();
  for (const [key, eps] of em) {
    let svc: string | undefined;
    for (const ep of eps) {
      if (!ep.ready || !ep.isLocal) continue;
      // servicePortKey is "ns/name[:port]/PROTO": the Service is what precedes the port name or protocol.
      svc ??= key.slice(0, serviceEnd(key));
      let s = ips.get(svc);
      if (!s) ips.set(svc, (s = new Set()));
      s.add(ep.ip);
    }
  }
  return new Map([...ips].map(([k, v]) => [k, v.size]));
}

/** Length of the "ns/name" prefix of a servicePortKey. */
function serviceEnd(key: string): number {
  const slash = key.indexOf('/');
  const rest = key.slice(slash + 1);
  const m = /[:/]/.exec(rest);
  return m ? slash + 1 + m.index : key.length;
}
