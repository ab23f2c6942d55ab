// PodTopologySpread: the pod's topologySpreadConstraints. DoNotSchedule ones filter: placing the
// pod in a domain may not make its count of matching pods exceed the smallest domain's by more
// than maxSkew (the smallest counts as 0 while fewer than minDomains domains exist). ScheduleAnyway
// ones score: fewer matching pods in the node's domain, better. Domains are counted over the nodes
// the constraint's nodeAffinityPolicy (Honor by default) and nodeTaintsPolicy (Ignore) admit; a
// constraint's selector gains matchLabelKeys' values from the pod's own labels. A pod with no
// constraints at all is scored by the system defaults (hostname maxSkew 3, zone maxSkew 5,
// ScheduleAnyway) over the pods its Services and controller select.
import type { Node, Pod } from '../../api/core.js';
import { requiredNodeAffinityMatches } from '../../api/scheduling/nodeaffinity.js';
import { doNotScheduleOrExecute, findMatchingUntoleratedTaint, podTolerations, type Taint } from '../../api/scheduling/taints.js';
import type { LabelSelector as MetaLabelSelector } from '../../api/meta.js';
import { LabelSelector, labelSelectorAsSelector, newRequirement } from '../../machinery/labels/index.js';
import { maxNodeScore, unresolvable, unschedulable, type NodeInfo, type Plugin } from '../framework/types.js';

export const reasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const reasonNodeLabelNotMatch = `${reasonConstraintsNotMatch} (missing required label)`;
const hostnameKey = 'kubernetes.io/hostname';
const zoneKey = 'topology.kubernetes.io/zone';

/** The default profile's defaultConstraints (PodTopologySpreadArgs.DefaultingType System). */
const systemDefaults: [string, number][] = [
  [hostnameKey, 3],
  [zoneKey, 5],
];

interface ConstraintSpec {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway';
  labelSelector?: MetaLabelSelector | null;
  minDomains?: number;
  nodeAffinityPolicy?: 'Honor' | 'Ignore';
  nodeTaintsPolicy?: 'Honor' | 'Ignore';
  matchLabelKeys?: string[];
}

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: LabelSelector;
  /** Whether a node's pods count toward this constraint's domains. */
  admits: (node: Node) => boolean;
}

function constraints(pod: Pod, when: ConstraintSpec['whenUnsatisfiable']): Constraint[] {
  const specs = ((pod.spec?.topologySpreadConstraints ?? []) as ConstraintSpec[]).filter((c) => c.whenUnsatisfiable === when);
  const podLabels = pod.metadata.labels ?? {};
  return specs.map((c) => {
    let selector: LabelSelector;
    try {
      selector = labelSelectorAsSelector(c.labelSelector);
      const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(podLabels, k)).map((k) => newRequirement(k, '=', [podLabels[k]!]));
      if (extra.length) selector = selector.add(...extra);
    } catch {
      selector = LabelSelector.nothing();
    }
    const honorAffinity = (c.nodeAffinityPolicy ?? 'Honor') === 'Honor';
    const honorTaints = c.nodeTaintsPolicy === 'Honor';
    const admits = (node: Node) =>
      (!honorAffinity || requiredNodeAffinityMatches(pod, node)) &&
      (!honorTaints || !findMatchingUntoleratedTaint((node.spec?.taints ?? []) as Taint[], podTolerations(pod), doNotScheduleOrExecute));
    return { maxSkew: c.maxSkew, topologyKey: c.topologyKey, minDomains: c.minDomains ?? 1, selector, admits };
  });
}

/** countPodsMatchSelector: pods of the incoming pod's namespace, not terminating, the selector matches. */
function countMatching(pods: Pod[], selector: LabelSelector, namespace: string): number {
  return pods.filter((p) => !p.metadata.deletionTimestamp && (p.metadata.namespace ?? 'default') === namespace && selector.matches(p.metadata.labels ?? {})).length;
}

const hasAllKeys = (node: Node, cs: Constraint[]) => cs.every((c) => Object.hasOwn(node.metadata.labels ?? {}, c.topologyKey));

