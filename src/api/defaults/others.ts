// The small SetDefaults_* of the remaining kinds: Namespace, Node, Endpoints, EndpointSlice.
import type { Endpoints, Namespace, Node } from '../core.js';
import type { EndpointSlice } from '../discovery.js';

/** Every named Namespace carries kubernetes.io/metadata.name so selectors can pick it. */
export function setDefaultsNamespace(ns: Namespace): void {
  const name = ns.metadata?.name;
  if (name) {
    ns.metadata.labels ??= {};
    ns.metadata.labels['kubernetes.io/metadata.name'] = name;
  }
  if (ns.status && !ns.status.phase) ns.status.phase = 'Active';
  if (!ns.status) ns.status = { phase: 'Active' };
}

export function setDefaultsNode(node: Node): void {
  // What upstream's v1 <-> internal NodeSpec conversion does on every write: a lone podCIDR becomes
  // podCIDRs[0] (so it is validated as one), and podCIDR always mirrors podCIDRs[0].
  const spec = node.spec;
  if (spec) {
    if (!spec.podCIDRs?.length && spec.podCIDR) spec.podCIDRs = [spec.podCIDR];
    if (spec.podCIDRs?.length) spec.podCIDR = spec.podCIDRs[0]!;
  }
  const st = node.status;
  if (st && !st.allocatable && st.capacity) st.allocatable = { ...st.capacity };
}

export function setDefaultsEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}

export function setDefaultsEndpointSlice(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}
