// What `kubesvc proxy rules` and `kubesvc proxy trace` read: the cluster's Services,
// EndpointSlices and Nodes, listed once over HTTPS (as a running proxy lists them) and turned into
// the proxy's own maps by ../proxy/rules-input.ts, which the live view's rules panel uses too.
import type { Node, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import { R } from '../client/resources.js';
import { proxyLabelSelector } from '../proxy/config.js';
import { rulesInput as proxyRulesInput, UnknownNodeError, type ClusterState } from '../proxy/rules-input.js';
import type { RulesInput } from '../proxy/rules.js';
import { UsageError } from './flags.js';
import { openClusterClient } from './cluster-client.js';

export { resolveKubeconfig } from './cluster-client.js';
export { inferClusterCIDR, type ClusterState } from '../proxy/rules-input.js';

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

/** rulesInput, with an unknown --node as the user's mistake. */
export function rulesInput(state: ClusterState, opts: { node?: string; clusterCIDR?: string }): RulesInput {
  try {
    return proxyRulesInput(state, opts);
  } catch (e) {
    if (e instanceof UnknownNodeError) throw new UsageError(e.message);
    throw e;
  }
}
