// What the userspace proxy should listen on, as a pure function of the maps: for every Service
// port, a listener on ClusterIP:port, on each node address at the nodePort, on each local
// external IP and on each local LoadBalancer VIP, each bound to a balancer holding the endpoints
// its traffic policy allows. A listener exists only while its balancer has endpoints: with none
// there is nothing listening, so the kernel refuses connections at once (TCP RST, ICMP port
// unreachable for UDP), as upstream's REJECT rules do.
import type { Protocol } from '../../api/core.js';
import { categorizeEndpoints } from '../topology.js';
import type { EndpointInfo, EndpointsMap, ServicePortInfo, ServicePortMap } from '../types.js';
import type { AffinityPolicy } from './loadbalancer.js';

export type ListenerKind = 'ClusterIP' | 'NodePort' | 'ExternalIP' | 'LoadBalancer';

export interface ListenerSpec {
  /** "TCP 127.96.0.10:80": protocol, address and port, the listener's identity. */
  key: string;
  protocol: Protocol;
  ip: string;
  port: number;
  kind: ListenerKind;
  /** servicePortKey of the Service port it serves. */
  servicePort: string;
  /** The balancer connections are spread by. */
  balancer: string;
  /** Only these source ranges may connect (LoadBalancer listeners with loadBalancerSourceRanges). */
  sourceRanges: readonly string[];
}

export interface BalancerSpec {
  endpoints: string[];
  affinity: AffinityPolicy;
}

export interface ListenerPlan {
  listeners: Map<string, ListenerSpec>;
  balancers: Map<string, BalancerSpec>;
  /** Listener keys wanted by more than one Service port (the first, by name, wins). */
  conflicts: string[];
  /** For each conflict: the Service port left without that listener, and the one that has it. */
  lost: { key: string; servicePort: string; winner: string }[];
}

export interface PlanContext {
  nodeName: string;
  /** Addresses NodePorts listen on (the node IP and 127.0.0.1). */
  nodeAddresses: readonly string[];
  nodeLabels?: Record<string, string>;
  /** Whether an address is on this machine (so it can be listened on). */
  isLocalAddress: (ip: string) => boolean;
}

export function listenerKey(protocol: Protocol, ip: string, port: number): string {
  return `${protocol} ${ip}:${port}`;
}

interface PortPlan {
  sp: ServicePortInfo;
  eps: readonly EndpointInfo[] | undefined;
  listeners: ListenerSpec[];
  balancers: [string, BalancerSpec][];
}

/** One Service port's listeners and balancers (the listeners may still lose a conflict). */
function planServicePort(spKey: string, sp: ServicePortInfo, eps: readonly EndpointInfo[] | undefined, ctx: PlanContext): PortPlan {
  const out: PortPlan = { sp, eps, listeners: [], balancers: [] };
  if (sp.protocol !== 'TCP' && sp.protocol !== 'UDP') return out; // SCTP is not proxied in userspace mode
  const cat = categorizeEndpoints(eps ?? [], sp, ctx.nodeName, ctx.nodeLabels);
  const affinity: AffinityPolicy = { type: sp.sessionAffinity, ttlSeconds: sp.stickyMaxAgeSeconds };
  const balancerFor = (local: boolean): string | undefined => {
    const list = (local ? cat.localEndpoints : cat.clusterEndpoints) ?? [];
    if (list.length === 0) return undefined;
    const key = `${spKey}|${local ? 'local' : 'cluster'}`;
    if (!out.balancers.some(([k]) => k === key)) out.balancers.push([key, { endpoints: list.map((e) => e.endpoint), affinity }]);
    return key;
  };
  const add = (kind: ListenerKind, ip: string, port: number, balancer: string | undefined, sourceRanges: readonly string[] = []) => {
    if (!balancer || !port) return;
    const key = listenerKey(sp.protocol, ip, port);
    if (out.listeners.some((l) => l.key === key)) return;
    out.listeners.push({ key, protocol: sp.protocol, ip, port, kind, servicePort: spKey, balancer, sourceRanges });
  };
  const internal = balancerFor(sp.internalPolicyLocal);
  const external = hasExternal(sp) ? balancerFor(sp.externalPolicyLocal) : undefined;
  if (sp.clusterIP) add('ClusterIP', sp.clusterIP, sp.port, internal);
  for (const ip of ctx.nodeAddresses) add('NodePort', ip, sp.nodePort, external);
  for (const ip of sp.externalIPs) if (ctx.isLocalAddress(ip)) add('ExternalIP', ip, sp.port, external);
  for (const ip of sp.loadBalancerVIPs) {
    if (ctx.isLocalAddress(ip)) add('LoadBalancer', ip, sp.port, external, sp.loadBalancerSourceRanges);
  }
  return out;
}

/**
 * Plans listeners, remembering each Service port's plan: the change trackers replace a
 * ServicePortInfo or an endpoint list only when it changed, so an entry whose objects are the
 * same as last time reuses its plan (and the very same spec objects, which lets the provider
 * skip it). A sync touching one Service of thousands then costs little more than a map walk.
 */
export class ListenerPlanner {
  private memo = new Map<string, PortPlan>();

  /** Forget every remembered plan (a full sync, or node labels changed). */
  reset(): void {
    this.memo.clear();
  }

  plan(sm: ServicePortMap, em: EndpointsMap, ctx: PlanContext): ListenerPlan {
    const plan: ListenerPlan = { listeners: new Map(), balancers: new Map(), conflicts: [], lost: [] };
    const memo = new Map<string, PortPlan>();
    for (const spKey of [...sm.keys()].sort()) {
      const sp = sm.get(spKey)!;
      const eps = em.get(spKey);
      let pp = this.memo.get(spKey);
      if (!pp || pp.sp !== sp || pp.eps !== eps) pp = planServicePort(spKey, sp, eps, ctx);
      memo.set(spKey, pp);
      for (const [k, b] of pp.balancers) plan.balancers.set(k, b);
      for (const l of pp.listeners) {
        const have = plan.listeners.get(l.key);
        if (have) {
          if (have.servicePort !== spKey) {
            plan.conflicts.push(l.key);
            plan.lost.push({ key: l.key, servicePort: spKey, winner: have.servicePort });
          }
          continue;
        }
        plan.listeners.set(l.key, l);
      }
    }
    this.memo = memo;
    return plan;
  }
}

/** The plan for the maps as they are, from scratch. */
export function planListeners(sm: ServicePortMap, em: EndpointsMap, ctx: PlanContext): ListenerPlan {
  return new ListenerPlanner().plan(sm, em, ctx);
}

function hasExternal(sp: ServicePortInfo): boolean {
  return sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerVIPs.length > 0;
}
