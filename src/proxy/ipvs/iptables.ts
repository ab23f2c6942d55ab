// The few iptables rules upstream's IPVS mode adds (writeIptablesRules and createAndLinkKubeChain
// in pkg/proxy/ipvs/proxier.go). IPVS does the DNAT; iptables only marks for masquerade, handles
// hairpin and source ranges, and filters access to the VIPs, each by matching an ipset, so the
// rule count stays constant however many Services there are.
import { ipsetByName, S, type IPSetEntries } from './ipset.js';
import type { LBNoNodeAccess } from './plan.js';

/** Upstream's default --iptables-masquerade-bit 14. */
export const masqueradeMark = '0x4000';

interface SetRule {
  set: string;
  table: 'nat' | 'filter';
  from: string;
  to: string;
  matchType: string;
  protocol?: string;
}

/** Upstream's ipsetWithIptablesChain, in its order (Local node-port sets before the others). */
const ipsetWithIptablesChain: readonly SetRule[] = [
  { set: S.loopBack, table: 'nat', from: 'KUBE-POSTROUTING', to: 'MASQUERADE', matchType: 'dst,dst,src' },
  { set: S.loadBalancer, table: 'nat', from: 'KUBE-SERVICES', to: 'KUBE-LOAD-BALANCER', matchType: 'dst,dst' },
  { set: S.loadBalancerLocal, table: 'nat', from: 'KUBE-LOAD-BALANCER', to: 'RETURN', matchType: 'dst,dst' },
  { set: S.nodePortLocalTCP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', matchType: 'dst', protocol: 'tcp' },
  { set: S.nodePortTCP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', matchType: 'dst', protocol: 'tcp' },
  { set: S.nodePortLocalUDP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', matchType: 'dst', protocol: 'udp' },
  { set: S.nodePortUDP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', matchType: 'dst', protocol: 'udp' },
  { set: S.nodePortLocalSCTP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'RETURN', matchType: 'dst,dst', protocol: 'sctp' },
  { set: S.nodePortSCTP, table: 'nat', from: 'KUBE-NODE-PORT', to: 'KUBE-MARK-MASQ', matchType: 'dst,dst', protocol: 'sctp' },
  { set: S.loadBalancerFW, table: 'filter', from: 'KUBE-PROXY-FIREWALL', to: 'KUBE-SOURCE-RANGES-FIREWALL', matchType: 'dst,dst' },
  { set: S.loadBalancerSourceCIDR, table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', matchType: 'dst,dst,src' },
  { set: S.loadBalancerSourceIP, table: 'filter', from: 'KUBE-SOURCE-RANGES-FIREWALL', to: 'RETURN', matchType: 'dst,dst,src' },
];

/** Upstream's iptablesChains: the chains the restore declares. */
const natChains = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
const filterChains = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'];

/** Upstream's iptablesJumpChain: ensured with `iptables -I` outside the restore (the restore never touches built-in chains). */
export const jumpRules: readonly { table: 'nat' | 'filter'; from: string; to: string; comment: string }[] = [
  { table: 'nat', from: 'OUTPUT', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'PREROUTING', to: 'KUBE-SERVICES', comment: 'kubernetes service portals' },
  { table: 'nat', from: 'POSTROUTING', to: 'KUBE-POSTROUTING', comment: 'kubernetes postrouting rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-FORWARD', comment: 'kubernetes forwarding rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-NODE-PORT', comment: 'kubernetes health check rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'FORWARD', to: 'KUBE-PROXY-FIREWALL', comment: 'kube-proxy firewall rules' },
  { table: 'filter', from: 'INPUT', to: 'KUBE-IPVS-FILTER', comment: 'kubernetes ipvs access filter' },
  { table: 'filter', from: 'OUTPUT', to: 'KUBE-IPVS-OUT-FILTER', comment: 'kubernetes ipvs access filter' },
];

export interface IPVSIptablesInput {
  ipsets: IPSetEntries;
  lbNoNodeAccess: readonly LBNoNodeAccess[];
  /** The pod range; with it, only traffic from outside it is masqueraded (upstream's local detector). */
  clusterCIDR?: string;
  masqueradeAll?: boolean;
}

const comment = (set: string) => `"${ipsetByName.get(set)!.comment}"`;

export function renderIPVSIptables(input: IPVSIptablesInput): string {
  const nat: string[] = [];
  const filter: string[] = [];
  const nonEmpty = (set: string) => (input.ipsets.get(set)?.size ?? 0) > 0;

  // Connections to localhost never reach a Service through IPVS: leave them early.
  nat.push('-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN');
  for (const r of ipsetWithIptablesChain) {
    if (!nonEmpty(r.set)) continue;
    const p = r.protocol ? ` -p ${r.protocol}` : '';
    const line = `-A ${r.from}${p} -m comment --comment ${comment(r.set)} -m set --match-set ${r.set} ${r.matchType} -j ${r.to}`;
    (r.table === 'nat' ? nat : filter).push(line);
  }
  if (nonEmpty(S.clusterIP)) {
    const base = `-A KUBE-SERVICES -m comment --comment ${comment(S.clusterIP)} -m set --match-set ${S.clusterIP}`;
    if (input.masqueradeAll) nat.push(`${base} dst,dst -j KUBE-MARK-MASQ`);
    // Off-cluster traffic to a VIP may be bounced to another node: masquerade it.
    else if (input.clusterCIDR) nat.push(`${base} dst,dst ! -s ${input.clusterCIDR} -j KUBE-MARK-MASQ`);
    // Without a pod range, masquerade node-originated traffic whose source is a VIP on kube-ipvs0.
    else nat.push(`${base} src,dst -j KUBE-MARK-MASQ`);
  }
  const externalIPRules = (args: string) => {
    // Accept traffic from off the machine (not from a bridge, not local), and traffic to external IPs that are local.
    nat.push(`${args} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT`);
    nat.push(`${args} -m addrtype --dst-type LOCAL -j ACCEPT`);
  };
  if (nonEmpty(S.externalIP)) {
    const args = `-A KUBE-SERVICES -m comment --comment ${comment(S.externalIP)} -m set --match-set ${S.externalIP} dst,dst`;
    nat.push(`${args} -j KUBE-MARK-MASQ`);
    externalIPRules(args);
  }
  if (nonEmpty(S.externalIPLocal)) {
    externalIPRules(`-A KUBE-SERVICES -m comment --comment ${comment(S.externalIPLocal)} -m set --match-set ${S.externalIPLocal} dst,dst`);
  }
  nat.push('-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT');
  nat.push('-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ');
  filter.push('-A KUBE-SOURCE-RANGES-FIREWALL -j DROP');
  for (const e of input.lbNoNodeAccess) {
    filter.push(`-A KUBE-IPVS-OUT-FILTER -s ${e.ip} -m ipvs --vaddr ${e.ip} --vproto ${e.protocol} --vport ${e.port} -j DROP`);
  }
  // Accept VIP traffic at the end of KUBE-SERVICES so later rules elsewhere cannot break IPVS.
  for (const set of [S.clusterIP, S.loadBalancer]) {
    if (nonEmpty(set)) nat.push(`-A KUBE-SERVICES -m set --match-set ${set} dst,dst -j ACCEPT`);
  }
  const mark = `${masqueradeMark}/${masqueradeMark}`;
  filter.push(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${mark} -j ACCEPT`);
  filter.push('-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  filter.push(`-A KUBE-NODE-PORT -m comment --comment ${comment(S.healthCheckNodePort)} -m set --match-set ${S.healthCheckNodePort} dst -j ACCEPT`);
  // VIPs are local addresses on kube-ipvs0: without this, any host port would answer on them (upstream issue 72236).
  for (const set of [S.loadBalancer, S.clusterIP, S.externalIP, S.externalIPLocal]) {
    filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${set} dst,dst -j RETURN`);
  }
  filter.push(`-A KUBE-IPVS-FILTER -m set --match-set ${S.healthCheckNodePort} dst -j RETURN`);
  filter.push(`-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set ${S.ipvsIPs} dst -j REJECT`);
  nat.push(`-A KUBE-POSTROUTING -m mark ! --mark ${mark} -j RETURN`);
  // Clear the mark so a packet that re-traverses the stack is not masqueraded twice.
  nat.push(`-A KUBE-POSTROUTING -j MARK --xor-mark ${masqueradeMark}`);
  nat.push('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
  nat.push(`-A KUBE-MARK-MASQ -j MARK --or-mark ${masqueradeMark}`);

  return [
    '*nat',
    ...natChains.map((c) => `:${c} - [0:0]`),
    ...nat,
    'COMMIT',
    '*filter',
    ...filterChains.map((c) => `:${c} - [0:0]`),
    ...filter,
    'COMMIT',
  ].join('\n') + '\n';
}

/** The jump rules as the commands that ensure them (documentation for the reader of `proxy rules`). */
export function renderJumpRules(): string {
  return jumpRules.map((j) => `iptables -t ${j.table} -I ${j.from} -m comment --comment "${j.comment}" -j ${j.to}`).join('\n') + '\n';
}
