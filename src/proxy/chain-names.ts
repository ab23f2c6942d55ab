// Upstream's per-Service chain names, so `kubesvc proxy trace` names the chains a packet walks in
// each mode exactly as `iptables-save` / `nft list ruleset` show them. The modes own the naming;
// this only adapts their functions to a ServicePortName.
import { servicePortNameString, type ServicePortName } from './types.js';
import { endpointChainName, serviceChains } from './iptables/names.js';
import { servicePortChainNameBase, servicePortEndpointChainNameBase } from './nftables/names.js';

export function iptablesChain(kind: 'SVC' | 'SVL' | 'EXT' | 'FW', spn: ServicePortName): string {
  const c = serviceChains(servicePortNameString(spn), spn.protocol.toLowerCase());
  return { SVC: c.cluster, SVL: c.local, EXT: c.external, FW: c.firewall }[kind];
}

/** Upstream's servicePortEndpointChainName. */
export function iptablesSEPChain(spn: ServicePortName, endpoint: string): string {
  return endpointChainName(servicePortNameString(spn), spn.protocol.toLowerCase(), endpoint);
}

/** nftables "service-HASH-ns/svc/tcp/p80" and friends. */
export function nftChain(prefix: 'service-' | 'local-' | 'external-', spn: ServicePortName): string {
  return prefix + servicePortChainNameBase(spn);
}

export function nftEndpointChain(spn: ServicePortName, ip: string, port: number): string {
  return 'endpoint-' + servicePortEndpointChainNameBase(spn, ip, port);
}
