// What a proxy on one node would sync, from plain Service, EndpointSlice and Node objects: the
// proxy's own maps, built by its own change trackers. `kubesvc proxy rules|trace` (objects listed
// over HTTPS) and the live view's rules panel (objects from the browser's watches) both start here,
// so what they show is what a running proxy on that node programs. No Node.js modules: the live
// view bundles this for the browser.
import type { Node, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import { LabelHeadlessService, LabelServiceProxyName } from './config.js';
import { isIPv4 } from './ip.js';
import { proxyMapsFor } from './maps-from-objects.js';
import type { RulesInput } from './rules.js';

export interface ClusterState {
  services: Service[];
  slices: EndpointSlice[];
  nodes: Node[];
}

/** Thrown by pickNode for a node name the cluster does not have. */
export class UnknownNodeError extends Error {}

/**
 * Whether a running proxy sees this object: not one naming another proxy implementation, nor a
 * headless Service's slice (the same requirements as proxyLabelSelector, checked locally).
 */
export function seenByProxy(o: { metadata?: { labels?: Record<string, string> } }): boolean {
  const labels = o.metadata?.labels ?? {};
  return !(LabelHeadlessService in labels) && !(LabelServiceProxyName in labels);
}

/** The node whose view is rendered: the one wanted, else the only (or first, by name) node. */
export function pickNode(nodes: readonly Node[], wanted: string | undefined): { name: string; ips: string[] } {
  const sorted = [...nodes].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  const node = wanted ? sorted.find((n) => n.metadata.name === wanted) : sorted[0];
  if (wanted && !node) {
    throw new UnknownNodeError(`no node ${JSON.stringify(wanted)}; nodes: ${sorted.map((n) => n.metadata.name).join(', ') || '(none)'}`);
  }
  const name = node?.metadata.name ?? wanted ?? '';
  const ips = (node?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && isIPv4(a.address)).map((a) => a.address);
  return { name, ips };
}

/**
 * The cluster's pod range as kubesvc lays it out — node n gets x.y.n.0/24 of one /16 — read back
 * from the Nodes' podCIDRs, so the rules masquerade as the running proxies do without being told
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
    ...proxyMapsFor(state.services.filter(seenByProxy), state.slices.filter(seenByProxy), node.name),
    nodeName: node.name,
    nodeIPs: node.ips,
    ...(clusterCIDR ? { clusterCIDR } : {}),
  };
}
