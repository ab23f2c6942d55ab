// What upstream's IPVS proxier programs in one sync (syncProxyRules in pkg/proxy/ipvs/proxier.go),
// computed as a pure function of the proxy maps: one virtual server per Service IP and port
// (ClusterIP, each external IP, each load-balancer VIP, NodePort on every node IP), its real
// servers, the addresses bound to kube-ipvs0, and the ipset members the iptables rules match.
import { netContains, parseIPv4Net } from '../ip.js';
import type { RulesInput } from '../rules.js';
import { categorizeEndpoints } from '../topology.js';
import { servicePortNameString, type EndpointInfo, type ServicePortInfo } from '../types.js';
import { emptyIPSetEntries, entry, S, type IPSetEntries } from './ipset.js';

/** The schedulers --ipvs-scheduler accepts here (upstream's documented set, less mh). */
export const ipvsSchedulers = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq'] as const;
export type IPVSScheduler = (typeof ipvsSchedulers)[number];
export const defaultScheduler: IPVSScheduler = 'rr';

export function isIPVSScheduler(s: string): s is IPVSScheduler {
  return (ipvsSchedulers as readonly string[]).includes(s);
}

export type VirtualServerKind = 'ClusterIP' | 'ExternalIP' | 'LoadBalancer' | 'NodePort';

export interface RealServer {
  ip: string;
  port: number;
  /** Upstream always programs weight 1 (a terminating endpoint is drained to 0 by graceful termination, not here). */
  weight: number;
}

export interface VirtualServer {
  /** "ns/svc:port", upstream's ServicePortName.String(). */
  service: string;
  kind: VirtualServerKind;
  address: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  scheduler: IPVSScheduler;
  /** Persistence timeout in seconds for ClientIP affinity (ipvsadm -p), absent otherwise. */
  persistentTimeout?: number;
  realServers: RealServer[];
  /** The policy that chose the real servers: Local sends only to this node's endpoints when it has any. */
  onlyNodeLocal: boolean;
}

/** A load-balancer IP:port whose source ranges exclude the node: upstream drops node-originated traffic to it. */
export interface LBNoNodeAccess {
  ip: string;
  protocol: string;
  port: number;
}

export interface IPVSPlan {
  virtualServers: VirtualServer[];
  /** Addresses bound to kube-ipvs0 (upstream's activeBindAddrs), sorted. */
  bindAddresses: string[];
  ipsets: IPSetEntries;
  lbNoNodeAccess: LBNoNodeAccess[];
}

export interface IPVSOptions {
  scheduler?: IPVSScheduler;
}

/** Upstream's syncEndpoint choice: Local policy uses local endpoints, falling back to cluster ones when there are none (PR 97081). */
export function chooseRealServers(endpoints: readonly EndpointInfo[], sp: ServicePortInfo, nodeName: string, onlyNodeLocal: boolean): RealServer[] {
  const c = categorizeEndpoints(endpoints, sp, nodeName);
  const chosen = onlyNodeLocal && (c.localEndpoints?.length ?? 0) > 0 ? c.localEndpoints! : (c.clusterEndpoints ?? []);
  return [...chosen]
    .sort((a, b) => a.endpoint.localeCompare(b.endpoint, 'en', { numeric: true }))
    .map((ep) => ({ ip: ep.ip, port: ep.port, weight: 1 }));
}

