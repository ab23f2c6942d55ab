// The one interface every proxy mode implements (userspace, iptables, nftables, IPVS). The framework owns informers, change trackers, maps, the sync runner,
// metrics and health; a provider only turns the two maps into its data plane.
import type { TrafficSource } from './metrics/traffic.js';
import type { EndpointsMap, ServicePortMap } from './types.js';

export interface ProxyChanges {
  /**
   * Everything must be (re)applied: the first sync, after a failed sync, or when something outside
   * the maps changed (this node's topology labels). Not set by the periodic resync: see `resync`.
   */
  full: boolean;
  /**
   * This sync is the periodic one (every maxSyncMs, upstream's --iptables-sync-period), not one
   * asked for by a change. Upstream's periodic sync is partial; a full one only follows failures
   * and FullSyncPeriod (1 h). So each provider decides what a resync costs: one that can cheaply
   * tell whether its data plane was removed behind its back (a canary) syncs partially unless it
   * was; one that cannot treats it as full. `full` takes precedence when both are set. Absent
   * means false (callers outside the framework, such as benchmarks, drive syncs themselves).
   */
  resync?: boolean;
  /** ns/name of Services whose ServicePorts changed since the last successful sync. */
  services: ReadonlySet<string>;
  /** ns/name of Services whose endpoints changed since the last successful sync. */
  endpoints: ReadonlySet<string>;
  /** This node's topology labels (topology.kubernetes.io/zone), for hints. */
  nodeLabels: Readonly<Record<string, string>>;
}

export interface Provider {
  /** Mode name, as --proxy-mode spells it. */
  readonly mode: string;
  /** What the data plane carried, per Service port and endpoint, where the mode can count it. */
  readonly traffic?: TrafficSource;
  /** Prepares the data plane (nothing is programmed until the first sync). */
  start(): Promise<void>;
  /**
   * Makes the data plane match the maps. The maps are the framework's: read them, keep no
   * reference beyond the call unless copied. A rejection makes the framework retry with a full sync.
   * `changes.full` false: only the Services named in `changes.services` ∪ `changes.endpoints`
   * changed since the last successful sync; a provider may still choose to do more (a full sync
   * of its own after its FullSyncPeriod, or when a canary shows an outside flush on a resync).
   */
  sync(serviceMap: ServicePortMap, endpointsMap: EndpointsMap, changes: ProxyChanges): Promise<void>;
  /**
   * Releases everything the provider holds (sockets, timers). Kernel modes leave their rules in
   * place, as upstream's kube-proxy does on exit: Services keep working across a restart, whose
   * first full sync reconciles them, and a node namespace being deleted takes them with it.
   */
  stop(): Promise<void>;
  /**
   * Kernel modes: removes every rule, chain, set or table the mode owns (upstream's
   * `kube-proxy --cleanup`). Not called by startProxy's stop.
   */
  cleanup?(): Promise<void>;
}
