// Whether one set of rules grants everything another does (upstream's rbac/validation Covers):
// each rule is broken down into one rule per verb, group, resource and name (or per verb and
// non-resource URL), and every piece must be allowed by some owner rule. Used to refuse a Role
// that grants more than its author holds, and to find the bootstrap rules a stored role lacks.
import type { PolicyRule } from '../../api/rbac.js';

const all = '*';

function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs ?? []) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames ?? [];
        if (names.length === 0) out.push({ verbs: [verb], apiGroups: [group], resources: [resource] });
        for (const name of names) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], resourceNames: [name] });
      }
    }
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
  }
  return out;
}

const hasAll = (have: readonly string[] | undefined, want: readonly string[] | undefined): boolean =>
  (want ?? []).every((w) => (have ?? []).includes(w));

function resourceCoversAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  const o = owner ?? [];
  if (o.includes(all)) return true;
  return (wanted ?? []).every((r) => {
    if (o.includes(r)) return true;
    // `*/scale` covers the scale subresource of any resource.
    const slash = r.indexOf('/');
    return slash > 0 && o.includes(`*${r.slice(slash)}`);
  });
}

function urlCovers(owner: readonly string[] | undefined, url: string): boolean {
  return (owner ?? []).some((o) => o === url || (o.endsWith(all) && url.startsWith(o.slice(0, -1))));
}

/** Whether `owner` allows the (broken down) rule `r`. */
function ruleCovers(owner: PolicyRule, r: PolicyRule): boolean {
  const verbs = owner.verbs.includes(all) || hasAll(owner.verbs, r.verbs);
  const urls = (r.nonResourceURLs ?? []).every((u) => urlCovers(owner.nonResourceURLs, u));
  const groups = (owner.apiGroups ?? []).includes(all) || hasAll(owner.apiGroups, r.apiGroups);
  const resources = resourceCoversAll(owner.resources, r.resources);
  // A grant limited to names covers only requests limited to (some of) those names.
  const ownerNamed = (owner.resourceNames ?? []).length > 0;
  const names = (r.resourceNames ?? []).length === 0 ? !ownerNamed : !ownerNamed || hasAll(owner.resourceNames, r.resourceNames);
  return verbs && urls && groups && resources && names;
}

/** The pieces of `servant` that no rule of `owner` covers; empty when `owner` covers it all. */
export function uncoveredRules(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of servant) for (const piece of breakdown(rule)) if (!owner.some((o) => ruleCovers(o, piece))) missing.push(piece);
  return missing;
}
