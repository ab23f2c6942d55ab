// One Service port's chains, affinity sets and map elements: upstream's syncProxyRules loop body,
// as a pure function so a partial sync can recompute only the Services that changed.
import { categorizeEndpoints } from '../topology.js';
import { servicePortExternallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../serviceport.js';
import { servicePortNameString, type EndpointInfo, type ServicePortInfo } from '../types.js';
import { chainPrefix, servicePortChainNameBase, servicePortEndpointChainNameBase } from './names.js';
import type { NftElement, ServicePortRules } from './objects.js';

/**
 * How a Service chain picks an endpoint. 'vmap' is upstream's one rule
 * `numgen random mod N vmap { 0 : goto a , 1 : goto b }`; 'rules' is one rule per endpoint,
 * `numgen random mod (N-i) == 0 goto e_i` with the last a plain goto: each rule draws anew, so
 * endpoint i wins with probability (1 - sum of earlier) / (N-i) = 1/N, the same uniform choice
 * (iptables' statistic cascade). It exists because loading thousands of inline anonymous
 * vmaps is an order of magnitude slower on some kernels (see bench/proxy-nftables.ts).
 * 'inline' is the same cascade with each rule DNATing itself (`... == 0 dnat to a:p`), so a
 * Service without ClientIP affinity has no per-endpoint chains at all (they are ~90 % of the
 * table at 10 endpoints per Service), and its chain has no jump: changing its endpoints rewrites
 * one chain, which the kernel takes without walking every chain to check for loops. The hairpin
 * case (a pod reaching itself through the Service), which upstream masquerades in each endpoint
 * chain, is caught in postrouting instead: the `hairpin-ips` set holds every endpoint paired
 * with itself, and a DNATed packet whose source and destination form such a pair is marked
 * for masquerade. Affinity Services keep their endpoint chains (their sets live there).
 */
export type EndpointSelection = 'vmap' | 'rules' | 'inline';

export interface ServiceRulesContext {
  nodeName: string;
  nodeLabels: Readonly<Record<string, string>>;
  /** The pod CIDR (upstream's local traffic detector); undefined means no detector. */
  clusterCIDR: string | undefined;
  nodeIPs: readonly string[];
  endpointSelection: EndpointSelection;
  /** The masquerade mark ('inline' sets it in place rather than jumping to mark-for-masquerade). */
  masqueradeMark: string;
}

function endpointChainName(sp: ServicePortInfo, ep: EndpointInfo): string {
  return chainPrefix.endpoint + servicePortEndpointChainNameBase(sp.name, ep.ip, ep.port);
}

function affinitySetName(sp: ServicePortInfo, ep: EndpointInfo): string {
  return chainPrefix.affinity + servicePortEndpointChainNameBase(sp.name, ep.ip, ep.port);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

/** Parses "a.b.c.d/len" (upstream trims whitespace and ignores what does not parse). */
function parseCIDR(s: string): { text: string; contains(ip: string): boolean } | undefined {
  const text = s.trim();
  const [ip, lenText] = text.split('/');
  const base = ip === undefined ? undefined : ipv4ToInt(ip);
  const len = Number(lenText);
  if (base === undefined || !/^\d{1,2}$/.test(lenText ?? '') || len > 32) return undefined;
  const size = 2 ** (32 - len);
  const start = Math.floor(base / size) * size;
  return {
    text,
    contains(other: string) {
      const v = ipv4ToInt(other);
      return v !== undefined && v >= start && v < start + size;
    },
  };
}

export function renderServicePort(sp: ServicePortInfo, endpoints: readonly EndpointInfo[], ctx: ServiceRulesContext): ServicePortRules {
  const chains = new Map<string, string[]>();
  const affinitySets = new Map<string, number>();
  const elements: NftElement[] = [];
  const rules = (chain: string): string[] => {
    let r = chains.get(chain);
    if (!r) chains.set(chain, (r = []));
    return r;
  };
  const protocol = sp.protocol.toLowerCase();
  const nameString = servicePortNameString(sp.name);
  const base = servicePortChainNameBase(sp.name);
  const clusterPolicyChain = chainPrefix.clusterPolicy + base;
  const localPolicyChain = chainPrefix.localPolicy + base;
  const externalTrafficChain = chainPrefix.external + base;
  const fwChain = chainPrefix.firewall + base;
  const affinity = sp.sessionAffinity === 'ClientIP';

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints } = categorizeEndpoints(endpoints, sp, ctx.nodeName, { ...ctx.nodeLabels });
  const hasEndpoints = hasAnyEndpoints;
  const inline = ctx.endpointSelection === 'inline' && !affinity;
  const markForMasquerade = inline ? `mark set mark or ${ctx.masqueradeMark}` : 'jump mark-for-masquerade';

  // Endpoint chains first, so the Service chains' gotos always name an existing chain.
  if (!inline) for (const ep of allReachableEndpoints) rules(endpointChainName(sp, ep));

  const usesClusterPolicyChain = (clusterEndpoints?.length ?? 0) > 0 && usesClusterEndpoints(sp);
  if (usesClusterPolicyChain) rules(clusterPolicyChain);
  const usesLocalPolicyChain = (localEndpoints?.length ?? 0) > 0 && usesLocalEndpoints(sp);
  if (usesLocalPolicyChain) rules(localPolicyChain);

  let internalTrafficChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (sp.internalPolicyLocal) {
    internalTrafficChain = localPolicyChain;
    if ((localEndpoints?.length ?? 0) === 0) hasInternalEndpoints = false;
  }
  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (sp.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if ((localEndpoints?.length ?? 0) === 0) hasExternalEndpoints = false;
  }
  // Based on hasEndpoints, not hasExternalEndpoints: the local short-circuit rules are needed
  // even when no endpoint serves external traffic here.
  const usesExternalTrafficChain = hasEndpoints && servicePortExternallyAccessible(sp);
  if (usesExternalTrafficChain) rules(externalTrafficChain);

  let internalVerdict = '';
  let externalVerdict = '';
  if (!hasEndpoints) {
    internalVerdict = 'goto reject-chain';
    externalVerdict = 'goto reject-chain';
  } else {
    if (!hasInternalEndpoints) internalVerdict = 'drop';
    if (!hasExternalEndpoints) externalVerdict = 'drop';
  }

  const ipKey = (ip: string) => `${ip} . ${protocol} . ${sp.port}`;
  elements.push({ set: 'cluster-ips', key: sp.clusterIP });
  if (hasInternalEndpoints) {
    elements.push({ set: 'service-ips', key: ipKey(sp.clusterIP), value: `goto ${internalTrafficChain}` });
  } else {
    elements.push({ set: 'no-endpoint-services', key: ipKey(sp.clusterIP), value: internalVerdict, comment: nameString });
  }
  for (const ip of sp.externalIPs) {
    if (hasEndpoints) elements.push({ set: 'service-ips', key: ipKey(ip), value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) elements.push({ set: 'no-endpoint-services', key: ipKey(ip), value: externalVerdict, comment: nameString });
  }

  const usesFWChain = sp.loadBalancerVIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0;
  if (usesFWChain) {
    const sources: string[] = [];
    let allowFromNode = false;
    for (const raw of sp.loadBalancerSourceRanges) {
      const cidr = parseCIDR(raw);
      if (!cidr) continue;
      sources.push(cidr.text);
      if (ctx.nodeIPs.some((ip) => cidr.contains(ip))) allowFromNode = true;
    }
    // A VIP that is also a local address loops node-originated requests back with the VIP as
    // source; let those through when the node itself is allowed.
    if (allowFromNode) sources.push(...sp.loadBalancerVIPs);
    rules(fwChain).push(`ip saddr != { ${sources.join(' , ')} } drop`);
  }
  for (const ip of sp.loadBalancerVIPs) {
    if (hasEndpoints) elements.push({ set: 'service-ips', key: ipKey(ip), value: `goto ${externalTrafficChain}` });
    if (usesFWChain) elements.push({ set: 'firewall-ips', key: ipKey(ip), value: `goto ${fwChain}`, comment: nameString });
  }
  if (!hasExternalEndpoints) {
    for (const ip of sp.loadBalancerVIPs) {
      elements.push({ set: 'no-endpoint-services', key: ipKey(ip), value: externalVerdict, comment: nameString });
    }
  }
  if (sp.nodePort !== 0) {
    const key = `${protocol} . ${sp.nodePort}`;
    // NodePorts are not subject to loadBalancerSourceRanges (upstream keeps it that way).
    if (hasEndpoints) elements.push({ set: 'service-nodeports', key, value: `goto ${externalTrafficChain}` });
    if (!hasExternalEndpoints) elements.push({ set: 'no-endpoint-nodeports', key, value: externalVerdict, comment: nameString });
  }

  if (hasInternalEndpoints && ctx.clusterCIDR) {
    // Masquerade off-cluster traffic to a ClusterIP: a static route to any node may bounce it
    // to an endpoint on another node.
    rules(internalTrafficChain).push(`ip daddr ${sp.clusterIP} ${protocol} dport ${sp.port} ip saddr != ${ctx.clusterCIDR} ${markForMasquerade}`);
  }

  if (usesExternalTrafficChain) {
    const ext = rules(externalTrafficChain);
    if (!sp.externalPolicyLocal) {
      ext.push('jump mark-for-masquerade');
    } else {
      if (ctx.clusterCIDR) {
        ext.push(`ip saddr ${ctx.clusterCIDR} goto ${clusterPolicyChain} comment "short-circuit pod traffic"`);
      }
      ext.push('fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      ext.push(`fib saddr type local goto ${clusterPolicyChain} comment "short-circuit local traffic"`);
    }
    if (hasExternalEndpoints) ext.push(`goto ${externalPolicyChain}`);
  }

  if (affinity) {
    for (const ep of allReachableEndpoints) affinitySets.set(affinitySetName(sp, ep), sp.stickyMaxAgeSeconds);
  }

  const dnat = (ep: EndpointInfo) => `meta l4proto ${protocol} dnat to ${ep.ip}:${ep.port}`;
  const writeServiceToEndpointRules = (chain: string, eps: readonly EndpointInfo[]) => {
    const r = rules(chain);
    if (inline) {
      r.push(...cascade(eps.map(dnat)));
      return;
    }
    if (affinity) {
      for (const ep of eps) r.push(`ip saddr @${affinitySetName(sp, ep)} goto ${endpointChainName(sp, ep)}`);
    }
    r.push(...endpointSelectionRules(eps.map((ep) => endpointChainName(sp, ep)), ctx.endpointSelection));
  };
  if (usesClusterPolicyChain && clusterEndpoints) writeServiceToEndpointRules(clusterPolicyChain, clusterEndpoints);
  if (usesLocalPolicyChain && localEndpoints) writeServiceToEndpointRules(localPolicyChain, localEndpoints);

  for (const ep of allReachableEndpoints) {
    if (inline) {
      elements.push({ set: 'hairpin-ips', key: `${ep.ip} . ${ep.ip}` });
      continue;
    }
    const r = rules(endpointChainName(sp, ep));
    // Hairpin: a pod reaching itself through the Service must be masqueraded to get the reply.
    r.push(`ip saddr ${ep.ip} jump mark-for-masquerade`);
    if (affinity) r.push(`update @${affinitySetName(sp, ep)} { ip saddr }`);
    r.push(dnat(ep));
  }
  return { chains, affinitySets, elements };
}

export function endpointSelectionRules(targets: readonly string[], style: EndpointSelection): string[] {
  const n = targets.length;
  if (style === 'vmap') {
    return [`numgen random mod ${n} vmap { ${targets.map((t, i) => `${i} : goto ${t}`).join(' , ')} }`];
  }
  return cascade(targets.map((t) => `goto ${t}`));
}

/**
 * One rule per action, `numgen random mod (N-i) == 0 <action>`, the last unconditional: each
 * rule draws anew, so every action is taken with probability 1/N ('rules' and 'inline').
 */
function cascade(actions: readonly string[]): string[] {
  return actions.map((a, i) => (i < actions.length - 1 ? `numgen random mod ${actions.length - i} == 0 ${a}` : a));
}
