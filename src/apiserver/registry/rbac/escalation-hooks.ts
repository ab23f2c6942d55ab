// The store hooks that run RBAC's escalation checks (auth/escalation.ts) on writes of roles and
// bindings, before validation as upstream's policy-based storage does. In-process writers (the
// bootstrap controller, the aggregation controller) carry no user and act as the loopback
// client, which upstream puts in system:masters.
import type { KubeObject } from '../../../api/meta.js';
import type { ClusterRole, PolicyRule, RoleBinding, RoleRef } from '../../../api/rbac.js';
import { checkBindingWrite, checkRoleWrite } from '../../auth/escalation.js';
import { deepEqual } from '../../store/deep-equal.js';
import { noTxn, type StoreHooks } from '../../store/hooks.js';
import type { RequestContext } from '../../store/context.js';
import type { RegistryDeps } from '../entry.js';

export function roleEscalationHooks(resource: 'roles' | 'clusterroles'): (deps: RegistryDeps) => StoreHooks {
  return (deps) => {
    const check = (obj: KubeObject, ctx: RequestContext) => {
      if (deps.authorizer && ctx.userInfo) checkRoleWrite(deps.authorizer, ctx.userInfo, resource, obj as ClusterRole);
      return noTxn;
    };
    return {
      beginCreate: check,
      beginUpdate(obj, old, ctx) {
        const [n, o] = [obj as ClusterRole, old as ClusterRole];
        // Writes that leave the rules alone (labels, finalizers) need no escalation check.
        if (deepEqual(n.rules ?? [], o.rules ?? []) && deepEqual(n.aggregationRule, o.aggregationRule)) return noTxn;
        return check(obj, ctx);
      },
    };
  };
}

export function bindingEscalationHooks(resource: 'rolebindings' | 'clusterrolebindings'): (deps: RegistryDeps) => StoreHooks {
  return (deps) => {
    const group = 'rbac.authorization.k8s.io';
    const lookup = async (ref: RoleRef, namespace: string): Promise<PolicyRule[] | undefined> => {
      const found = ref.kind === 'Role' ? await deps.store(group, 'roles').find(namespace, ref.name) : await deps.store(group, 'clusterroles').find(undefined, ref.name);
      return found ? ((found.obj as ClusterRole).rules ?? []) : undefined;
    };
    const check = async (obj: KubeObject, ctx: RequestContext) => {
      const b = obj as RoleBinding;
      // A malformed roleRef is validation's to report (422), not a question of rights.
      if (!deps.authorizer || !ctx.userInfo || typeof b.roleRef?.name !== 'string' || !b.roleRef.name) return noTxn;
      const ns = b.metadata.namespace ?? '';
      const rules = b.roleRef.kind === 'Role' || b.roleRef.kind === 'ClusterRole' ? await lookup(b.roleRef, ns) : undefined;
      checkBindingWrite(deps.authorizer, ctx.userInfo, resource, b, () => rules);
      return noTxn;
    };
    return {
      beginCreate: check,
      beginUpdate(obj, old, ctx) {
        const [n, o] = [obj as RoleBinding, old as RoleBinding];
        if (deepEqual(n.subjects ?? [], o.subjects ?? []) && deepEqual(n.roleRef, o.roleRef)) return noTxn;
        return check(obj, ctx);
      },
    };
  };
}
