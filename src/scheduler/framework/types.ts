// The scheduling framework's shapes, as kube-scheduler's: a snapshot of nodes with the pods bound
// (or assumed) to each, and plugins that filter nodes with a Status and score the feasible ones
// from 0 to 100. A plugin is prepared once per pod (PreFilter/PreScore state) and then asked per node.
import type { Node, Pod } from '../../api/core.js';
import type { LabelSelector, Labels } from '../../machinery/labels/index.js';
import type { Resources } from '../resources.js';
import type { VolumeObjects } from '../volume-binding.js';

export const maxNodeScore = 100;

/**
 * A failed Filter. Unschedulable: preemption might help on this node (DefaultPreemption then
 * looks for victims); UnschedulableAndUnresolvable: it cannot, whatever runs there.
 */
export interface Status {
  code: 'Unschedulable' | 'UnschedulableAndUnresolvable';
  reasons: string[];
}

export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });

/** framework.NodeInfo: a node, the non-terminal pods on it, and their summed requests. */
export interface NodeInfo {
  node: Node;
  pods: Pod[];
  requested: Resources;
  nonZeroRequested: Resources;
  allocatable: Resources;
}

/** What every plugin may read: all nodes, and namespace labels for namespaceSelector terms. */
export interface Snapshot {
  nodes: NodeInfo[];
  namespaceLabels: (namespace: string) => Labels | undefined;
  /** The pods a pod belongs with (its Services', ReplicaSet's, StatefulSet's selectors), see default-selector.ts. */
  defaultSelector?: (pod: Pod) => LabelSelector;
  /** Claims, volumes and classes, for the VolumeBinding plugin; without them pods' claims are not judged. */
  volumes?: VolumeObjects;
}

/** A plugin's view of one pod: filter a node, score a feasible node, normalize the scores. */
export interface PodCycle {
  /**
   * PreFilter's verdict before any node is looked at: the only nodes worth filtering (a
   * PreFilterResult), or a rejection of every node at once.
   */
  preFilter?: { nodeNames: Set<string> } | { reject: Status };
  filter?(ni: NodeInfo): Status | undefined;
  /** Called with the feasible nodes once, before score (PreScore). */
  preScore?(feasible: NodeInfo[]): void;
  score?(ni: NodeInfo): number;
  /** Rewrites scores in place, same order as the nodes scored. */
  normalize?(scores: number[], nodes: NodeInfo[]): void;
}

export interface Plugin {
  name: string;
  /** Weight of its score in the default profile (0: filter only). */
  weight: number;
  cycle(pod: Pod, snapshot: Snapshot): PodCycle;
}

/** helper.DefaultNormalizeScore: scale to [0, max] by the highest score; reverse flips it. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      scores[i] = reverse ? maxNodeScore : 0;
      continue;
    }
    const s = Math.trunc((maxNodeScore * scores[i]!) / max);
    scores[i] = reverse ? maxNodeScore - s : s;
  }
}
