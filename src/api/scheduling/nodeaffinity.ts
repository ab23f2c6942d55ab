// Required node affinity (upstream's component-helpers nodeaffinity.GetRequiredNodeAffinity): a
// pod fits a node when the node's labels match its nodeSelector and at least one of its required
// nodeSelectorTerms. A term ANDs its matchExpressions (over labels) and matchFields (over
// metadata.name, the only field supported); a term with neither matches nothing.
import type { Node, Pod } from '../core.js';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
}

export function podNodeAffinity(pod: Pod): NodeAffinity | undefined {
  return (pod.spec?.affinity as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0]!)) return false;
      const [a, b] = [BigInt(value), BigInt(values[0]!)];
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

function fieldValue(node: Node, key: string): string | undefined {
  return key === 'metadata.name' ? node.metadata.name : undefined;
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    exprs.every((r) => requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined)) &&
    fields.every((r) => (r.operator === 'In' || r.operator === 'NotIn') && requirementMatches(r, fieldValue(node, r.key)))
  );
}

/** The pod's nodeSelector and required node affinity both hold on this node. */
export function requiredNodeAffinityMatches(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}
