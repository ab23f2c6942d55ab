// Decides whether a user may do what a request asks, as kube-apiserver's authorizer chain does
// for `--authorization-mode=RBAC`: members of system:masters may do everything (upstream's
// privileged-group authorizer, which nothing can override), everyone else what a ClusterRole bound
// to them allows. The bindings are the built-in policy for now (bootstrap-policy.ts).
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './bootstrap-policy.js';
import { appliesTo, ruleAllows, type ClusterRole, type ClusterRoleBinding } from './rbac-rules.js';
import type { RequestAttributes } from './request-info.js';
import { systemPrivilegedGroup, type UserInfo } from './user.js';

export class Authorizer {
  private readonly roles: ReadonlyMap<string, ClusterRole>;

  constructor(
    roles: readonly ClusterRole[] = bootstrapClusterRoles,
    private readonly bindings: readonly ClusterRoleBinding[] = bootstrapClusterRoleBindings,
  ) {
    this.roles = new Map(roles.map((r) => [r.name, r]));
  }

  authorize(user: UserInfo, a: RequestAttributes): boolean {
    if (user.groups.includes(systemPrivilegedGroup)) return true;
    for (const b of this.bindings) {
      if (!appliesTo(user, b.subjects)) continue;
      if (this.roles.get(b.roleRef)?.rules.some((r) => ruleAllows(a, r))) return true;
    }
    return false;
  }
}
