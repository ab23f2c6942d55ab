// NodeAffinity: nodeSelector and required node affinity filter nodes; the preferred terms' weights
// of the terms a node matches score it. Terms that all name nodes (`matchFields metadata.name In`,
// as DaemonSet pods are pinned) narrow the nodes before filtering, as upstream's PreFilterResult.
import { podNodeAffinity, requiredNodeAffinityMatches, termMatches } from '../../api/scheduling/nodeaffinity.js';
import type { Pod } from '../../api/core.js';
import { defaultNormalizeScore, unresolvable, type Plugin, type PodCycle } from '../framework/types.js';

export const reasonNodeSelector = "node(s) didn't match Pod's node affinity/selector";

const reasonConflict = 'pod affinity terms conflict';

/** The node names every required term pins the pod to (terms ORed, requirements ANDed); undefined: any node. */
function preFilter(pod: Pod): PodCycle['preFilter'] {
  const terms = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
      const values = new Set(r.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    // A term without a name requirement lets any node through.
    if (!termNames) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names.size ? { nodeNames: names } : { reject: unresolvable(reasonConflict) };
}

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  weight: 2,
  cycle(pod) {
    const preferred = (podNodeAffinity(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight !== 0);
    return {
      preFilter: preFilter(pod),
      filter: (ni) => (requiredNodeAffinityMatches(pod, ni.node) ? undefined : unresolvable(reasonNodeSelector)),
      score: (ni) => preferred.reduce((sum, t) => sum + (termMatches(t.preference, ni.node) ? t.weight : 0), 0),
      normalize: (scores) => defaultNormalizeScore(scores, false),
    };
  },
};
