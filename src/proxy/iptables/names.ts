// Chain names exactly as upstream's pkg/proxy/iptables derives them: iptables chain names are at
// most 28 characters, so per-Service and per-endpoint chains carry a 16-character base32 prefix of
// sha256(servicePortName + lowercase protocol [+ "ip:port"]) — the same inputs upstream hashes, so a
// reader can compare our KUBE-SVC-… names with a real node's.
import { sha256Base32 } from '../../util/sha256-base32.js';

export const kubeServicesChain = 'KUBE-SERVICES';
export const kubeExternalServicesChain = 'KUBE-EXTERNAL-SERVICES';
export const kubeNodePortsChain = 'KUBE-NODEPORTS';
export const kubePostroutingChain = 'KUBE-POSTROUTING';
export const kubeMarkMasqChain = 'KUBE-MARK-MASQ';
export const kubeForwardChain = 'KUBE-FORWARD';
export const kubeProxyFirewallChain = 'KUBE-PROXY-FIREWALL';
/**
 * Upstream's canary: an empty chain kube-proxy creates in mangle, nat and filter. Nothing jumps to
 * it; it exists only so that its absence shows someone flushed the tables (a firewall reload).
 */
export const kubeProxyCanaryChain = 'KUBE-PROXY-CANARY';
/** The tables the canary lives in, in the order they are checked (upstream's Monitor order). */
export const canaryTables = ['mangle', 'nat', 'filter'] as const;
/** kubelet's anti-martian chain, which kube-proxy duplicates when localhost NodePorts are on. */
export const kubeletFirewallChain = 'KUBE-FIREWALL';

// KUBE-HAIRPIN and its per-/24 chains belong to the 'inline' layout (hairpin.ts): under 'upstream' they are stale.
const serviceChainPrefixes = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-SEP-', 'KUBE-FW-', 'KUBE-EXT-', 'KUBE-HAIRPIN'] as const;

function hash16(s: string): string {
  return sha256Base32(s, 16);
}

/** Upstream's portProtoHash(servicePortName, protocol). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

export interface ServiceChains {
  cluster: string;
  local: string;
  firewall: string;
  external: string;
}

export function serviceChains(servicePortName: string, protocol: string): ServiceChains {
  const h = portProtoHash(servicePortName, protocol);
  return { cluster: `KUBE-SVC-${h}`, local: `KUBE-SVL-${h}`, firewall: `KUBE-FW-${h}`, external: `KUBE-EXT-${h}` };
}

/** KUBE-SEP-<hash of servicePortName + protocol + "ip:port">. */
export function endpointChainName(servicePortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(servicePortName + protocol + endpoint)}`;
}

/** Chains kube-proxy owns per Service: the only ones it may delete when they go stale. */
export function isServiceChainName(chain: string): boolean {
  return serviceChainPrefixes.some((p) => chain.startsWith(p));
}
