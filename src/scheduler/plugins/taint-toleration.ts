// TaintToleration: NoSchedule/NoExecute taints the pod does not tolerate rule a node out; scoring
// prefers nodes with fewer untolerated PreferNoSchedule taints.
import type { Node } from '../../api/core.js';
import { doNotScheduleOrExecute, findMatchingUntoleratedTaint, podTolerations, toleratesTaint, type Taint } from '../../api/scheduling/taints.js';
import { defaultNormalizeScore, unresolvable, type Plugin } from '../framework/types.js';

export const notReadyTaintKey = 'node.kubernetes.io/not-ready';

/**
 * The node's taints. A node that is not Ready carries the not-ready taint upstream
 * (TaintNodesByCondition); judge it so even before the node lifecycle controller writes it.
 */
export function nodeTaints(node: Node): Taint[] {
  const taints = [...((node.spec?.taints ?? []) as Taint[])];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (!ready && !taints.some((t) => t.key.startsWith('node.kubernetes.io/'))) taints.push({ key: notReadyTaintKey, effect: 'NoSchedule' });
  return taints;
}

export const taintToleration: Plugin = {
  name: 'TaintToleration',
  weight: 3,
  cycle(pod) {
    const tolerations = podTolerations(pod);
    // Scoring counts only tolerations that could tolerate PreferNoSchedule (empty effect or that effect).
    const preferTolerations = tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    return {
      filter(ni) {
        const t = findMatchingUntoleratedTaint(nodeTaints(ni.node), tolerations, doNotScheduleOrExecute);
        return t ? unresolvable(`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`) : undefined;
      },
      score: (ni) =>
        ((ni.node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'PreferNoSchedule' && !preferTolerations.some((x) => toleratesTaint(x, t))).length,
      normalize: (scores) => defaultNormalizeScore(scores, true),
    };
  },
};
