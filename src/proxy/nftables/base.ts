// The fixed part of table `ip kube-proxy`, laid out as kube-proxy 1.32/1.33 lays it out: base
// chains on the netfilter hooks, the dispatch maps, the no-endpoint and firewall checks, and the
// masquerade chains. Re-adding these is idempotent, so every full sync writes them again.
import { table } from './objects.js';

export interface BaseOptions {
  masqueradeMark: string;
  /** Service CIDRs: traffic to an unallocated ClusterIP in them is dropped. */
  serviceCIDRs: readonly string[];
  /** Addresses that accept NodePort traffic (loopback ones are skipped, as upstream). */
  nodePortIPs: readonly string[];
  /** The 'inline' endpoint selection's hairpin-ips set and the postrouting rule reading it. */
  hairpin: boolean;
}

export const baseChains: ReadonlyArray<{ name: string; type: string; hook: string; priority: number }> = [
  // Filter chains run before DNAT (-110 < -100) so they see the Service IP, not the endpoint.
  { name: 'filter-prerouting', type: 'filter', hook: 'prerouting', priority: -110 },
  { name: 'filter-input', type: 'filter', hook: 'input', priority: -110 },
  { name: 'filter-forward', type: 'filter', hook: 'forward', priority: -110 },
  { name: 'filter-output', type: 'filter', hook: 'output', priority: -110 },
  // ...except the ClusterIP check on output, which must run after DNAT to see what was not DNATed.
  { name: 'filter-output-post-dnat', type: 'filter', hook: 'output', priority: -90 },
  { name: 'nat-prerouting', type: 'nat', hook: 'prerouting', priority: -100 },
  { name: 'nat-output', type: 'nat', hook: 'output', priority: -100 },
  { name: 'nat-postrouting', type: 'nat', hook: 'postrouting', priority: 100 },
];

const jumpChains: ReadonlyArray<{ dst: string; src: string; extra: string }> = [
  // reject is only valid on input/forward/output hooks, hence no endpoints check on prerouting.
  { dst: 'nodeport-endpoints-check', src: 'filter-input', extra: 'ct state new ' },
  { dst: 'service-endpoints-check', src: 'filter-input', extra: 'ct state new ' },
  { dst: 'service-endpoints-check', src: 'filter-forward', extra: 'ct state new ' },
  { dst: 'service-endpoints-check', src: 'filter-output', extra: 'ct state new ' },
  { dst: 'firewall-check', src: 'filter-prerouting', extra: 'ct state new ' },
  { dst: 'firewall-check', src: 'filter-output', extra: 'ct state new ' },
  { dst: 'services', src: 'nat-output', extra: '' },
  { dst: 'services', src: 'nat-prerouting', extra: '' },
  { dst: 'masquerading', src: 'nat-postrouting', extra: '' },
  { dst: 'cluster-ips-check', src: 'filter-forward', extra: 'ct state new ' },
  { dst: 'cluster-ips-check', src: 'filter-output-post-dnat', extra: 'ct state new ' },
];

/** Sets and maps whose elements the Service ports own (flushed on a full sync). */
export function serviceElementSets(hairpin: boolean): string[] {
  const sets = ['cluster-ips', 'service-ips', 'service-nodeports', 'no-endpoint-services', 'no-endpoint-nodeports', 'firewall-ips'];
  return hairpin ? [...sets, 'hairpin-ips'] : sets;
}

/**
 * Sets whose elements partial syncs add but never remove (full syncs rebuild them). A pair
 * (X . X) in hairpin-ips only ever matches a packet DNATed back to its own source, which is
 * hairpin traffic whichever Service it came through: a pair left behind is still right, and
 * removing one would mean declaring again a set of one pair per endpoint of the cluster.
 */
export const addOnlySets: ReadonlySet<string> = new Set(['hairpin-ips']);

