// `kubesvc proxy trace` and the live view's trace panel: which chains and rules a packet to a
// Service walks in a proxy mode, and where it can land, in plain words. Derived from the same maps the modes render (and the same
// endpoint choice, categorizeEndpoints), so it explains what `proxy rules` prints.
import { netContains, parseIPv4Net } from './ip.js';
import type { RulesInput } from './rules.js';
import { categorizeEndpoints } from './topology.js';
import { servicePortNameString, type EndpointInfo, type ServicePortInfo } from './types.js';
import { defaultProxyLayout, type ProxyLayout, type ProxyModeName } from './options.js';
import { iptablesChain, iptablesSEPChain, nftChain, nftEndpointChain } from './chain-names.js';

/** Every mode can be traced (the registry's names). */
export type TraceMode = ProxyModeName;

export interface TraceOptions {
  namespace: string;
  name: string;
  /** Port name or number; all ports when absent. */
  port?: string;
  /** The packet's source address. */
  from?: string;
  mode: TraceMode;
  /** iptables and nftables: the rule layout (default 'inline', as the modes program it). */
  layout?: ProxyLayout;
  ipvsScheduler?: string;
}

/** The Service's ports matching the options, in port order. */
export function matchingPorts(input: RulesInput, o: TraceOptions): ServicePortInfo[] {
  return [...input.serviceMap.values()]
    .filter((sp) => sp.name.namespace === o.namespace && sp.name.name === o.name)
    .filter((sp) => o.port === undefined || sp.name.port === o.port || String(sp.port) === o.port)
    .sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

/** What a ClusterIP packet may reach: Local internal policy uses only this node's endpoints (no fallback). */
function clusterIPEndpoints(eps: readonly EndpointInfo[], sp: ServicePortInfo, nodeName: string, mode: TraceMode): EndpointInfo[] {
  const c = categorizeEndpoints(eps, sp, nodeName);
  if (sp.internalPolicyLocal) {
    // IPVS falls back to cluster endpoints when there is no local one (upstream PR 97081); the others do not.
    if (mode === 'ipvs' && (c.localEndpoints?.length ?? 0) === 0) return c.clusterEndpoints ?? [];
    return c.localEndpoints ?? [];
  }
  return c.clusterEndpoints ?? [];
}

function externalEndpoints(eps: readonly EndpointInfo[], sp: ServicePortInfo, nodeName: string, mode: TraceMode): EndpointInfo[] {
  const c = categorizeEndpoints(eps, sp, nodeName);
  if (sp.externalPolicyLocal) {
    if (mode === 'ipvs' && (c.localEndpoints?.length ?? 0) === 0) return c.clusterEndpoints ?? [];
    return c.localEndpoints ?? [];
  }
  return c.clusterEndpoints ?? [];
}

function sourceNote(from: string | undefined, clusterCIDR: string | undefined): { text: string; offCluster: boolean | undefined } {
  if (!from) return { text: 'from an unspecified source (pass --from IP)', offCluster: undefined };
  const net = clusterCIDR ? parseIPv4Net(clusterCIDR) : undefined;
  if (!net) return { text: `from ${from}`, offCluster: undefined };
  const inside = netContains(net, from);
  return { text: `from ${from} (${inside ? 'inside' : 'outside'} the pod range ${clusterCIDR})`, offCluster: !inside };
}

function traceClusterIP(input: RulesInput, sp: ServicePortInfo, eps: EndpointInfo[], o: TraceOptions, hasAny: boolean): string[] {
  const proto = sp.protocol.toLowerCase();
  const vip = `${sp.clusterIP}:${sp.port}`;
  const src = sourceNote(o.from, input.clusterCIDR);
  const n = eps.length;
  const out: string[] = [`A ${sp.protocol} packet to ClusterIP ${vip} ${src.text}:`];
  const step = (s: string) => out.push(`  ${out.length}. ${s}`);
  const masq =
    src.offCluster === true
      ? 'it comes from outside the pod range, so it is marked for masquerade (KUBE-MARK-MASQ, 0x4000) and leaves with the node\'s address'
      : src.offCluster === false
        ? 'it comes from inside the pod range, so its source address is kept'
        : input.clusterCIDR
          ? `sources outside ${input.clusterCIDR} are marked for masquerade (KUBE-MARK-MASQ)`
          : 'no pod range is known (--cluster-cidr), so ClusterIP traffic is not masqueraded';
  const hairpin = o.from && eps.some((e) => e.ip === o.from) ? ` A packet from ${o.from} that lands on itself is masqueraded (hairpin).` : '';
  const aff = sp.sessionAffinity === 'ClientIP';

  if (o.mode === 'userspace') {
    step(`the userspace proxy listens on ${vip} itself and accepts the connection.`);
    if (n) step(`it opens a new connection to one endpoint, round robin${aff ? `, keeping a client on its endpoint for ${sp.stickyMaxAgeSeconds}s (ClientIP affinity)` : ''}; the pod sees the proxy as the client.`);
    else step('with no endpoint the proxy closes the connection at once.');
  } else if (o.mode === 'iptables') {
    const svc = iptablesChain(sp.internalPolicyLocal ? 'SVL' : 'SVC', sp.name);
    step(`nat PREROUTING (OUTPUT for a packet sent by the node itself) jumps to KUBE-SERVICES.`);
    if (!n) {
      // Upstream drops (rather than rejects) when endpoints exist but none is local, so clients retry instead of failing.
      if (hasAny) step(`endpoints exist but none on this node (internalTrafficPolicy Local): the filter table's KUBE-SERVICES drops it (comment "${servicePortNameString(sp.name)} has no local endpoints"); the client times out.`);
      else step(`no endpoint: the filter table's KUBE-SERVICES rejects it (comment "${servicePortNameString(sp.name)} has no endpoints", -d ${sp.clusterIP} -p ${proto} --dport ${sp.port} -j REJECT), so the client gets ICMP port unreachable: connection refused.`);
      return out;
    }
    step(`KUBE-SERVICES: the "${servicePortNameString(sp.name)} cluster IP" rule (-d ${sp.clusterIP} -p ${proto} --dport ${sp.port}) jumps to ${svc}.`);
    step(`${svc}: ${masq}.`);
    if (aff) step(`ClientIP affinity: before choosing, "-m recent --name <KUBE-SEP chain> --rcheck --seconds ${sp.stickyMaxAgeSeconds} --reap" sends a client seen in the last ${sp.stickyMaxAgeSeconds}s back to its endpoint.`);
    // The 'inline' layout DNATs in the Service chain, except for ClientIP affinity, whose -m recent lists need endpoint chains.
    const inline = (o.layout ?? defaultProxyLayout) === 'inline' && !aff;
    eps.forEach((e, i) => {
      const left = n - i;
      const rule = left > 1 ? `"-m statistic --mode random --probability ${(1 / left).toFixed(10)}"` : 'the last rule (no condition)';
      step(inline ? `${rule} -j DNAT --to-destination ${e.endpoint}.` : `${rule} -j ${iptablesSEPChain(sp.name, e.endpoint)}: DNAT to ${e.endpoint}.`);
    });
    if (inline && hairpin) step('nat POSTROUTING: KUBE-POSTROUTING sends the DNATed connection to KUBE-HAIRPIN, whose "-s X -d X" rule for the endpoint marks it for masquerade.');
  } else if (o.mode === 'nftables') {
    const chain = nftChain(sp.internalPolicyLocal ? 'local-' : 'service-', sp.name);
    step('table ip kube-proxy: chain nat-prerouting (nat-output from the node) jumps to services.');
    if (!n) {
      step(`no usable endpoint: ${sp.clusterIP} . ${proto} . ${sp.port} is in the no-endpoint-services map, whose verdict ${hasAny ? 'drops it (endpoints exist, none on this node; the client times out)' : 'rejects it (connection refused)'}.`);
      return out;
    }
    step(`services: "ip daddr . meta l4proto . th dport vmap @service-ips" matches ${sp.clusterIP} . ${proto} . ${sp.port} and goes to ${chain}.`);
    step(`${chain}: ${masq}.`);
    if (aff) step(`ClientIP affinity: a client found in an endpoint's affinity set (timeout ${sp.stickyMaxAgeSeconds}s) goes straight back to that endpoint.`);
    if (aff || o.layout === 'upstream') {
      step(`one endpoint chain is picked at random ("numgen random mod ${n}"), each with probability 1/${n}:`);
      for (const e of eps) out.push(`       ${nftEndpointChain(sp.name, e.ip, e.port)}: dnat to ${e.endpoint}`);
    } else {
      // The default 'inline' layout: the Service chain DNATs itself, one cascade rule per endpoint.
      step(`one endpoint is picked at random, each with probability 1/${n} ("numgen random mod k == 0 dnat to ...", one rule per endpoint, the last unconditional):`);
      for (const e of eps) out.push(`       dnat to ${e.endpoint}`);
      if (hairpin) step('nat-postrouting: masquerading finds the packet\'s source and destination as one pair in @hairpin-ips and masquerades it.');
    }
  } else {
    const sched = o.ipvsScheduler ?? 'rr';
    step(`nat PREROUTING/OUTPUT jumps to KUBE-SERVICES, which matches the KUBE-CLUSTER-IP ipset (${sp.clusterIP},${proto}:${sp.port}); ${masq}; then ACCEPT.`);
    step(`${sp.clusterIP} is an address on the dummy device kube-ipvs0, so the packet is delivered locally, where IPVS catches it (filter KUBE-IPVS-FILTER lets it through: it is in KUBE-CLUSTER-IP).`);
    if (!n) {
      step(`IPVS virtual server "-A -t ${vip} -s ${sched}" has no real server: IPVS answers ICMP port unreachable (connection refused).`);
      return out;
    }
    step(`IPVS virtual server "-A ${proto === 'udp' ? '-u' : proto === 'sctp' ? '--sctp-service' : '-t'} ${vip} -s ${sched}${aff ? ` -p ${sp.stickyMaxAgeSeconds}` : ''}" chooses a real server by the ${sched} scheduler${aff ? `, keeping a client on its real server for ${sp.stickyMaxAgeSeconds}s (persistence)` : ''}; it rewrites the destination (masquerading, -m).`);
    step('KUBE-POSTROUTING masquerades the packets marked 0x4000, and KUBE-LOOP-BACK (dst,dst,src) the ones a local endpoint sends to itself.');
  }
  out.push(`  It lands on one of ${n} endpoint${n === 1 ? '' : 's'}:${hairpin}`);
  const how = o.mode === 'ipvs' && (o.ipvsScheduler ?? 'rr') !== 'rr' ? ` (share by the ${o.ipvsScheduler} scheduler; ${pct(1 / n)} each on average)` : '';
  for (const e of eps) out.push(`    ${e.endpoint}  ${how ? how.trim() : `${pct(1 / n)} of new connections`}${e.nodeName ? `  (node ${e.nodeName}${e.isLocal ? ', local' : ''})` : ''}${e.ready ? '' : '  (terminating, used as fallback)'}`);
  if (aff) out.push(`  ClientIP affinity: later connections from the same client go to the same endpoint for ${sp.stickyMaxAgeSeconds}s.`);
  return out;
}

function externalEntryPoints(input: RulesInput, sp: ServicePortInfo, o: TraceOptions): string[] {
  const out: string[] = [];
  const eps = externalEndpoints(input.endpointsMap.get(portKey(sp)) ?? [], sp, input.nodeName, o.mode);
  const policy = sp.externalPolicyLocal ? 'externalTrafficPolicy Local: only this node\'s endpoints, client address kept' : 'externalTrafficPolicy Cluster: any endpoint, masqueraded';
  const where = eps.length ? eps.map((e) => e.endpoint).join(', ') : 'nothing (rejected)';
  const via =
    o.mode === 'iptables'
      ? ` via ${iptablesChain('EXT', sp.name)}`
      : o.mode === 'nftables'
        ? ` via ${nftChain('external-', sp.name)}`
        : o.mode === 'ipvs'
          ? ' via its own IPVS virtual server'
          : '';
  if (sp.nodePort) {
    const ips = input.nodeIPs.length ? input.nodeIPs.join(', ') : 'the node\'s addresses';
    out.push(`  NodePort ${sp.nodePort} on ${ips}${o.mode === 'iptables' ? ' (KUBE-NODEPORTS)' : ''}${via} → ${where} (${policy})`);
  }
  for (const ip of sp.loadBalancerVIPs) {
    const fw = sp.loadBalancerSourceRanges.length ? `; only from ${sp.loadBalancerSourceRanges.join(', ')}` : '';
    out.push(`  LoadBalancer IP ${ip}:${sp.port}${via} → ${where} (${policy}${fw})`);
  }
  for (const ip of sp.externalIPs) out.push(`  external IP ${ip}:${sp.port}${via} → ${where} (${policy})`);
  return out;
}

function portKey(sp: ServicePortInfo): string {
  return `${servicePortNameString(sp.name)}/${sp.protocol}`;
}

/** The explanation for every matching port; throws when the Service has no proxied port. */
export function traceService(input: RulesInput, o: TraceOptions): string {
  const ports = matchingPorts(input, o);
  if (ports.length === 0) {
    const any = [...input.serviceMap.values()].some((sp) => sp.name.namespace === o.namespace && sp.name.name === o.name);
    throw new Error(
      any
        ? `service ${o.namespace}/${o.name} has no port ${JSON.stringify(o.port)}`
        : `service ${o.namespace}/${o.name} not found, or not proxied (headless and ExternalName Services have no ClusterIP rules)`,
    );
  }
  const blocks: string[] = [];
  for (const sp of ports) {
    const all = input.endpointsMap.get(portKey(sp)) ?? [];
    const eps = clusterIPEndpoints(all, sp, input.nodeName, o.mode);
    const hasAny = categorizeEndpoints(all, sp, input.nodeName).hasAnyEndpoints;
    const lines = [
      `Service ${o.namespace}/${o.name}, port ${sp.name.port ? `"${sp.name.port}" ` : ''}${sp.port}/${sp.protocol}: ${o.mode} mode on node ${input.nodeName || '(none)'}${input.nodeIPs.length ? ` (${input.nodeIPs.join(', ')})` : ''}`,
      ...traceClusterIP(input, sp, eps, o, hasAny),
    ];
    const ext = externalEntryPoints(input, sp, o);
    if (ext.length) lines.push('Other ways in:', ...ext);
    blocks.push(lines.join('\n'));
  }
  return blocks.join('\n\n') + '\n';
}
