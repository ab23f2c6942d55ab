// Writes upstream's default RBAC policy at every start, as kube-apiserver's rbac/bootstrap-roles
// post-start hook does: missing roles and bindings are created; existing ones are reconciled
// (missing rules, subjects, labels and annotations added; a binding whose roleRef differs is
// deleted and written afresh) unless annotated rbac.authorization.kubernetes.io/autoupdate=false,
// which leaves a cluster's own edits alone.
import type { KubeObject } from '../api/meta.js';
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from '../api/rbac.js';
import { StatusError } from '../machinery/status.js';
import {
  autoupdateAnnotation,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from './auth/bootstrap-policy.js';
import { uncoveredRules } from './auth/covers.js';
import { newContext } from './store/context.js';
import { deepEqual } from './store/deep-equal.js';
import type { Store } from './store/store.js';

const group = 'rbac.authorization.k8s.io';

/** The reconciled object, or undefined when the stored one needs nothing. */
type Reconcile<T> = (stored: T, wanted: T) => T | undefined;

function withMeta<T extends KubeObject>(stored: T, wanted: T): T {
  const out = structuredClone(stored);
  out.metadata.labels = { ...wanted.metadata.labels, ...stored.metadata.labels };
  out.metadata.annotations = { ...wanted.metadata.annotations, ...stored.metadata.annotations };
  return out;
}

const reconcileRole: Reconcile<ClusterRole | Role> = (stored: ClusterRole, wanted: ClusterRole) => {
  const out = withMeta(stored, wanted);
  out.rules = [...(stored.rules ?? []), ...uncoveredRules(stored.rules ?? [], wanted.rules ?? [])];
  // An aggregated role's selectors are added to; its rules are the aggregation controller's.
  if (wanted.aggregationRule) {
    const have = stored.aggregationRule?.clusterRoleSelectors ?? [];
    const add = (wanted.aggregationRule.clusterRoleSelectors ?? []).filter((s) => !have.some((h) => deepEqual(h, s)));
    out.aggregationRule = { clusterRoleSelectors: [...have, ...add] };
  }
  return deepEqual(out, stored) ? undefined : out;
};

const reconcileBinding: Reconcile<ClusterRoleBinding | RoleBinding> = (stored, wanted) => {
  const out = withMeta(stored, wanted);
  const have = stored.subjects ?? [];
  out.subjects = [...have, ...(wanted.subjects ?? []).filter((s) => !have.some((h) => deepEqual(h, s)))];
  if (!stored.subjects && out.subjects.length === 0) delete out.subjects;
  return deepEqual(out, stored) ? undefined : out;
};

const needsRecreate = (stored: KubeObject, wanted: KubeObject): boolean =>
  'roleRef' in wanted && !deepEqual((stored as RoleBinding).roleRef, (wanted as RoleBinding).roleRef);

async function ensure<T extends KubeObject>(store: Store, wanted: T, reconcile: Reconcile<T>): Promise<void> {
  const name = wanted.metadata.name!;
  const namespace = wanted.metadata.namespace;
  const stored = (await store.find(namespace, name))?.obj as T | undefined;
  if (!stored) {
    try {
      await store.create(newContext(namespace ? { namespace } : {}), structuredClone(wanted));
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
    return;
  }
  if (stored.metadata.annotations?.[autoupdateAnnotation] === 'false') return;
  if (needsRecreate(stored, wanted)) {
    // A binding's roleRef cannot change: upstream deletes it and writes the default in its place,
    // subjects and all (computeReconciledRoleBinding's ReconcileRecreate).
    const ctx = newContext(namespace ? { namespace } : {});
    await store.delete(ctx, namespace, name, { preconditions: { uid: stored.metadata.uid! } });
    try {
      await store.create(ctx, structuredClone(wanted));
    } catch (e) {
      // Still going (a finalizer holds it): the next start writes it.
      if (!(e instanceof StatusError && e.code === 409)) throw e;
    }
    return;
  }
  if (!reconcile(stored, wanted)) return;
  await store.guaranteedUpdate(newContext(namespace ? { namespace } : {}), namespace, name, undefined, (cur) => reconcile(cur as T, wanted) ?? (cur as T));
}

/** Roles into `roleResource`, bindings into `bindingResource`: nothing when RBAC is not served by this registry. */
async function ensurePolicy(
  store: (group: string, resource: string) => Store,
  [roleResource, bindingResource]: [string, string],
  roles: readonly (ClusterRole | Role)[],
  bindings: readonly (ClusterRoleBinding | RoleBinding)[],
): Promise<void> {
  let roleStore: Store;
  let bindingStore: Store;
  try {
    roleStore = store(group, roleResource);
    bindingStore = store(group, bindingResource);
  } catch {
    return;
  }
  for (const r of roles) await ensure(roleStore, r, reconcileRole);
  for (const b of bindings) await ensure(bindingStore, b, reconcileBinding);
}

export function bootstrapRBAC(store: (group: string, resource: string) => Store): Promise<void> {
  return ensurePolicy(store, ['clusterroles', 'clusterrolebindings'], bootstrapClusterRoles(), bootstrapClusterRoleBindings());
}

/** The default policy's Roles and RoleBindings in kube-system and kube-public, once those namespaces exist. */
export function bootstrapNamespacedRBAC(store: (group: string, resource: string) => Store): Promise<void> {
  return ensurePolicy(store, ['roles', 'rolebindings'], bootstrapRoles(), bootstrapRoleBindings());
}
