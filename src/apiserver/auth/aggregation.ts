// ClusterRole aggregation (upstream's ClusterRoleAggregationController): a ClusterRole with an
// aggregationRule holds the rules of every other ClusterRole its selectors match, in name order
// (Go's byte order, as upstream's byName sort: not the locale's), each rule once. Pure, so the controller and the not-yet-stored bootstrap policy share it.
import type { ClusterRole, PolicyRule } from '../../api/rbac.js';
import { selectorMatches } from '../../api/validation/labels.js';
import { deepEqual } from '../store/deep-equal.js';
import { compareKeys } from '../../storage/prefix.js';

export function aggregatedRules(role: ClusterRole, all: Iterable<ClusterRole>): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors ?? [];
  const sorted = [...all].sort((a, b) => compareKeys(a.metadata.name ?? '', b.metadata.name ?? ''));
  const rules: PolicyRule[] = [];
  for (const sel of selectors) {
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !selectorMatches(sel, other.metadata.labels)) continue;
      for (const r of other.rules ?? []) if (!rules.some((have) => deepEqual(have, r))) rules.push(r);
    }
  }
  return rules;
}

/** The roles with every aggregation applied, to a fixed point (view feeds edit, which feeds admin). */
export function aggregateAll(roles: readonly ClusterRole[]): ClusterRole[] {
  const out = roles.map((r) => structuredClone(r));
  // Each pass settles at least one more level of nesting; more passes than roles cannot help.
  for (let pass = 0; pass <= out.length; pass++) {
    let changed = false;
    for (const r of out) {
      if (!r.aggregationRule) continue;
      const rules = aggregatedRules(r, out);
      if (!deepEqual(rules, r.rules ?? [])) {
        r.rules = rules;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}