export const podTopologySpread: Plugin = {
  name: 'PodTopologySpread',
  weight: 2,
  cycle(pod, snapshot) {
    const namespace = pod.metadata.namespace ?? 'default';
    const podLabels = pod.metadata.labels ?? {};
    const hard = constraints(pod, 'DoNotSchedule');
    // PreFilter: matching pods per domain value, for each hard constraint.
    const counts = hard.map(() => new Map<string, number>());
    for (const ni of snapshot.nodes) {
      if (!hasAllKeys(ni.node, hard)) continue;
      hard.forEach((c, i) => {
        if (!c.admits(ni.node)) return;
        const value = ni.node.metadata.labels![c.topologyKey]!;
        counts[i]!.set(value, (counts[i]!.get(value) ?? 0) + countMatching(ni.pods, c.selector, namespace));
      });
    }
    const minMatch = counts.map((m, i) => (m.size < hard[i]!.minDomains ? 0 : Math.min(...m.values())));

    let soft = constraints(pod, 'ScheduleAnyway');
    // System defaults do not require nodes to carry every key (a node without a zone is still scored).
    let requireAll = true;
    if (!((pod.spec?.topologySpreadConstraints as unknown[] | undefined) ?? []).length && snapshot.defaultSelector) {
      const selector = snapshot.defaultSelector(pod);
      const admits = (node: Node) => requiredNodeAffinityMatches(pod, node);
      if (!selector.empty()) soft = systemDefaults.map(([topologyKey, maxSkew]) => ({ topologyKey, maxSkew, minDomains: 1, selector, admits }));
      requireAll = false;
    }
    const domain = (i: number, ni: NodeInfo) => `${i}\u0000${ni.node.metadata.labels?.[soft[i]!.topologyKey] ?? ''}`;
    let ignored = new Set<NodeInfo>();
    let pairCounts = new Map<string, number>();
    let weights: number[] = [];

    return {
      filter(ni) {
        const labels = ni.node.metadata.labels ?? {};
        for (let i = 0; i < hard.length; i++) {
          const c = hard[i]!;
          if (!Object.hasOwn(labels, c.topologyKey)) return unresolvable(reasonNodeLabelNotMatch);
          const self = c.selector.matches(podLabels) ? 1 : 0;
          const skew = (counts[i]!.get(labels[c.topologyKey]!) ?? 0) + self - minMatch[i]!;
          if (skew > c.maxSkew) return unschedulable(reasonConstraintsNotMatch);
        }
        return undefined;
      },
      preScore(feasible) {
        if (soft.length === 0) return;
        ignored = new Set(requireAll ? feasible.filter((ni) => !hasAllKeys(ni.node, soft)) : []);
        pairCounts = new Map();
        const sizes = soft.map(() => 0);
        for (const ni of feasible) {
          if (ignored.has(ni)) continue;
          soft.forEach((c, i) => {
            if (c.topologyKey === hostnameKey) return;
            const key = domain(i, ni);
            if (!pairCounts.has(key)) {
              pairCounts.set(key, 0);
              sizes[i]!++;
            }
          });
        }
        weights = soft.map((c, i) => Math.log((c.topologyKey === hostnameKey ? feasible.length - ignored.size : sizes[i]!) + 2));
        for (const ni of snapshot.nodes) {
          if (requireAll && !hasAllKeys(ni.node, soft)) continue;
          soft.forEach((c, i) => {
            const key = domain(i, ni);
            if (c.topologyKey === hostnameKey || !c.admits(ni.node) || !pairCounts.has(key)) return;
            pairCounts.set(key, pairCounts.get(key)! + countMatching(ni.pods, c.selector, namespace));
          });
        }
      },
      score(ni) {
        if (soft.length === 0 || ignored.has(ni)) return 0;
        let s = 0;
        soft.forEach((c, i) => {
          if (!Object.hasOwn(ni.node.metadata.labels ?? {}, c.topologyKey)) return;
          const cnt = c.topologyKey === hostnameKey ? countMatching(ni.pods, c.selector, namespace) : (pairCounts.get(domain(i, ni)) ?? 0);
          s += cnt * weights[i]! + (c.maxSkew - 1);
        });
        return Math.round(s);
      },
      normalize(scores, nodes) {
        if (soft.length === 0) return;
        let min = Number.MAX_SAFE_INTEGER;
        let max = 0;
        nodes.forEach((ni, i) => {
          if (ignored.has(ni)) return;
          min = Math.min(min, scores[i]!);
          max = Math.max(max, scores[i]!);
        });
        nodes.forEach((ni, i) => {
          if (ignored.has(ni)) scores[i] = 0;
          else if (max === 0) scores[i] = maxNodeScore;
          else scores[i] = Math.trunc((maxNodeScore * (max + min - scores[i]!)) / max);
        });
      },
    };
  },
};
