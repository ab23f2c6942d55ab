// What `kubesvc proxy rules` and `kubesvc proxy trace` read: the cluster's Services,
// EndpointSlices and Nodes, listed once over HTTPS and turned into the proxy's own maps by the
// proxy's own change trackers, so what they print is what a proxy on that node would sync.
import type { Node, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import { R } from '../client/resources.js';
import { isIPv4 } from '../proxy/ip.js';
import { proxyMapsFor } from '../proxy/maps-from-objects.js';
import { proxyLabelSelector } from '../proxy/config.js';
import type { RulesInput } from '../proxy/rules.js';
import { UsageError } from './flags.js';
import { openClusterClient } from './cluster-client.js';

export { resolveKubeconfig } from './cluster-client.js';

export interface ClusterState {
  services: Service[];
  slices: EndpointSlice[];
  nodes: Node[];
}

export async function fetchClusterState(kubeconfigPath: string): Promise<ClusterState> {
  const client = openClusterClient(kubeconfigPath);
  try {
    const [services, slices, nodes] = await Promise.all([
      // As a running proxy lists them: not the objects of another proxy, nor headless Services' slices.
      client.list<Service>(R.services, undefined, { labelSelector: proxyLabelSelector }),
      client.list<EndpointSlice>(R.endpointslices, undefined, { labelSelector: proxyLabelSelector }),
      client.list<Node>(R.nodes, undefined),
    ]);
    return { services: services.items, slices: slices.items, nodes: nodes.items };
  } finally {
    client.close();
  }
}

/** The node whose view is rendered: --node, else the only (or first, by name) node. */
export function pickNode(nodes: readonly Node[], wanted: string | undefined): { name: string; ips: string[] } {
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const node = wanted ? sorted.find((n) => n.metadata.name === wanted) : sorted[0];
  if (wanted && !node) {
    throw new UsageError(`no node ${JSON.stringify(wanted)}; nodes: ${sorted.map((n) => n.metadata.name).join(', ') || '(none)'}`);
  }
  const name = node?.metadata.name ?? wanted ?? '';
  const ips = (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && isIPv4(a.address)).map((a) => a.address);
  return { name, ips };
}

/**
 * The cluster's pod range as kubesvc lays it out — node n gets x.y.n.0/24 of one /16 — read back
 * from the Nodes' podCIDRs, so `proxy rules`/`trace` masquerade as the running proxies do without
 * --cluster-cidr. Undefined when the nodes do not fit that layout.
 */
export function inferClusterCIDR(nodes: readonly Node[]): string | undefined {
  const cidrs = nodes.map((n) => n.spec?.podCIDR).filter((c): c is string => !!c);
  if (cidrs.length === 0 || cidrs.length !== nodes.length) return undefined;
  const heads = new Set<string>();
  for (const c of cidrs) {
    const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.0\/24$/.exec(c);
    if (!m) return undefined;
    heads.add(`${m[1]}.${m[2]}`);
  }
  return heads.size === 1 ? `${[...heads][0]}.0.0/16` : undefined;
}

export function rulesInput(state: ClusterState, opts: { node?: string; clusterCIDR?: string }): RulesInput {
  const node = pickNode(state.nodes, opts.node);
  const clusterCIDR = opts.clusterCIDR ?? inferClusterCIDR(state.nodes);
  return {
    ...proxyMapsFor(state.services, state.slices, node.name),
    nodeName: node.name,
    nodeIPs: node.ips,
    ...(clusterCIDR ? { clusterCIDR } : {}),
  };
}
