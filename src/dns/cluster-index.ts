// What the kubernetes handler knows about the cluster: slim copies of Services, EndpointSlices
// and pods, as CoreDNS keeps (object.Service, object.Endpoints), so a cache of thousands of
// objects costs little and the handler never sees fields it must not depend on.
import type { Service, Pod } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';

export interface SlimPort {
  /** "" for an unnamed port. */
  name: string;
  /** Upper case, as the API spells it: TCP, UDP or SCTP. */
  protocol: string;
  port: number;
}

export interface SlimService {
  namespace: string;
  name: string;
  type: string;
  /** ClusterIPs in spec order, without "None"; empty for headless and ExternalName Services. */
  clusterIPs: string[];
  headless: boolean;
  /** Lower case, without a trailing dot; set for ExternalName Services only. */
  externalName?: string;
  ports: SlimPort[];
  publishNotReadyAddresses: boolean;
}

export interface SlimEndpoint {
  addresses: string[];
  hostname?: string;
  /** `conditions.ready`, with absent meaning ready (as the API defines it). */
  ready: boolean;
}

export interface SlimEndpointSlice {
  namespace: string;
  name: string;
  /** The Service the slice belongs to (label kubernetes.io/service-name). */
  service: string;
  addressType: 'IPv4' | 'IPv6';
  endpoints: SlimEndpoint[];
  ports: SlimPort[];
}

export interface SlimPod {
  namespace: string;
  name: string;
  ips: string[];
}

/** The read side the kubernetes handler uses; implemented over informers and, for tests, statically. */
export interface ClusterIndex {
  /** False until every source has been listed once; the handler answers SERVFAIL until then. */
  synced(): boolean;
  /** Unix seconds of the last change seen, the SOA serial (CoreDNS uses the same). */
  modified(): number;
  namespaceExists(ns: string): boolean;
  /** All Services, those of one namespace, or the one named (0 or 1 element). */
  services(ns?: string, name?: string): SlimService[];
  endpointSlices(ns: string, svc: string): SlimEndpointSlice[];
  /** Services with this ClusterIP (for PTR). */
  servicesByIP(ip: string): SlimService[];
  /** EndpointSlices holding an endpoint with this address (for PTR). */
  endpointSlicesByIP(ip: string): SlimEndpointSlice[];
  /** Pods with this IP; only filled when pod records are verified (CoreDNS `pods verified`). */
  podByIP(ip: string): SlimPod[];
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function slimPorts(ports: { name?: string; protocol?: string; port?: number }[] | undefined): SlimPort[] {
  const out: SlimPort[] = [];
  for (const p of ports ?? []) {
    if (p.port === undefined || p.port === null) continue;
    out.push({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toUpperCase(), port: p.port });
  }
  return out;
}

export function slimService(svc: Service): SlimService {
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  const headless = type !== 'ExternalName' && (spec.clusterIP === 'None' || ips[0] === 'None');
  const out: SlimService = {
    namespace: svc.metadata.namespace ?? 'default',
    name: svc.metadata.name ?? '',
    type,
    clusterIPs: type === 'ExternalName' ? [] : ips.filter((ip) => ip && ip !== 'None'),
    headless,
    ports: slimPorts(spec.ports),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
  if (type === 'ExternalName' && spec.externalName) out.externalName = spec.externalName.toLowerCase().replace(/\.$/, '');
  return out;
}

/** undefined for slices DNS ignores: FQDN address type, or no owning Service. */
export function slimEndpointSlice(es: EndpointSlice): SlimEndpointSlice | undefined {
  const service = es.metadata.labels?.[SERVICE_NAME_LABEL];
  if (!service || (es.addressType !== 'IPv4' && es.addressType !== 'IPv6')) return undefined;
  return {
    namespace: es.metadata.namespace ?? 'default',
    name: es.metadata.name ?? '',
    service,
    addressType: es.addressType,
    endpoints: (es.endpoints ?? []).map((e) => {
      const ep: SlimEndpoint = { addresses: [...(e.addresses ?? [])], ready: e.conditions?.ready !== false };
      if (e.hostname) ep.hostname = e.hostname.toLowerCase();
      return ep;
    }),
    ports: slimPorts(es.ports),
  };
}

export function slimPod(pod: Pod): SlimPod {
  const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  return { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', ips };
}
