// The proxy's own view of Services and endpoints, as upstream's pkg/proxy keeps it: one
// ServicePort per (Service, port name, protocol) and the endpoints behind each. Every mode reads
// only these, never the API objects, so rule generators stay pure functions of two maps.
import type { Protocol } from '../api/core.js';

/** A Service port's identity: upstream's ServicePortName (namespace/name, port name, protocol). */
export interface ServicePortName {
  namespace: string;
  name: string;
  /** The Service port's name; "" for the single unnamed port. */
  port: string;
  protocol: Protocol;
}

/** Upstream's ServicePortName.String(): "ns/svc:port", or "ns/svc" for an unnamed port (no protocol). */
export function servicePortNameString(spn: ServicePortName): string {
  return `${spn.namespace}/${spn.name}${spn.port ? `:${spn.port}` : ''}`;
}

/** Map key: the name plus protocol, since "dns" may be both UDP and TCP. */
export function servicePortKey(spn: ServicePortName): string {
  return `${servicePortNameString(spn)}/${spn.protocol}`;
}

/** "ns/name" of a Service (upstream's NamespacedName.String()). */
export function namespacedName(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** What a mode needs to know about one Service port (upstream's BaseServicePortInfo). */
export interface ServicePortInfo {
  readonly name: ServicePortName;
  readonly clusterIP: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** 0 when the Service has no NodePort for this port. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress IPs whose ipMode is VIP (or unset). */
  readonly loadBalancerVIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  readonly sessionAffinity: 'None' | 'ClientIP';
  /** Affinity timeout; only meaningful for ClientIP (default 10800 s, as upstream). */
  readonly stickyMaxAgeSeconds: number;
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** Non-zero only for LoadBalancer Services with externalTrafficPolicy Local. */
  readonly healthCheckNodePort: number;
}

/** One endpoint of a Service port (upstream's BaseEndpointInfo). */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  /** "ip:port", the endpoint's identity (upstream's Endpoint.String()). */
  readonly endpoint: string;
  /** On this node (nodeName equals the proxy's node name). */
  readonly isLocal: boolean;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName: string;
  readonly zone: string;
  readonly zoneHints: readonly string[];
  readonly nodeHints: readonly string[];
}

/** ServicePortMap: servicePortKey → ServicePortInfo. */
export type ServicePortMap = Map<string, ServicePortInfo>;

/** EndpointsMap: servicePortKey → endpoints, sorted by "ip:port". */
export type EndpointsMap = Map<string, readonly EndpointInfo[]>;
