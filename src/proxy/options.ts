// What startProxy is told: the node, the mode and its settings (upstream's kube-proxy flags).
export type ProxyModeName = 'userspace' | 'iptables' | 'nftables' | 'ipvs';

/**
 * How the iptables and nftables modes lay out their rules. 'upstream': as upstream kube-proxy,
 * rule for rule (a chain per endpoint; nftables' numgen vmaps). 'inline' (default): a Service
 * without ClientIP affinity DNATs from its own chain, with no chain per endpoint, and hairpin
 * traffic is found in postrouting; 10,000 Services × 10 endpoints load ~4× faster (iptables
 * 7 s against 28 s) and change ~3× faster (bench/README.md).
 */
export type ProxyLayout = 'upstream' | 'inline';
export const proxyLayouts: readonly ProxyLayout[] = ['inline', 'upstream'];
export const defaultProxyLayout: ProxyLayout = 'inline';

export function isProxyLayout(s: string): s is ProxyLayout {
  return (proxyLayouts as readonly string[]).includes(s);
}

/** Something a proxy wants its users to see on a Service (startProxy records it as an Event). */
export interface ServiceReport {
  namespace: string;
  name: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface ProxyOptions {
  nodeName: string;
  nodeIP: string;
  mode: ProxyModeName;
  /** Where a mode reports what users should see on a Service (set by startProxy). */
  report?: (r: ServiceReport) => void;
  /**
   * Kernel modes: the named network namespace whose tables this proxy programs (every iptables-restore,
   * nft, conntrack and sysctl runs through `ip netns exec <netns>`); absent = this process's own.
   */
  netns?: string;
  /** The cluster's pod range (upstream's --cluster-cidr): kernel modes masquerade traffic from outside it. */
  clusterCIDR?: string;
  /**
   * The ClusterIP range (what the API server allocates from; `kubesvc up --service-cidr`).
   * nftables mode: new connections to an address in it that is no Service's ClusterIP are dropped
   * ("Drop traffic to unallocated ClusterIPs" in chain cluster-ips-check), as upstream's nftables
   * proxier does with the ServiceCIDRs it watches. IPv4 only, like the proxy; an IPv6 range is
   * ignored, as upstream filters the CIDRs by the proxier's family. Unused by the other modes
   * (upstream's iptables and IPVS proxiers have no such rule).
   */
  serviceCIDR?: string;
  /** ipvs mode: --ipvs-scheduler (rr, wrr, lc, wlc, sh, dh, sed, nq; default rr). */
  ipvsScheduler?: string;
  /** iptables and nftables modes: the rule layout (default 'inline'; see ProxyLayout). */
  layout?: ProxyLayout;
  /** Metrics on 127.0.0.1:metricsPort/metrics (default 10249; 0 = ephemeral). */
  metricsPort?: number;
  /** Health on 127.0.0.1:healthzPort/healthz (default 10256; 0 = ephemeral). */
  healthzPort?: number;
  /** Minimum time between syncs (default 0: every batch of events that arrives together is one sync). */
  minSyncMs?: number;
  /**
   * Periodic resync (default 30 s, upstream's --iptables-sync-period default). Partial where the
   * mode can detect an outside flush cheaply (iptables: canary chains; nftables: the table), full
   * otherwise (userspace, IPVS); see ProxyChanges.resync.
   */
  maxSyncMs?: number;
  /**
   * Kernel modes: how long one tool invocation (iptables-restore, nft, ipvsadm, conntrack, …) may
   * run before it is killed and the sync fails (retried as a full sync). Default 60 s; 0 = none.
   */
  commandTimeoutMs?: number;
  /** UDP session idle timeout in userspace mode (default 250 ms, upstream's --udp-timeout). */
  udpIdleTimeoutMs?: number;
}
