// InterPodAffinity: required pod affinity and anti-affinity of the incoming pod, and the required
// anti-affinity of pods already placed, counted per topology domain (topologyKey=value); preferred
// terms (both ways, plus existing pods' required affinity at weight 1) score nodes, normalized
// between the lowest and highest domain score.
import type { Pod } from '../../api/core.js';
import { maxNodeScore, unresolvable, unschedulable, type NodeInfo, type Plugin } from '../framework/types.js';
import { hasAffinityTerms, podAffinityTerms, termMatchesPod, type AffinityTerm, type PodAffinityTerms } from './affinity-term.js';

export const reasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const reasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
export const reasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";

/** hardPodAffinityWeight of the default profile: how much an existing pod's required affinity counts in scoring. */
const hardPodAffinityWeight = 1;

const pair = (key: string, value: string) => `${key}\u0000${value}`;

/** Terms of each pod, computed once per pod object (the snapshot is rebuilt for every cycle). */
const termsCache = new WeakMap<Pod, PodAffinityTerms>();
function termsOf(pod: Pod): PodAffinityTerms {
  let t = termsCache.get(pod);
  if (!t) termsCache.set(pod, (t = podAffinityTerms(pod)));
  return t;
}

function bump(m: Map<string, number>, key: string, by: number): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

export const interPodAffinity: Plugin = {
  name: 'InterPodAffinity',
  weight: 2,
  cycle(pod, snapshot) {
    const own = termsOf(pod);
    const matches = (t: AffinityTerm, p: Pod) => termMatchesPod(t, p, snapshot);
    // PreFilter: counts per topology pair.
    const affinityCounts = new Map<string, number>();
    const antiAffinityCounts = new Map<string, number>();
    const existingAntiAffinityCounts = new Map<string, number>();
    for (const ni of snapshot.nodes) {
      const labels = ni.node.metadata.labels ?? {};
      for (const existing of ni.pods) {
        // The incoming pod's affinity counts pods matching all its terms, in each term's domain.
        if (own.requiredAffinity.length && own.requiredAffinity.every((t) => matches(t, existing))) {
          for (const t of own.requiredAffinity) if (Object.hasOwn(labels, t.topologyKey)) bump(affinityCounts, pair(t.topologyKey, labels[t.topologyKey]!), 1);
        }
        for (const t of own.requiredAntiAffinity) {
          if (Object.hasOwn(labels, t.topologyKey) && matches(t, existing)) bump(antiAffinityCounts, pair(t.topologyKey, labels[t.topologyKey]!), 1);
        }
        for (const t of termsOf(existing).requiredAntiAffinity) {
          if (Object.hasOwn(labels, t.topologyKey) && matches(t, pod)) bump(existingAntiAffinityCounts, pair(t.topologyKey, labels[t.topologyKey]!), 1);
        }
      }
    }
    // A pod with affinity to its own kind may be the first of them: let it in when no pod matches yet.
    const firstOfItsKind = affinityCounts.size === 0 && own.requiredAffinity.every((t) => matches(t, pod));

    const satisfiesAffinity = (ni: NodeInfo): boolean => {
      const labels = ni.node.metadata.labels ?? {};
      let podsExist = true;
      for (const t of own.requiredAffinity) {
        if (!Object.hasOwn(labels, t.topologyKey)) return false;
        if (!((affinityCounts.get(pair(t.topologyKey, labels[t.topologyKey]!)) ?? 0) > 0)) podsExist = false;
      }
      return podsExist || firstOfItsKind;
    };
    const satisfiesAntiAffinity = (ni: NodeInfo, terms: { topologyKey: string }[], counts: Map<string, number>): boolean => {
      const labels = ni.node.metadata.labels ?? {};
      return terms.every((t) => !(Object.hasOwn(labels, t.topologyKey) && (counts.get(pair(t.topologyKey, labels[t.topologyKey]!)) ?? 0) > 0));
    };
    // Every topology key some existing pod's anti-affinity counts in.
    const existingKeys = [...new Set([...existingAntiAffinityCounts.keys()].map((k) => k.split('\u0000')[0]!))].map((topologyKey) => ({ topologyKey }));

    // PreScore: the sum of weights per topology pair, from both sides' preferred terms.
    let topologyScore: Map<string, number> | undefined;
    const preScore = (): Map<string, number> => {
      const scores = new Map<string, number>();
      for (const ni of snapshot.nodes) {
        const labels = ni.node.metadata.labels ?? {};
        const add = (t: AffinityTerm, w: number) => {
          if (Object.hasOwn(labels, t.topologyKey)) bump(scores, pair(t.topologyKey, labels[t.topologyKey]!), w);
        };
        for (const existing of ni.pods) {
          for (const t of own.preferredAffinity) if (matches(t, existing)) add(t, t.weight);
          for (const t of own.preferredAntiAffinity) if (matches(t, existing)) add(t, -t.weight);
          const theirs = termsOf(existing);
          if (!hasAffinityTerms(theirs)) continue;
          for (const t of theirs.requiredAffinity) if (matches(t, pod)) add(t, hardPodAffinityWeight);
          for (const t of theirs.preferredAffinity) if (matches(t, pod)) add(t, t.weight);
          for (const t of theirs.preferredAntiAffinity) if (matches(t, pod)) add(t, -t.weight);
        }
      }
      return scores;
    };

    return {
      filter(ni) {
        if (!satisfiesAffinity(ni)) return unresolvable(reasonAffinityRulesNotMatch);
        if (!satisfiesAntiAffinity(ni, own.requiredAntiAffinity, antiAffinityCounts)) return unschedulable(reasonAntiAffinityRulesNotMatch);
        if (!satisfiesAntiAffinity(ni, existingKeys, existingAntiAffinityCounts)) return unschedulable(reasonExistingAntiAffinityRulesNotMatch);
        return undefined;
      },
      preScore() {
        topologyScore = preScore();
      },
      score(ni) {
        const labels = ni.node.metadata.labels ?? {};
        let s = 0;
        for (const [k, v] of topologyScore ?? []) {
          const key = k.split('\u0000')[0]!;
          if (Object.hasOwn(labels, key) && pair(key, labels[key]!) === k) s += v;
        }
        return s;
      },
      normalize(scores) {
        const min = Math.min(...scores);
        const max = Math.max(...scores);
        for (let i = 0; i < scores.length; i++) scores[i] = max - min > 0 ? Math.trunc(maxNodeScore * ((scores[i]! - min) / (max - min))) : 0;
      },
    };
  },
};
