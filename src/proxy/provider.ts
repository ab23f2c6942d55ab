// The one interface every proxy mode implements (userspace, iptables, nftables; IPVS on the
// same maps later). The framework owns informers, change trackers, maps, the sync runner,
// metrics and health; a provider only turns the two maps into its data plane.
import type { EndpointsMap, ServicePortMap } from './types.js';

export interface ProxyChanges {
  /** Everything must be (re)applied: the first sync, a periodic resync, or after a failed sync. */
  full: boolean;
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
  /** Prepares the data plane (nothing is programmed until the first sync). */
  start(): Promise<void>;
  /**
   * Makes the data plane match the maps. The maps are the framework's: read them, keep no
   * reference beyond the call unless copied. A rejection makes the framework retry with a full sync.
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
