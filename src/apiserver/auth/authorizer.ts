// Decides whether a user may do what a request asks, as kube-apiserver's authorizer chain does
// for `--authorization-mode=Node,RBAC`: members of system:masters may do everything (upstream's
// privileged-group authorizer, which nothing can override), a kubelet what the Node authorizer
// allows (node-authorizer.ts), everyone else what the rules of the roles bound to them allow
// (upstream's RBACAuthorizer: ClusterRoleBindings, then the RoleBindings of the request's
// namespace). Where the roles and bindings come from is a PolicySource: the stored objects
// (policy-source.ts) or the bootstrap policy before they are.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../api/rbac.js';
import { aggregateAll } from './aggregation.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings, bootstrapRoles } from './bootstrap-policy.js';
import { DecisionCache } from './decision-cache.js';
import { matchingSubject, ruleAllows } from './rbac-rules.js';
import type { RequestAttributes } from './request-info.js';
import { systemPrivilegedGroup, type UserInfo } from './user.js';

/** What the authorizer reads: upstream's RoleGetter, RoleBindingLister, ClusterRoleGetter and ClusterRoleBindingLister. */
export interface PolicySource {
  clusterRoleBindings(): Iterable<ClusterRoleBinding>;
  roleBindings(namespace: string): Iterable<RoleBinding>;
  clusterRole(name: string): ClusterRole | undefined;
  role(namespace: string, name: string): Role | undefined;
  /** Changes whenever any role or binding does; without it decisions are not cached. */
  generation?(): number;
}

/** An authorizer's answer and why (upstream's Decision and reason: what access reviews and 403s report). */
export interface Decision {
  allowed: boolean;
  reason: string;
}

/** Answers for some users before RBAC is asked, as upstream's Node authorizer: allowed, or no opinion with a reason. */
export interface ChainedAuthorizer {
  decide(user: UserInfo, a: RequestAttributes): Decision;
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
  private readonly cache = new DecisionCache();
  private readonly chain: ChainedAuthorizer[] = [];

  constructor(private readonly source: PolicySource = bootstrapPolicy) {}

  /** Puts `a` before RBAC (the Node authorizer: `--authorization-mode=Node,RBAC`). */
  use(a: ChainedAuthorizer): void {
    this.chain.push(a);
  }

  authorize(user: UserInfo, a: RequestAttributes): boolean {
    return this.decide(user, a).allowed;
  }

  /**
   * The chain's answer: the first that allows wins; a "no" carries the reasons the others gave
   * (each on its own line, as upstream's union authorizer joins them).
   */
  decide(user: UserInfo, a: RequestAttributes): Decision {
    if (user.groups.includes(systemPrivilegedGroup)) return { allowed: true, reason: '' };
    const reasons: string[] = [];
    for (const c of this.chain) {
      const d = c.decide(user, a);
      if (d.allowed) return d;
      if (d.reason) reasons.push(d.reason);
    }
    const rbac = this.decideRBAC(user, a);
    if (rbac.allowed) return rbac;
    if (rbac.reason) reasons.push(rbac.reason);
    return { allowed: false, reason: reasons.join('\n') };
  }

  /**
   * RBAC's answer, cached per user and request while no role or binding changes: it is a pure
   * function of the two and the policy (upstream caches nothing here; in-process components ask
   * for every call, and a scan of every binding each time was most of their cost).
   */
  private decideRBAC(user: UserInfo, a: RequestAttributes): Decision {
    const generation = this.source.generation?.();
    if (generation === undefined) return this.evaluateRBAC(user, a);
    return this.cache.get(generation, user, a, () => this.evaluateRBAC(user, a));
  }

  private evaluateRBAC(user: UserInfo, a: RequestAttributes): Decision {
    let reason = '';
    const errors: string[] = [];
    const allowed = this.visitRules(
      user,
      a.isResourceRequest ? a.namespace : '',
      (r, source) => {
        if (!ruleAllows(a, r)) return false;
        reason = `RBAC: allowed by ${source()}`;
        return true;
      },
      errors,
    );
    if (allowed) return { allowed, reason };
    // Roles a binding names that do not exist are why a request may be refused unexpectedly.
    return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
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

  /**
   * Calls `visit` with each rule that applies, until it answers true (upstream's VisitRulesFor);
   * returns whether it did. `source` describes the binding that granted the rule, as upstream's
   * reasons do.
   */
  private visitRules(user: UserInfo, namespace: string, visit: (r: PolicyRule, source: () => string) => boolean, errors?: string[]): boolean {
    for (const b of this.source.clusterRoleBindings()) {
      if (b.roleRef?.kind !== 'ClusterRole') continue;
      const subject = matchingSubject(user, b.subjects);
      if (!subject) continue;
      const role = this.source.clusterRole(b.roleRef.name);
      if (!role) errors?.push(`clusterrole.rbac.authorization.k8s.io ${q(b.roleRef.name)} not found`);
      const source = () => `ClusterRoleBinding ${q(b.metadata.name ?? '')} of ClusterRole ${q(b.roleRef.name)} to ${describeSubject(subject, '')}`;
      for (const r of role?.rules ?? []) if (visit(r, source)) return true;
    }
    if (!namespace) return false;
    for (const b of this.source.roleBindings(namespace)) {
      const subject = matchingSubject(user, b.subjects, namespace);
      if (!subject) continue;
      const cluster = b.roleRef?.kind === 'ClusterRole';
      const roleName = b.roleRef?.name ?? '';
      const role = cluster ? this.source.clusterRole(roleName) : this.source.role(namespace, roleName);
      if (!role) errors?.push(`${cluster ? 'clusterrole' : 'role'}.rbac.authorization.k8s.io ${q(roleName)} not found`);
      const source = () =>
        `RoleBinding ${q(`${b.metadata.name ?? ''}/${namespace}`)} of ${cluster ? 'ClusterRole' : 'Role'} ${q(roleName)} to ${describeSubject(subject, namespace)}`;
      for (const r of role?.rules ?? []) if (visit(r, source)) return true;
    }
    return false;
  }
}

/** Go's %q for the names these carry. */
const q = (s: string) => JSON.stringify(s);

/** A ServiceAccount subject is named with its namespace (the binding's when it has none), as upstream's describeSubject. */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${q(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${q(s.name)}`;
}
