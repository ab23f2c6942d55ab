// Required node affinity (upstream's component-helpers nodeaffinity.GetRequiredNodeAffinity): a
// pod fits a node when the node's labels match its nodeSelector and at least one of its required
// nodeSelectorTerms. A term ANDs its matchExpressions (over labels) and matchFields (over
// metadata.name, the only field supported); a term with neither matches nothing. Requirements are
// the label selector's (src/machinery/labels): a term with an invalid one matches nothing, as
// upstream's NodeSelectorRequirementsAsSelector error does.
import type { Node, Pod } from '../core.js';
import { newRequirement, requirementMatches, type Labels, type Requirement } from '../../machinery/labels/index.js';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface PreferredSchedulingTerm {
  weight: number;
  preference: NodeSelectorTerm;
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[];
}

export function podNodeAffinity(pod: Pod): NodeAffinity | undefined {
  return (pod.spec?.affinity as { nodeAffinity?: NodeAffinity } | undefined)?.nodeAffinity;
}

const operators: Record<string, string> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!', Gt: 'gt', Lt: 'lt' };

/** The requirements as label requirements, or undefined when one is invalid. */
function asRequirements(reqs: NodeSelectorRequirement[], fields: boolean): Requirement[] | undefined {
  try {
    return reqs.map((r) => {
      // Fields support only In and NotIn (upstream's field selector conversion).
      const op = fields && r.operator !== 'In' && r.operator !== 'NotIn' ? '' : (operators[r.operator] ?? '');
      return newRequirement(r.key, op, r.values ?? []);
    });
  } catch {
    return undefined;
  }
}

function allMatch(reqs: NodeSelectorRequirement[], set: Labels, fields: boolean): boolean {
  const parsed = asRequirements(reqs, fields);
  return parsed !== undefined && parsed.every((r) => requirementMatches(r, set));
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const nodeFields: Labels = node.metadata.name !== undefined ? { 'metadata.name': node.metadata.name } : {};
  return allMatch(exprs, node.metadata.labels ?? {}, false) && allMatch(fields, nodeFields, true);
}

/** The pod's nodeSelector and required node affinity both hold on this node. */
export function requiredNodeAffinityMatches(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
}
