// The 'inline' layout's hairpin masquerade. Upstream marks a pod reaching itself through a Service
// in the endpoint's own KUBE-SEP chain (`-s <endpoint IP> -j KUBE-MARK-MASQ`), which is why it
// needs one chain per endpoint: at 10,000 Services × 10 endpoints that is 100,000 chains, and
// iptables-nft-restore's time grows faster than the chain count (bench/README.md). Without them the
// choice is made where both addresses are known: in nat POSTROUTING, after the DNAT, a connection
// whose source is its own destination is a hairpin. iptables cannot compare two fields, so each
// endpoint address gets one `-s X -d X` rule, grouped by /24 so a new connection walks one short
// chain: KUBE-HAIRPIN jumps by destination /24 to KUBE-HAIRPIN-a-b-c, whose rules name the
// endpoint addresses in that /24.
import { kubeMarkMasqChain } from './names.js';

export const kubeHairpinChain = 'KUBE-HAIRPIN';
const hairpinChainPrefix = `${kubeHairpinChain}-`;

/** The hairpin chains a rendering wants: chain → its member addresses, sorted and comma-joined. */
export type HairpinChains = Map<string, string>;

/** KUBE-HAIRPIN-10-128-195 for 10.128.195.80; undefined for an address that is not IPv4 (the mode is IPv4 only). */
export function hairpinChainName(ip: string): string | undefined {
  const dot = ip.lastIndexOf('.');
  if (dot < 0 || ip.includes(':')) return undefined;
  return hairpinChainPrefix + ip.slice(0, dot).replaceAll('.', '-');
}

/** The /24 a hairpin chain holds, from its name. */
function subnetOf(chain: string): string {
  return `${chain.slice(hairpinChainPrefix.length).replaceAll('-', '.')}.0/24`;
}

/** Groups endpoint addresses into their hairpin chains (duplicates collapse). */
export function hairpinChains(ips: Iterable<string>): HairpinChains {
  const members = new Map<string, Set<string>>();
  // Most addresses share a /24 with the one before (a Service's endpoints, a node's pods).
  let lastPrefix = '';
  let lastSet: Set<string> | undefined;
  for (const ip of ips) {
    const dot = ip.lastIndexOf('.');
    const prefix = ip.slice(0, dot);
    if (prefix !== lastPrefix || !lastSet) {
      const chain = hairpinChainName(ip);
      if (!chain) continue;
      lastSet = members.get(chain);
      if (!lastSet) members.set(chain, (lastSet = new Set()));
      lastPrefix = prefix;
    }
    lastSet.add(ip);
  }
  const out: HairpinChains = new Map();
  for (const chain of [...members.keys()].sort()) out.set(chain, [...members.get(chain)!].sort().join(','));
  return out;
}

/** KUBE-HAIRPIN's rules: one jump per /24 holding an endpoint. */
export function hairpinDispatchRules(chains: HairpinChains): string[] {
  return [...chains.keys()].map((c) => `-A ${kubeHairpinChain} -d ${subnetOf(c)} -j ${c}`);
}

/** One hairpin chain's rules, from its member list. */
export function hairpinChainRules(chain: string, members: string): string[] {
  return members.split(',').map((ip) => `-A ${chain} -s ${ip} -d ${ip} -j ${kubeMarkMasqChain}`);
}

/** The KUBE-POSTROUTING rule that sends DNATed connections through the hairpin chains (first in the chain). */
export function hairpinJumpRule(postroutingChain: string): string {
  return `-A ${postroutingChain} -m comment --comment "pods reaching themselves through a Service" -m conntrack --ctstate DNAT -j ${kubeHairpinChain}`;
}
