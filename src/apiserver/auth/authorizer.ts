// Decides whether a user may do what a request asks, as kube-apiserver's authorizer chain does
// for `--authorization-mode=RBAC`: members of system:masters may do everything (upstream's
// privileged-group authorizer, which nothing can override), everyone else what the rules of the
// roles bound to them allow (upstream's RBACAuthorizer: ClusterRoleBindings, then the
// RoleBindings of the request's namespace). Where the roles and bindings come from is a
// PolicySource: the stored objects (policy-source.ts) or the bootstrap policy before they are.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from '../../api/rbac.js';
import { aggregateAll } from './aggregation.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from './bootstrap-policy.js';
import { appliesTo, ruleAllows } from './rbac-rules.js';
import type { RequestAttributes } from './request-info.js';
import { systemPrivilegedGroup, type UserInfo } from './user.js';

/** What the authorizer reads: upstream's RoleGetter, RoleBindingLister, ClusterRoleGetter and ClusterRoleBindingLister. */
export interface PolicySource {
  clusterRoleBindings(): Iterable<ClusterRoleBinding>;
  roleBindings(namespace: string): Iterable<RoleBinding>;
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
}

/** A fixed set of objects: the bootstrap policy, and what unit tests build. */
export class StaticPolicy implements PolicySource {
  private readonly crs: Map<string, ClusterRole>;
  constructor(
    clusterRoles: readonly ClusterRole[],
    private readonly crbs: readonly ClusterRoleBinding[],
    private readonly roles: readonly Role[] = [],
    private readonly rbs: readonly RoleBinding[] = [],
  ) {
    this.crs = new Map(aggregateAll(clusterRoles).map((r) => [r.metadata.name ?? '', r]));
  }
  clusterRoleBindings(): Iterable<ClusterRoleBinding> {
    return this.crbs;
  }
  roleBindings(namespace: string): Iterable<RoleBinding> {
    return this.rbs.filter((b) => b.metadata.namespace === namespace);
  }
  clusterRole(name: string): ClusterRole | undefined {
    return this.crs.get(name);
  }
  role(namespace: string, name: string): Role | undefined {
    return this.roles.find((r) => r.metadata.namespace === namespace && r.metadata.name === name);
  }
}

export const bootstrapPolicy: PolicySource = new StaticPolicy(bootstrapClusterRoles(), bootstrapClusterRoleBindings(), bootstrapRoles(), bootstrapRoleBindings());

export class Authorizer {
  constructor(private readonly source: PolicySource = bootstrapPolicy) {}

  authorize(user: UserInfo, a: RequestAttributes): boolean {
    if (user.groups.includes(systemPrivilegedGroup)) return true;
    return this.visitRules(user, a.isResourceRequest ? a.namespace : '', (r) => ruleAllows(a, r));
  }

  /** Every rule that applies to the user in `namespace` ('' for cluster-wide only), e.g. for escalation checks and `can-i --list`. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    const rules: PolicyRule[] = [];
    this.visitRules(user, namespace, (r) => {
      rules.push(r);
      return false;
    });
    return rules;
  }

  /** Calls `visit` with each rule that applies, until it answers true (upstream's VisitRulesFor); returns whether it did. */
  private visitRules(user: UserInfo, namespace: string, visit: (r: PolicyRule) => boolean): boolean {
    for (const b of this.source.clusterRoleBindings()) {
      if (b.roleRef?.kind !== 'ClusterRole' || !appliesTo(user, b.subjects)) continue;
      for (const r of this.source.clusterRole(b.roleRef.name)?.rules ?? []) if (visit(r)) return true;
    }
    if (!namespace) return false;
    for (const b of this.source.roleBindings(namespace)) {
      if (!appliesTo(user, b.subjects, namespace)) continue;
      const role = b.roleRef?.kind === 'ClusterRole' ? this.source.clusterRole(b.roleRef.name) : this.source.role(namespace, b.roleRef?.name ?? '');
      for (const r of role?.rules ?? []) if (visit(r)) return true;
    }
    return false;
  }
}
