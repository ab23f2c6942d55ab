// RBAC's escalation prevention (upstream's pkg/registry/rbac/{role,clusterrole,rolebinding,
// clusterrolebinding}/policybased and rbac/validation ConfirmNoEscalation): a user may write a
// role only with rules they hold themselves, or with the `escalate` verb on it; and may bind a
// role only if they hold its rules, or have `bind` on it. system:masters may do anything.
import type { ClusterRole, PolicyRule, RoleBinding, RoleRef } from '../../api/rbac.js';
import { errors, type StatusError } from '../../machinery/status.js';
import type { Authorizer } from './authorizer.js';
import { uncoveredRules } from './covers.js';
import type { RequestAttributes } from './request-info.js';
import { systemPrivilegedGroup, type UserInfo } from './user.js';

const group = 'rbac.authorization.k8s.io';
const fullAuthority: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/** Go's %q of a []string: `["a" "b"]`. */
const quoteList = (l: readonly string[]) => `[${l.map((s) => JSON.stringify(s)).join(' ')}]`;

/** rbacv1helpers.CompactString: only the fields a rule sets. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${quoteList(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${quoteList(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${quoteList(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${quoteList(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${quoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** CompactRules: pieces that differ only in verb (one group, one resource, no names) become one rule. */
function compactRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.apiGroups?.length === 1 && r.resources?.length === 1 && !r.resourceNames?.length && !r.nonResourceURLs?.length;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = `${r.apiGroups![0]}\u0000${r.resources![0]}`;
    const have = simple.get(key);
    if (have) {
      for (const v of r.verbs) if (!have.verbs.includes(v)) have.verbs.push(v);
    } else {
      const copy = { ...r, verbs: [...r.verbs] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** ConfirmNoEscalation's error text, or undefined when the user holds every rule. */
export function escalationError(authz: Authorizer, user: UserInfo, namespace: string, rules: readonly PolicyRule[]): string | undefined {
  const missing = uncoveredRules(authz.rulesFor(user, namespace), rules);
  if (missing.length === 0) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  return `user ${JSON.stringify(user.name)} (groups=${quoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}

function attrs(verb: string, resource: string, namespace: string, name: string): RequestAttributes {
  return { isResourceRequest: true, path: '', verb, apiGroup: group, apiVersion: 'v1', namespace, resource, subresource: '', name };
}

const privileged = (user: UserInfo) => user.groups.includes(systemPrivilegedGroup);

/** Throws upstream's 403 when `user` may not write `role` (a Role, or a ClusterRole when namespace is ''). */
export function checkRoleWrite(authz: Authorizer, user: UserInfo, resource: 'roles' | 'clusterroles', role: ClusterRole): void {
  const name = role.metadata.name ?? '';
  const namespace = role.metadata.namespace ?? '';
  if (privileged(user) || authz.authorize(user, attrs('escalate', resource, namespace, name))) return;
  const msg = escalationError(authz, user, namespace, role.rules ?? []);
  if (msg) throw forbidden(resource, name, msg);
  // An aggregationRule can gather any rules, so setting one takes full authority.
  if (role.aggregationRule && escalationError(authz, user, namespace, fullAuthority)) {
    throw forbidden(resource, name, 'must have cluster-admin privileges to use the aggregationRule');
  }
}

/**
 * Throws upstream's 403 when `user` may not create or change `binding`: allowed with `bind` on the
 * role it refers to, else only if the user holds the role's rules. `roleRules` is undefined when
 * the role does not exist (upstream's error is its NotFound text).
 */
export function checkBindingWrite(
  authz: Authorizer,
  user: UserInfo,
  resource: 'rolebindings' | 'clusterrolebindings',
  binding: RoleBinding,
  roleRules: (ref: RoleRef, namespace: string) => PolicyRule[] | undefined,
): void {
  const name = binding.metadata.name ?? '';
  const namespace = binding.metadata.namespace ?? '';
  const ref = binding.roleRef;
  if (privileged(user)) return;
  const roleResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (authz.authorize(user, attrs('bind', roleResource, namespace, ref.name))) return;
  const rules = roleRules(ref, namespace);
  if (!rules) throw forbidden(resource, name, `${roleResource}.${group} ${JSON.stringify(ref.name)} not found`);
  const msg = escalationError(authz, user, namespace, rules);
  if (msg) throw forbidden(resource, name, msg);
}

function forbidden(resource: string, name: string, reason: string): StatusError {
  return errors.forbidden({ group, resource }, name, reason);
}
