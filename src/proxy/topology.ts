// Upstream's CategorizeEndpoints: which endpoints a Service port's traffic may use on this node.
// Cluster traffic policy uses ready endpoints anywhere (narrowed by topology hints when every
// ready endpoint has one for us), Local uses this node's; each falls back, independently, to
// endpoints that are serving but terminating when none is ready, so connections keep working
// while a rollout replaces the last pods.
import { usesClusterEndpoints, usesLocalEndpoints } from './serviceport.js';
import type { EndpointInfo, ServicePortInfo } from './types.js';

export interface CategorizedEndpoints {
  /** For Cluster policy traffic; undefined when the port never uses Cluster policy. */
  clusterEndpoints: EndpointInfo[] | undefined;
  /** For Local policy traffic; undefined when the port never uses Local policy. */
  localEndpoints: EndpointInfo[] | undefined;
  /** Every endpoint this node may send to (union of the two). */
  allReachableEndpoints: EndpointInfo[];
  /** Some usable endpoint exists somewhere in the cluster (even if none is reachable from here). */
  hasAnyEndpoints: boolean;
}

type TopologyMode = '' | 'PreferSameNode' | 'PreferSameZone';

export function categorizeEndpoints(
  endpoints: readonly EndpointInfo[],
  sp: ServicePortInfo,
  nodeName: string,
  topologyLabels: Record<string, string> = {},
): CategorizedEndpoints {
  let clusterEndpoints: EndpointInfo[] | undefined;
  let localEndpoints: EndpointInfo[] | undefined;
  let hasAnyEndpoints = false;
  if (endpoints.length === 0) {
    return {
      clusterEndpoints: usesClusterEndpoints(sp) ? [] : undefined,
      localEndpoints: usesLocalEndpoints(sp) ? [] : undefined,
      allReachableEndpoints: [],
      hasAnyEndpoints,
    };
  }
  let topologyMode: TopologyMode = '';
  let useServingTerminating = false;

  if (usesClusterEndpoints(sp)) {
    const zone = topologyLabels['topology.kubernetes.io/zone'] ?? '';
    topologyMode = topologyModeFromHints(endpoints, nodeName, zone);
    clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, topologyMode, nodeName, zone));
    // No ready endpoint anywhere (topology was already dropped if none matched): try terminating ones.
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!usesLocalEndpoints(sp)) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints ?? [], hasAnyEndpoints };
  }

  let hasLocalReady = false;
  let hasLocalServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminating = true;
    }
  }
  if (hasLocalReady) {
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.ready);
  } else if (hasLocalServingTerminating) {
    useServingTerminating = true;
    localEndpoints = endpoints.filter((ep) => ep.isLocal && ep.serving && ep.terminating);
  } else {
    localEndpoints = [];
  }
  if (!clusterEndpoints) {
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: localEndpoints, hasAnyEndpoints };
  }
  if (topologyMode === '' && !useServingTerminating) {
    // clusterEndpoints holds every ready endpoint, so it already contains the local ready ones.
    return { clusterEndpoints, localEndpoints, allReachableEndpoints: clusterEndpoints, hasAnyEndpoints };
  }
  const union = new Map<string, EndpointInfo>();
  for (const ep of clusterEndpoints) union.set(ep.endpoint, ep);
  for (const ep of localEndpoints) union.set(ep.endpoint, ep);
  return { clusterEndpoints, localEndpoints, allReachableEndpoints: [...union.values()], hasAnyEndpoints };
}

/** Upstream's topologyModeFromHints: use hints only when every ready endpoint has one and some name us. */
function topologyModeFromHints(endpoints: readonly EndpointInfo[], nodeName: string, zone: string): TopologyMode {
  let hasReady = false;
  let allNodeHints = true;
  let forNode = false;
  let allZoneHints = true;
  let forZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    hasReady = true;
    if (ep.nodeHints.length === 0) allNodeHints = false;
    else if (ep.nodeHints.includes(nodeName)) forNode = true;
    if (ep.zoneHints.length === 0) allZoneHints = false;
    else if (ep.zoneHints.includes(zone)) forZone = true;
  }
  if (!hasReady) return '';
  if (allNodeHints && forNode) return 'PreferSameNode';
  if (allZoneHints && forZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: EndpointInfo, mode: TopologyMode, nodeName: string, zone: string): boolean {
  if (mode === '') return true;
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(nodeName);
  return ep.zoneHints.includes(zone);
}
