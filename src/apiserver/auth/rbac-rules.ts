// RBAC's rule matching (upstream's rbac/v1 helpers VerbMatches, APIGroupMatches, ResourceMatches,
// ResourceNameMatches, NonResourceURLMatches), so the built-in policy reads as the ClusterRoles and
// ClusterRoleBindings it stands in for, and stored RBAC objects can replace it without new rules.
import type { PolicyRule, Subject } from '../../api/rbac.js';
import type { RequestAttributes } from './request-info.js';
import type { UserInfo } from './user.js';

export type { PolicyRule } from '../../api/rbac.js';

const all = '*';

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.includes(all) || rule.verbs.includes(verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return (rule.apiGroups ?? []).some((g) => g === all || g === group);
}

/** `pods/log` names a subresource; `*` matches every resource and subresource, and `*` + `/scale` the scale subresource of any resource. */
function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === all || r === combined || (subresource !== '' && r === `*/${subresource}`),
  );
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

/** A trailing `*` matches any path with that prefix; anything else must be equal. */
function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some(
    (u) => u === all || u === path || (u.endsWith(all) && path.startsWith(u.slice(0, -1))),
  );
}

export function ruleAllows(a: RequestAttributes, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (a.isResourceRequest) {
    return apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, a.resource, a.subresource) && resourceNameMatches(rule, a.name);
  }
  return nonResourceURLMatches(rule, a.path);
}

/**
 * The first of a binding's subjects that is the user (upstream's appliesTo, which also says which,
 * for the reason an access review gives). A ServiceAccount subject without a namespace means the
 * binding's own; a ClusterRoleBinding has none, so it must say.
 */
export function matchingSubject(user: UserInfo, subjects: readonly Subject[] | undefined, bindingNamespace = ''): Subject | undefined {
  return (subjects ?? []).find((s) => {
    switch (s.kind) {
      case 'User':
        return s.name === user.name;
      case 'Group':
        return user.groups.includes(s.name);
      case 'ServiceAccount': {
        const ns = s.namespace || bindingNamespace;
        return ns !== '' && user.name === `system:serviceaccount:${ns}:${s.name}`;
      }
      default:
        return false;
    }
  });
}
