// The ipsets upstream's IPVS mode keeps (pkg/proxy/ipvs/ipset.go): IPVS itself only balances, so
// every decision that needs iptables (masquerade, hairpin, source ranges, filtering) matches one
// of these sets instead of one rule per Service, which keeps the iptables part constant in size.
// Names, types, comments and the set order are upstream's, so `ipset list` reads the same.

export type IPSetType = 'hash:ip' | 'hash:ip,port' | 'hash:ip,port,ip' | 'hash:ip,port,net' | 'bitmap:port';

export interface IPSetInfo {
  name: string;
  type: IPSetType;
  comment: string;
}

export const S = {
  loopBack: 'KUBE-LOOP-BACK',
  clusterIP: 'KUBE-CLUSTER-IP',
  externalIP: 'KUBE-EXTERNAL-IP',
  externalIPLocal: 'KUBE-EXTERNAL-IP-LOCAL',
  loadBalancer: 'KUBE-LOAD-BALANCER',
  loadBalancerFW: 'KUBE-LOAD-BALANCER-FW',
  loadBalancerLocal: 'KUBE-LOAD-BALANCER-LOCAL',
  loadBalancerSourceIP: 'KUBE-LOAD-BALANCER-SOURCE-IP',
  loadBalancerSourceCIDR: 'KUBE-LOAD-BALANCER-SOURCE-CIDR',
  nodePortTCP: 'KUBE-NODE-PORT-TCP',
  nodePortLocalTCP: 'KUBE-NODE-PORT-LOCAL-TCP',
  nodePortUDP: 'KUBE-NODE-PORT-UDP',
  nodePortLocalUDP: 'KUBE-NODE-PORT-LOCAL-UDP',
  nodePortSCTP: 'KUBE-NODE-PORT-SCTP-HASH',
  nodePortLocalSCTP: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH',
  healthCheckNodePort: 'KUBE-HEALTH-CHECK-NODE-PORT',
  ipvsIPs: 'KUBE-IPVS-IPS',
} as const;

/** Upstream's ipsetInfo, in its order. */
export const ipsetInfo: readonly IPSetInfo[] = [
  { name: S.loopBack, type: 'hash:ip,port,ip', comment: 'Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose' },
  { name: S.clusterIP, type: 'hash:ip,port', comment: 'Kubernetes service cluster ip + port for masquerade purpose' },
  { name: S.externalIP, type: 'hash:ip,port', comment: 'Kubernetes service external ip + port for masquerade and filter purpose' },
  { name: S.externalIPLocal, type: 'hash:ip,port', comment: 'Kubernetes service external ip + port with externalTrafficPolicy=local' },
  { name: S.loadBalancer, type: 'hash:ip,port', comment: 'Kubernetes service lb portal' },
  { name: S.loadBalancerFW, type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port for load balancer with sourceRange' },
  { name: S.loadBalancerLocal, type: 'hash:ip,port', comment: 'Kubernetes service load balancer ip + port with externalTrafficPolicy=local' },
  { name: S.loadBalancerSourceIP, type: 'hash:ip,port,ip', comment: 'Kubernetes service load balancer ip + port + source IP for packet filter purpose' },
  { name: S.loadBalancerSourceCIDR, type: 'hash:ip,port,net', comment: 'Kubernetes service load balancer ip + port + source cidr for packet filter purpose' },
  { name: S.nodePortTCP, type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port for masquerade purpose' },
  { name: S.nodePortLocalTCP, type: 'bitmap:port', comment: 'Kubernetes nodeport TCP port with externalTrafficPolicy=local' },
  { name: S.nodePortUDP, type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port for masquerade purpose' },
  { name: S.nodePortLocalUDP, type: 'bitmap:port', comment: 'Kubernetes nodeport UDP port with externalTrafficPolicy=local' },
  { name: S.nodePortSCTP, type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'" },
  { name: S.nodePortLocalSCTP, type: 'hash:ip,port', comment: "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" },
  { name: S.healthCheckNodePort, type: 'bitmap:port', comment: 'Kubernetes health check node port' },
  { name: S.ipvsIPs, type: 'hash:ip', comment: 'Addresses on the ipvs interface' },
];

export const ipsetByName: ReadonlyMap<string, IPSetInfo> = new Map(ipsetInfo.map((s) => [s.name, s]));

/** Set name → entries, in ipset's own member syntax ("10.0.0.1,tcp:80", "30080", ...). */
export type IPSetEntries = Map<string, Set<string>>;

export function emptyIPSetEntries(): IPSetEntries {
  return new Map(ipsetInfo.map((s) => [s.name, new Set<string>()]));
}

/** Upstream's Entry.String() for each set type. */
export const entry = {
  ip: (ip: string) => ip,
  ipPort: (ip: string, proto: string, port: number) => `${ip},${proto}:${port}`,
  ipPortIP: (ip: string, proto: string, port: number, ip2: string) => `${ip},${proto}:${port},${ip2}`,
  ipPortNet: (ip: string, proto: string, port: number, net: string) => `${ip},${proto}:${port},${net}`,
  port: (port: number) => String(port),
};

/** The create line upstream's runner issues (defaults: hashsize 1024, maxelem 65536, port range 0-65535). */
export function createLine(s: IPSetInfo): string {
  if (s.type === 'bitmap:port') return `create ${s.name} ${s.type} range 0-65535`;
  return `create ${s.name} ${s.type} family inet hashsize 1024 maxelem 65536`;
}

/** Sorts entries numerically where ipset would (ports, addresses), so output is stable and readable. */
export function sortEntries(entries: Iterable<string>): string[] {
  return [...entries].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** `ipset restore` input: every set created (as upstream ensures them all), then its members. */
export function renderIPSets(sets: IPSetEntries): string {
  const lines: string[] = [];
  for (const s of ipsetInfo) {
    lines.push(createLine(s));
    for (const e of sortEntries(sets.get(s.name) ?? [])) lines.push(`add ${s.name} ${e}`);
  }
  return lines.join('\n') + '\n';
}