export function buildIPVSPlan(input: RulesInput, opts: IPVSOptions = {}): IPVSPlan {
  const scheduler = opts.scheduler ?? defaultScheduler;
  const sets = emptyIPSetEntries();
  const add = (set: string, e: string) => sets.get(set)!.add(e);
  const vss: VirtualServer[] = [];
  const bind = new Set<string>();
  const lbNoNodeAccess: LBNoNodeAccess[] = [];
  const nodeIPs = input.nodeIPs;
  const nodeIPSet = new Set(nodeIPs);
  // Upstream's proxier.nodeIP: the node's primary address, used to decide whether source ranges admit the node itself.
  const primaryNodeIP = nodeIPs[0] ?? '';

  const keys = [...input.serviceMap.keys()].sort();
  for (const key of keys) {
    const sp = input.serviceMap.get(key)!;
    const proto = sp.protocol.toLowerCase();
    const endpoints = input.endpointsMap.get(key) ?? [];
    const name = servicePortNameString(sp.name);
    const vs = (kind: VirtualServerKind, address: string, port: number, onlyNodeLocal: boolean): VirtualServer => ({
      service: name,
      kind,
      address,
      port,
      protocol: sp.protocol,
      scheduler,
      ...(sp.sessionAffinity === 'ClientIP' ? { persistentTimeout: sp.stickyMaxAgeSeconds } : {}),
      realServers: chooseRealServers(endpoints, sp, input.nodeName, onlyNodeLocal),
      onlyNodeLocal,
    });

    // Hairpin: a local endpoint reaching itself through the Service must be masqueraded, or it
    // would answer itself directly and drop the reply.
    for (const ep of endpoints) {
      if (ep.isLocal && ep.ip && ep.port) add(S.loopBack, entry.ipPortIP(ep.ip, proto, ep.port, ep.ip));
    }

    add(S.clusterIP, entry.ipPort(sp.clusterIP, proto, sp.port));
    vss.push(vs('ClusterIP', sp.clusterIP, sp.port, sp.internalPolicyLocal));
    bind.add(sp.clusterIP);

    for (const ip of sp.externalIPs) {
      add(sp.externalPolicyLocal ? S.externalIPLocal : S.externalIP, entry.ipPort(ip, proto, sp.port));
      vss.push(vs('ExternalIP', ip, sp.port, sp.externalPolicyLocal));
      // An address the node already has elsewhere must not be added to the dummy device too.
      if (!nodeIPSet.has(ip)) bind.add(ip);
    }

    for (const ip of sp.loadBalancerVIPs) {
      const e = entry.ipPort(ip, proto, sp.port);
      add(S.loadBalancer, e);
      if (sp.externalPolicyLocal) add(S.loadBalancerLocal, e);
      if (sp.loadBalancerSourceRanges.length > 0) {
        add(S.loadBalancerFW, e);
        let allowFromNode = false;
        for (const cidr of sp.loadBalancerSourceRanges) {
          add(S.loadBalancerSourceCIDR, entry.ipPortNet(ip, proto, sp.port, cidr));
          const net = parseIPv4Net(cidr);
          if (net && primaryNodeIP && netContains(net, primaryNodeIP)) allowFromNode = true;
        }
        // Traffic from the node to its own LB VIP has the VIP as source under IPVS: admit it
        // explicitly when the ranges include the node, drop it otherwise.
        if (allowFromNode) add(S.loadBalancerSourceIP, entry.ipPortIP(ip, proto, sp.port, ip));
        else lbNoNodeAccess.push({ ip, protocol: proto, port: sp.port });
      }
      vss.push(vs('LoadBalancer', ip, sp.port, sp.externalPolicyLocal));
      if (!nodeIPSet.has(ip)) bind.add(ip);
    }

    if (sp.nodePort !== 0 && nodeIPs.length > 0) {
      if (proto === 'sctp') {
        // bitmap:port has no protocol, and SCTP has no third set: SCTP uses hash:ip,port per node IP.
        for (const nip of nodeIPs) {
          add(S.nodePortSCTP, entry.ipPort(nip, proto, sp.nodePort));
          if (sp.externalPolicyLocal) add(S.nodePortLocalSCTP, entry.ipPort(nip, proto, sp.nodePort));
        }
      } else {
        const tcp = proto === 'tcp';
        add(tcp ? S.nodePortTCP : S.nodePortUDP, entry.port(sp.nodePort));
        if (sp.externalPolicyLocal) add(tcp ? S.nodePortLocalTCP : S.nodePortLocalUDP, entry.port(sp.nodePort));
      }
      // Node IPs are the node's own: never bound to kube-ipvs0.
      for (const nip of nodeIPs) vss.push(vs('NodePort', nip, sp.nodePort, sp.externalPolicyLocal));
    }

    if (sp.healthCheckNodePort !== 0) add(S.healthCheckNodePort, entry.port(sp.healthCheckNodePort));
  }

  for (const a of bind) add(S.ipvsIPs, entry.ip(a));
  const bindAddresses = [...bind].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { virtualServers: vss, bindAddresses, ipsets: sets, lbNoNodeAccess };
}
