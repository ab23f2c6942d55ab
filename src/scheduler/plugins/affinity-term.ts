// Pod affinity terms as the scheduler reads them (framework.AffinityTerm): which pods a term
// selects — its labelSelector, over the namespaces it names, or those its namespaceSelector
// selects, or else the namespace of the pod that carries the term.
import type { Pod } from '../../api/core.js';
import type { LabelSelector as MetaLabelSelector } from '../../api/meta.js';
import { labelSelectorAsSelector, LabelSelector, newRequirement } from '../../machinery/labels/index.js';
import type { Snapshot } from '../framework/types.js';

export interface PodAffinityTermSpec {
  labelSelector?: MetaLabelSelector | null;
  namespaces?: string[];
  namespaceSelector?: MetaLabelSelector | null;
  topologyKey: string;
  matchLabelKeys?: string[];
  mismatchLabelKeys?: string[];
}

interface WeightedTermSpec {
  weight: number;
  podAffinityTerm: PodAffinityTermSpec;
}

interface RulesSpec {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTermSpec[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedTermSpec[];
}

export interface AffinityTerm {
  topologyKey: string;
  selector: LabelSelector;
  namespaces: Set<string>;
  namespaceSelector: LabelSelector;
  weight: number;
}

/**
 * The term's selector, with matchLabelKeys (`key in (<owner's value>)`) and mismatchLabelKeys
 * (`key notin (...)`) for the keys the owner carries (1.32's MatchLabelKeysInPodAffinity, beta and
 * on; upstream's API server merges them into labelSelector at creation, to the same effect). A
 * selector that cannot be converted selects nothing (validation rejects such pods anyway).
 */
function selector(s: MetaLabelSelector | null | undefined, owner?: Pod, t?: PodAffinityTermSpec): LabelSelector {
  try {
    const labels = owner?.metadata.labels ?? {};
    const keyed = (keys: string[] | undefined, op: string) =>
      (keys ?? []).filter((k) => Object.hasOwn(labels, k)).map((k) => newRequirement(k, op, [labels[k]!]));
    const extra = [...keyed(t?.matchLabelKeys, 'in'), ...keyed(t?.mismatchLabelKeys, 'notin')];
    const base = labelSelectorAsSelector(s);
    return extra.length ? base.add(...extra) : base;
  } catch {
    return LabelSelector.nothing();
  }
}

function term(owner: Pod, t: PodAffinityTermSpec, weight: number): AffinityTerm {
  const namespaces = new Set(t.namespaces ?? []);
  // No namespaces and no namespaceSelector: the owner's own namespace.
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata.namespace ?? 'default');
  return { topologyKey: t.topologyKey, selector: selector(t.labelSelector, owner, t), namespaces, namespaceSelector: selector(t.namespaceSelector), weight };
}

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

/** framework.PodInfo's affinity terms of a pod. */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const a = (pod.spec?.affinity ?? {}) as { podAffinity?: RulesSpec; podAntiAffinity?: RulesSpec };
  const req = (r: RulesSpec | undefined) => (r?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => term(pod, t, 1));
  const pref = (r: RulesSpec | undefined) =>
    (r?.preferredDuringSchedulingIgnoredDuringExecution ?? []).filter((w) => w.weight !== 0).map((w) => term(pod, w.podAffinityTerm, w.weight));
  return {
    requiredAffinity: req(a.podAffinity),
    requiredAntiAffinity: req(a.podAntiAffinity),
    preferredAffinity: pref(a.podAffinity),
    preferredAntiAffinity: pref(a.podAntiAffinity),
  };
}

export function hasAffinityTerms(t: PodAffinityTerms): boolean {
  return t.requiredAffinity.length + t.requiredAntiAffinity.length + t.preferredAffinity.length + t.preferredAntiAffinity.length > 0;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and carries labels it selects. */
export function termMatchesPod(t: AffinityTerm, pod: Pod, snapshot: Snapshot): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  const inNamespace = t.namespaces.has(ns) || t.namespaceSelector.matches(snapshot.namespaceLabels(ns));
  return inNamespace && t.selector.matches(pod.metadata.labels ?? {});
}
