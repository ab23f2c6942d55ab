// The scheduler cache's snapshot: every node with the pods that count against it. Terminal pods
// do not (upstream's scheduler never sees them: its pod informer excludes Succeeded and Failed);
// terminating ones still do until they are gone.
import type { Node, Pod } from '../../api/core.js';
import type { Labels } from '../../machinery/labels/index.js';
import { resourceList } from '../../api/resource-list.js';
import { sumRequests } from '../resources.js';
import type { NodeInfo, Snapshot } from './types.js';

/** The kubelet's default --max-pods, for a node that reports no pods allocatable. */
export const defaultMaxPods = 110n;

export function nodeInfo(node: Node, pods: Pod[]): NodeInfo {
  const allocatable = resourceList(node.status?.allocatable as Record<string, string> | undefined);
  if (!allocatable.has('pods')) allocatable.set('pods', defaultMaxPods);
  return { node, pods, allocatable, requested: sumRequests(pods, false), nonZeroRequested: sumRequests(pods, true) };
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Pods are matched to nodes by spec.nodeName (assumed pods carry the node they are being bound to). */
export function buildSnapshot(nodes: Node[], pods: Pod[], namespaceLabels: (ns: string) => Labels | undefined = () => undefined): Snapshot {
  const byNode = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n || isTerminal(p)) continue;
    const list = byNode.get(n) ?? [];
    list.push(p);
    byNode.set(n, list);
  }
  return { nodes: nodes.map((n) => nodeInfo(n, byNode.get(n.metadata.name ?? '') ?? [])), namespaceLabels };
}
