// NodeAffinity: nodeSelector and required node affinity filter nodes; the preferred terms' weights
// of the terms a node matches score it.
import { podNodeAffinity, requiredNodeAffinityMatches, termMatches } from '../../api/scheduling/nodeaffinity.js';
import { defaultNormalizeScore, unresolvable, type Plugin } from '../framework/types.js';

export const reasonNodeSelector = "node(s) didn't match Pod's node affinity/selector";

export const nodeAffinity: Plugin = {
  name: 'NodeAffinity',
  weight: 2,
  cycle(pod) {
    const preferred = (podNodeAffinity(pod)?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.weight !== 0);
    return {
      filter: (ni) => (requiredNodeAffinityMatches(pod, ni.node) ? undefined : unresolvable(reasonNodeSelector)),
      score: (ni) => preferred.reduce((sum, t) => sum + (termMatches(t.preference, ni.node) ? t.weight : 0), 0),
      normalize: (scores) => defaultNormalizeScore(scores, false),
    };
  },
};