const addr = 'ipv4_addr';
/** Each fixed set or map: whether it is a map, and its declaration between the braces. */
const setSpecs: Readonly<Record<string, { kind: 'set' | 'map'; spec: string }>> = {
  'cluster-ips': { kind: 'set', spec: `type ${addr} ; comment "Active ClusterIPs" ;` },
  'nodeport-ips': { kind: 'set', spec: `type ${addr} ; comment "IPs that accept NodePort traffic" ;` },
  'firewall-ips': { kind: 'map', spec: `type ${addr} . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ;` },
  'no-endpoint-nodeports': { kind: 'map', spec: 'type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ;' },
  'no-endpoint-services': { kind: 'map', spec: `type ${addr} . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ;` },
  'service-ips': { kind: 'map', spec: `type ${addr} . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ;` },
  'service-nodeports': { kind: 'map', spec: 'type inet_proto . inet_service : verdict ; comment "NodePort traffic" ;' },
  'hairpin-ips': { kind: 'set', spec: `type ${addr} . ${addr} ; comment "Endpoints, each paired with itself: a packet DNATed back to its source is masqueraded" ;` },
};

function specOf(name: string): { kind: 'set' | 'map'; spec: string } {
  const s = setSpecs[name];
  if (!s) throw new Error(`no fixed nftables set named ${name}`);
  return s;
}

/**
 * `add set|map` of a fixed set, optionally with elements to add. Declaring elements inside the
 * set's own declaration is what nft 1.0.6 sends without first dumping every chain of the kernel's
 * ruleset, which an `add element` line costs (seconds at 100,000 chains; bench/README.md).
 */
export function declareSetLine(name: string, elements: readonly string[] = []): string {
  const { kind, spec } = specOf(name);
  const els = elements.length > 0 ? ` elements = { ${elements.join(', ')} } ;` : '';
  return `add ${kind} ${table} ${name} { ${spec}${els} }`;
}

/** `flush set|map` of a fixed set. */
export function flushSetLine(name: string): string {
  return `flush ${specOf(name).kind} ${table} ${name}`;
}

export function renderBase(opts: BaseOptions): string[] {
  const out: string[] = [`add table ${table} { comment "rules for kube-proxy" ; }`];
  for (const name of ['cluster-ips', 'nodeport-ips', 'firewall-ips', 'no-endpoint-nodeports', 'no-endpoint-services', 'service-ips', 'service-nodeports']) {
    out.push(declareSetLine(name));
  }
  if (opts.hairpin) out.push(declareSetLine('hairpin-ips'));
  for (const bc of baseChains) {
    out.push(`add chain ${table} ${bc.name} { type ${bc.type} hook ${bc.hook} priority ${bc.priority} ; }`, `flush chain ${table} ${bc.name}`);
  }
  const regular = ['cluster-ips-check', 'firewall-check', 'mark-for-masquerade', 'masquerading', 'nodeport-endpoints-check', 'services', 'service-endpoints-check'];
  for (const c of regular) out.push(`add chain ${table} ${c}`, `flush chain ${table} ${c}`);
  out.push(
    `add chain ${table} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `flush chain ${table} reject-chain`,
  );
  const rule = (chain: string, body: string) => out.push(`add rule ${table} ${chain} ${body}`);
  for (const j of jumpChains) rule(j.src, `${j.extra}jump ${j.dst}`);
  rule('cluster-ips-check', 'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"');
  if (opts.serviceCIDRs.length > 0) {
    rule('cluster-ips-check', `ip daddr { ${opts.serviceCIDRs.join(' , ')} } drop comment "Drop traffic to unallocated ClusterIPs"`);
  }
  rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  rule('mark-for-masquerade', `mark set mark or ${opts.masqueradeMark}`);
  if (opts.hairpin) rule('masquerading', `ct status dnat ip saddr . ip daddr @hairpin-ips mark set mark or ${opts.masqueradeMark}`);
  rule('masquerading', `mark and ${opts.masqueradeMark} == 0 return`);
  rule('masquerading', `mark set mark xor ${opts.masqueradeMark}`);
  rule('masquerading', 'masquerade fully-random');
  rule('nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports');
  rule('reject-chain', 'reject');
  rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  rule('services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports');
  out.push(`flush set ${table} nodeport-ips`);
  for (const ip of opts.nodePortIPs) {
    if (ip.startsWith('127.') || ip.includes(':')) continue;
    out.push(`add element ${table} nodeport-ips { ${ip} }`);
  }
  return out;
}
