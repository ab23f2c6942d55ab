// The iptables mode's rule generator: a pure function of the proxy maps producing the
// `iptables-restore` input (filter table, then nat). Layout 'upstream' is what upstream's
// syncProxyRules writes, rule for rule, so the output can be diffed against a real kube-proxy
// node; the default 'inline' differs only in where an endpoint is chosen: a Service without
// ClientIP affinity DNATs from its own KUBE-SVC/KUBE-SVL chain, with no KUBE-SEP chain per
// endpoint, and hairpin traffic is marked in POSTROUTING (hairpin.ts). Partial renders (only
// changed Services' SVC/SVL/EXT/FW/SEP chains, and hairpin chains whose members changed) are the
// same walk with the other chains discarded,
// because KUBE-SERVICES, KUBE-NODEPORTS and the filter table are always rewritten whole.
import { parseIPv4Net, netContains } from '../ip.js';
import type { RulesInput } from '../rules.js';
import { defaultProxyLayout, type ProxyLayout } from '../options.js';
import { categorizeEndpoints, type CategorizedEndpoints } from '../topology.js';
import { namespacedName, servicePortNameString, type EndpointInfo, type ServicePortInfo } from '../types.js';
import { servicePortExternallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../serviceport.js';
import {
  endpointChainName,
  isServiceChainName,
  kubeExternalServicesChain,
  kubeForwardChain,
  kubeletFirewallChain,
  kubeMarkMasqChain,
  kubeNodePortsChain,
  kubePostroutingChain,
  kubeProxyFirewallChain,
  kubeServicesChain,
  serviceChains,
  type ServiceChains,
} from './names.js';
import { hairpinChainRules, hairpinChains as groupHairpin, hairpinDispatchRules, hairpinJumpRule, kubeHairpinChain, type HairpinChains } from './hairpin.js';

/** kube-proxy's knobs that change the rendering; defaults are upstream kube-proxy's defaults. */
export interface IptablesOptions {
  /**
   * 'inline' (default): no KUBE-SEP chain per endpoint for Services without ClientIP affinity;
   * 10,000 Services × 10 endpoints load in ~7 s against ~28 s ('upstream'), growing linearly
   * (bench/proxy-iptables.ts). 'upstream': upstream's layout, rule for rule.
   */
  layout?: ProxyLayout;
  /**
   * 'inline' layout, partial syncs: the hairpin chains the kernel holds (the last rendering's
   * `hairpinChains`); only those whose members changed are written.
   */
  writtenHairpinChains?: ReadonlyMap<string, string>;
  /** --iptables-masquerade-bit (default 14 → mark 0x4000). */
  masqueradeBit?: number;
  /** --masquerade-all. */
  masqueradeAll?: boolean;
  /** --iptables-localhost-nodeports (default true, as upstream; needs route_localnet=1 on the node). */
  localhostNodePorts?: boolean;
  /** 'all' (upstream's default: any local address) or the node IPs NodePorts answer on. */
  nodePortAddresses?: 'all' | readonly string[];
  /** MASQUERADE --random-fully (iptables ≥ 1.6.2 has it). */
  randomFully?: boolean;
  /** nf_conntrack_tcp_be_liberal is set: no DROP of INVALID packets. */
  conntrackTCPLiberal?: boolean;
  /** nfacct counters exist (upstream then counts localhost NodePort and INVALID packets). */
  nfacct?: boolean;
  /** Partial sync: only these Services' (ns/name) per-Service chains are written. */
  changedServices?: ReadonlySet<string>;
  /** NAT chains present in the kernel now: those of ours no longer wanted are flushed and deleted. */
  existingNatChains?: Iterable<string>;
}

export interface IptablesRendering {
  /** iptables-restore input (use with --noflush). */
  text: string;
  /** Every per-Service NAT chain the current maps want (written or, in a partial render, kept). */
  activeNatChains: Set<string>;
  /** Chains this render deletes. */
  deletedChains: string[];
  /** Endpoints across all Services; above 1000 upstream drops per-endpoint comments. */
  totalEndpoints: number;
  largeClusterMode: boolean;
  /** 'inline' layout: every hairpin chain this rendering wants, with its members (hairpin.ts). */
  hairpinChains: HairpinChains;
}

export const largeClusterEndpointsThreshold = 1000;

// Chain names cost a sha256 each and most syncs see the same ServicePortInfo / EndpointInfo objects
// (the trackers replace only what changed), so they are cached by object identity, as upstream
// computes them once in newServiceInfo / newEndpointInfo.
const serviceNameCache = new WeakMap<ServicePortInfo, { name: string; protocol: string; chains: ServiceChains }>();
const endpointChainCache = new WeakMap<EndpointInfo, { svc: string; chain: string }>();

function serviceNames(sp: ServicePortInfo): { name: string; protocol: string; chains: ServiceChains } {
  let v = serviceNameCache.get(sp);
  if (!v) {
    const name = servicePortNameString(sp.name);
    const protocol = sp.protocol.toLowerCase();
    v = { name, protocol, chains: serviceChains(name, protocol) };
    serviceNameCache.set(sp, v);
  }
  return v;
}

const noEndpoints: readonly EndpointInfo[] = [];

interface ServicePlan {
  endpoints: readonly EndpointInfo[];
  nodeName: string;
  cat: CategorizedEndpoints;
  /** SEP chain of each reachable endpoint (computed when first needed: the 'inline' layout rarely does). */
  seps?: string[];
}
// The endpoint categorization of a Service port only changes when its ServicePortInfo or its
// endpoint list object changes (the trackers keep both otherwise), so a partial sync of 10,000
// Services redoes it for the changed ones only.
const planCache = new WeakMap<ServicePortInfo, ServicePlan>();

function servicePlan(sp: ServicePortInfo, endpoints: readonly EndpointInfo[], nodeName: string): ServicePlan {
  const cached = planCache.get(sp);
  if (cached && cached.endpoints === endpoints && cached.nodeName === nodeName) return cached;
  const cat = categorizeEndpoints(endpoints, sp, nodeName);
  const plan: ServicePlan = { endpoints, nodeName, cat };
  planCache.set(sp, plan);
  return plan;
}

function sepChain(name: string, protocol: string, ep: EndpointInfo): string {
  const svcKey = name + protocol;
  const v = endpointChainCache.get(ep);
  if (v && v.svc === svcKey) return v.chain;
  const chain = endpointChainName(name, protocol, ep.endpoint);
  endpointChainCache.set(ep, { svc: svcKey, chain });
  return chain;
}


function q(s: string): string {
  // iptables-save quotes comments containing spaces; upstream writes them quoted the same way.
  return `"${s}"`;
}

function probability(n: number): string {
  // Go's %0.10f: fixed 10 decimals.
  return (1 / n).toFixed(10);
}

export function renderIptables(input: RulesInput, opts: IptablesOptions = {}): IptablesRendering {
  const mark = `0x${(1 << (opts.masqueradeBit ?? 14)).toString(16)}`;
  const localhostNodePorts = opts.localhostNodePorts ?? true;
  const nodeIP = input.nodeIPs[0] ?? '';
  const clusterCIDR = input.clusterCIDR;
  const changed = opts.changedServices;
  const inline = (opts.layout ?? defaultProxyLayout) === 'inline';

  const filterChains: string[] = [];
  const filterRules: string[] = [];
  const natChains: string[] = [];
  const natRules: string[] = [];
  const chainLine = (c: string): string => `:${c} - [0:0]`;

  for (const c of [kubeServicesChain, kubeExternalServicesChain, kubeForwardChain, kubeNodePortsChain, kubeProxyFirewallChain]) {
    filterChains.push(chainLine(c));
  }
  for (const c of [kubeServicesChain, kubeNodePortsChain, kubePostroutingChain, kubeMarkMasqChain]) {
    natChains.push(chainLine(c));
  }
  // Before the mark test: the hairpin rules are what sets the mark for these connections.
  if (inline) natRules.push(hairpinJumpRule(kubePostroutingChain));
  natRules.push(`-A ${kubePostroutingChain} -m mark ! --mark ${mark}/${mark} -j RETURN`);
  // Clear the mark so a packet re-traversing the stack is not masqueraded twice.
  natRules.push(`-A ${kubePostroutingChain} -j MARK --xor-mark ${mark}`);
  natRules.push(
    `-A ${kubePostroutingChain} -m comment --comment ${q('kubernetes service traffic requiring SNAT')} -j MASQUERADE` +
      (opts.randomFully ?? true ? ' --random-fully' : ''),
  );
  natRules.push(`-A ${kubeMarkMasqChain} -j MARK --or-mark ${mark}`);
  if (localhostNodePorts) {
    // route_localnet (needed for localhost NodePorts) would let outsiders reach 127/8; this closes that (issue 90259).
    filterChains.push(chainLine(kubeletFirewallChain));
    filterRules.push(
      `-A ${kubeletFirewallChain} -m comment --comment ${q('block incoming localnet connections')} -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP`,
    );
  }

  const activeNatChains = new Set<string>();
  // Endpoint addresses DNATed inline, for the hairpin chains (gathered on every render, partial ones too).
  const hairpinIPs: string[] = [];
  let totalEndpoints = 0;
  for (const key of input.serviceMap.keys()) totalEndpoints += input.endpointsMap.get(key)?.length ?? 0;
  const largeClusterMode = totalEndpoints > largeClusterEndpointsThreshold;
  const comment = (c: string): string => (largeClusterMode ? '' : ` -m comment --comment ${c}`);

  for (const [key, svc] of input.serviceMap) {
    const { name, protocol, chains } = serviceNames(svc);
    const plan = servicePlan(svc, input.endpointsMap.get(key) ?? noEndpoints, input.nodeName);
    const cat = plan.cat;
    const clusterEndpoints = cat.clusterEndpoints ?? [];
    const localEndpoints = cat.localEndpoints ?? [];
    const hasEndpoints = cat.hasAnyEndpoints;
    const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(svc);
    const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(svc);

    let internalChain = chains.cluster;
    let hasInternalEndpoints = hasEndpoints;
    if (svc.internalPolicyLocal) {
      internalChain = chains.local;
      if (localEndpoints.length === 0) hasInternalEndpoints = false;
    }
    let externalPolicyChain = chains.cluster;
    let hasExternalEndpoints = hasEndpoints;
    if (svc.externalPolicyLocal) {
      externalPolicyChain = chains.local;
      if (localEndpoints.length === 0) hasExternalEndpoints = false;
    }
    const externalChain = chains.external;
    // Built even with no externally usable endpoints: local traffic is still short-circuited to the cluster chain.
    const usesExternalChain = hasEndpoints && servicePortExternallyAccessible(svc);
    const usesFWChain = hasEndpoints && svc.loadBalancerVIPs.length > 0 && svc.loadBalancerSourceRanges.length > 0;
    const lbChain = usesFWChain ? chains.firewall : externalChain;

    let internalFilterTarget = '';
    let internalFilterComment = '';
    let externalFilterTarget = '';
    let externalFilterComment = '';
    if (!hasEndpoints) {
      internalFilterTarget = externalFilterTarget = 'REJECT';
      internalFilterComment = externalFilterComment = q(`${name} has no endpoints`);
    } else {
      if (!hasInternalEndpoints) {
        internalFilterTarget = 'DROP';
        internalFilterComment = q(`${name} has no local endpoints`);
      }
      if (!hasExternalEndpoints) {
        externalFilterTarget = 'DROP';
        externalFilterComment = q(`${name} has no local endpoints`);
      }
    }
    const pp = `-m ${protocol} -p ${protocol}`;
    const dport = `--dport ${svc.port}`;
    // ClientIP affinity remembers the endpoint by its KUBE-SEP chain's -m recent list: those keep upstream's chains.
    const inlineDNAT = inline && svc.sessionAffinity !== 'ClientIP';
    if (inlineDNAT) for (const ep of cat.allReachableEndpoints) hairpinIPs.push(ep.ip);

    if (hasInternalEndpoints) {
      natRules.push(`-A ${kubeServicesChain} -m comment --comment ${q(`${name} cluster IP`)} ${pp} -d ${svc.clusterIP} ${dport} -j ${internalChain}`);
    } else {
      filterRules.push(
        `-A ${kubeServicesChain} -m comment --comment ${internalFilterComment} ${pp} -d ${svc.clusterIP} ${dport} -j ${internalFilterTarget}`,
      );
    }
    for (const ip of svc.externalIPs) {
      if (hasEndpoints) {
        natRules.push(`-A ${kubeServicesChain} -m comment --comment ${q(`${name} external IP`)} ${pp} -d ${ip} ${dport} -j ${externalChain}`);
      }
      if (!hasExternalEndpoints) {
        filterRules.push(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalFilterComment} ${pp} -d ${ip} ${dport} -j ${externalFilterTarget}`,
        );
      }
    }
    for (const ip of svc.loadBalancerVIPs) {
      if (hasEndpoints) {
        natRules.push(`-A ${kubeServicesChain} -m comment --comment ${q(`${name} loadbalancer IP`)} ${pp} -d ${ip} ${dport} -j ${lbChain}`);
      }
      if (usesFWChain) {
        filterRules.push(
          `-A ${kubeProxyFirewallChain} -m comment --comment ${q(`${name} traffic not accepted by ${chains.firewall}`)} ${pp} -d ${ip} ${dport} -j DROP`,
        );
      }
    }
    if (!hasExternalEndpoints) {
      for (const ip of svc.loadBalancerVIPs) {
        filterRules.push(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalFilterComment} ${pp} -d ${ip} ${dport} -j ${externalFilterTarget}`,
        );
      }
    }
    if (svc.nodePort !== 0) {
      const np = `--dport ${svc.nodePort}`;
      if (hasEndpoints) {
        if (localhostNodePorts && opts.nfacct) {
          natRules.push(
            `-A ${kubeNodePortsChain} -m comment --comment ${name} ${pp} -d 127.0.0.0/8 ${np} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${externalChain}`,
          );
        }
        natRules.push(`-A ${kubeNodePortsChain} -m comment --comment ${name} ${pp} ${np} -j ${externalChain}`);
      }
      if (!hasExternalEndpoints) {
        filterRules.push(
          `-A ${kubeExternalServicesChain} -m comment --comment ${externalFilterComment} -m addrtype --dst-type LOCAL ${pp} ${np} -j ${externalFilterTarget}`,
        );
      }
    }
    if (svc.healthCheckNodePort !== 0) {
      filterRules.push(
        `-A ${kubeNodePortsChain} -m comment --comment ${q(`${name} health check node port`)} -m tcp -p tcp --dport ${svc.healthCheckNodePort} -j ACCEPT`,
      );
    }

    // Unchanged Services keep their per-Service chains in the kernel as they are: compute, then discard.
    if (changed !== undefined && !changed.has(namespacedName(svc.name.namespace, svc.name.name))) {
      // The kernel keeps these chains as they are; they only count as wanted, so they are not deleted.
      if (usesExternalChain) activeNatChains.add(externalChain);
      if (usesFWChain) activeNatChains.add(chains.firewall);
      if (usesClusterPolicyChain) activeNatChains.add(chains.cluster);
      if (usesLocalPolicyChain) activeNatChains.add(chains.local);
      if (!inlineDNAT) for (const sep of (plan.seps ??= cat.allReachableEndpoints.map((ep) => sepChain(name, protocol, ep)))) activeNatChains.add(sep);
      continue;
    }
    const chainsOut = natChains;
    const rulesOut = natRules;

    if (hasInternalEndpoints) {
      const match = `-m comment --comment ${q(`${name} cluster IP`)} ${pp} -d ${svc.clusterIP} ${dport}`;
      if (opts.masqueradeAll) {
        rulesOut.push(`-A ${internalChain} ${match} -j ${kubeMarkMasqChain}`);
      } else if (clusterCIDR) {
        // Off-cluster clients reaching a ClusterIP (a static route to any node) may bounce off-node: masquerade them.
        rulesOut.push(`-A ${internalChain} ${match} ! -s ${clusterCIDR} -j ${kubeMarkMasqChain}`);
      }
    }

    if (usesExternalChain) {
      chainsOut.push(chainLine(externalChain));
      activeNatChains.add(externalChain);
      if (!svc.externalPolicyLocal) {
        rulesOut.push(`-A ${externalChain} -m comment --comment ${q(`masquerade traffic for ${name} external destinations`)} -j ${kubeMarkMasqChain}`);
      } else {
        if (clusterCIDR) {
          // Pods reaching an external address behave as if they went out to the load balancer and back: no policy.
          rulesOut.push(`-A ${externalChain} -m comment --comment ${q(`pod traffic for ${name} external destinations`)} -s ${clusterCIDR} -j ${chains.cluster}`);
        }
        rulesOut.push(
          `-A ${externalChain} -m comment --comment ${q(`masquerade LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${kubeMarkMasqChain}`,
        );
        rulesOut.push(
          `-A ${externalChain} -m comment --comment ${q(`route LOCAL traffic for ${name} external destinations`)} -m addrtype --src-type LOCAL -j ${chains.cluster}`,
        );
      }
      if (hasExternalEndpoints) rulesOut.push(`-A ${externalChain} -j ${externalPolicyChain}`);
    }

    if (usesFWChain) {
      chainsOut.push(chainLine(chains.firewall));
      activeNatChains.add(chains.firewall);
      const head = `-A ${chains.firewall} -m comment --comment ${q(`${name} loadbalancer IP`)}`;
      let allowFromNode = false;
      for (const cidr of svc.loadBalancerSourceRanges) {
        rulesOut.push(`${head} -s ${cidr} -j ${externalChain}`);
        const net = parseIPv4Net(cidr);
        if (net && nodeIP && netContains(net, nodeIP)) allowFromNode = true;
      }
      // A node reaching its own VIP loops back with the VIP as source: let that through when the node is allowed.
      if (allowFromNode) for (const ip of svc.loadBalancerVIPs) rulesOut.push(`${head} -s ${ip} -j ${externalChain}`);
      rulesOut.push(`-A ${chains.firewall} -m comment --comment ${q(`other traffic to ${name} will be dropped by KUBE-PROXY-FIREWALL`)}`);
    }

    const writeToEndpoints = (chain: string, eps: readonly EndpointInfo[]): void => {
      if (svc.sessionAffinity === 'ClientIP') {
        for (const ep of eps) {
          const sep = sepChain(name, protocol, ep);
          rulesOut.push(
            `-A ${chain}${comment(q(`${name} -> ${ep.endpoint}`))} -m recent --name ${sep} --rcheck --seconds ${svc.stickyMaxAgeSeconds} --reap -j ${sep}`,
          );
        }
      }
      const n = eps.length;
      eps.forEach((ep, i) => {
        const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
        const target = inlineDNAT ? `${pp} -j DNAT --to-destination ${ep.endpoint}` : `-j ${sepChain(name, protocol, ep)}`;
        rulesOut.push(`-A ${chain}${comment(q(`${name} -> ${ep.endpoint}`))}${stat} ${target}`);
      });
    };
    if (usesClusterPolicyChain) {
      chainsOut.push(chainLine(chains.cluster));
      activeNatChains.add(chains.cluster);
      writeToEndpoints(chains.cluster, clusterEndpoints);
    }
    if (usesLocalPolicyChain) {
      chainsOut.push(chainLine(chains.local));
      activeNatChains.add(chains.local);
      writeToEndpoints(chains.local, localEndpoints);
    }
    for (const ep of inlineDNAT ? noEndpoints : cat.allReachableEndpoints) {
      const sep = sepChain(name, protocol, ep);
      chainsOut.push(chainLine(sep));
      activeNatChains.add(sep);
      const head = `-A ${sep}${comment(name)}`;
      // Hairpin: a pod reaching itself through the Service must be SNATed or it would answer itself directly.
      rulesOut.push(`${head} -s ${ep.ip} -j ${kubeMarkMasqChain}`);
      const affinity = svc.sessionAffinity === 'ClientIP' ? ` -m recent --name ${sep} --set` : '';
      rulesOut.push(`${head}${affinity} ${pp} -j DNAT --to-destination ${ep.endpoint}`);
    }
  }

  const hairpinChains: HairpinChains = inline ? groupHairpin(hairpinIPs) : new Map();
  if (inline) {
    natChains.push(chainLine(kubeHairpinChain));
    activeNatChains.add(kubeHairpinChain);
    natRules.push(...hairpinDispatchRules(hairpinChains));
    const written = changed === undefined ? undefined : opts.writtenHairpinChains;
    for (const [chain, members] of hairpinChains) {
      activeNatChains.add(chain);
      if (written?.get(chain) === members) continue;
      natChains.push(chainLine(chain));
      natRules.push(...hairpinChainRules(chain, members));
    }
  }

  const deletedChains: string[] = [];
  for (const chain of opts.existingNatChains ?? []) {
    if (activeNatChains.has(chain) || !isServiceChainName(chain)) continue;
    // A chain line flushes it; only an empty, unreferenced chain can then be deleted.
    natChains.push(chainLine(chain));
    natRules.push(`-X ${chain}`);
    deletedChains.push(chain);
  }

  const nodePortsComment = q('kubernetes service nodeports; NOTE: this must be the last rule in this chain');
  const addrs = opts.nodePortAddresses ?? 'all';
  if (addrs === 'all') {
    const notLocalhost = localhostNodePorts ? '' : ' ! -d 127.0.0.0/8';
    natRules.push(`-A ${kubeServicesChain} -m comment --comment ${nodePortsComment} -m addrtype --dst-type LOCAL${notLocalhost} -j ${kubeNodePortsChain}`);
  } else {
    for (const ip of addrs) {
      if (ip.startsWith('127.') && !localhostNodePorts) continue;
      natRules.push(`-A ${kubeServicesChain} -m comment --comment ${nodePortsComment} -d ${ip} -j ${kubeNodePortsChain}`);
    }
  }
  if (!opts.conntrackTCPLiberal) {
    // Without be_liberal, out-of-window packets marked INVALID would otherwise reset connections (issue 74839).
    const acct = opts.nfacct ? ' -m nfacct --nfacct-name ct_state_invalid_dropped_pkts' : '';
    filterRules.push(`-A ${kubeForwardChain} -m conntrack --ctstate INVALID${acct} -j DROP`);
  }
  // Forward what we marked for masquerade even when the FORWARD policy is DROP (NodePorts to other nodes).
  filterRules.push(`-A ${kubeForwardChain} -m comment --comment ${q('kubernetes forwarding rules')} -m mark --mark ${mark}/${mark} -j ACCEPT`);
  filterRules.push(
    `-A ${kubeForwardChain} -m comment --comment ${q('kubernetes forwarding conntrack rule')} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
  );

  const text = [
    '*filter',
    ...filterChains,
    ...filterRules,
    'COMMIT',
    '*nat',
    ...natChains,
    ...natRules,
    'COMMIT',
    '',
  ].join('\n');
  return { text, activeNatChains, deletedChains, totalEndpoints, largeClusterMode, hairpinChains };
}
