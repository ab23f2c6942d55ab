// Shorthands the default policy is written in (upstream's rbacv1helpers.NewRule / NewClusterBinding
// / NewRoleBinding builders), so each role reads as a list of rules and each object carries the
// label and annotation every bootstrap object has: kubernetes.io/bootstrapping=rbac-defaults marks
// it as the default policy, autoupdate=true lets a later start add the rules a newer version needs.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from '../../api/rbac.js';
import { rbacGroup } from '../../api/rbac.js';

export const autoupdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';
export const bootstrappingLabel = 'kubernetes.io/bootstrapping';
export const aggregateToAdmin = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const aggregateToEdit = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const aggregateToView = 'rbac.authorization.k8s.io/aggregate-to-view';

export const read = ['get', 'list', 'watch'];
export const write = ['create', 'delete', 'deletecollection', 'patch', 'update'];
export const readWrite = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Every component may record events, through either events API (upstream's eventsRule()). */
export const eventsRule: PolicyRule = { verbs: ['create', 'patch', 'update'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] };

export const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
export const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

export const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbacGroup, name });
export const user = (name: string): Subject => ({ kind: 'User', apiGroup: rbacGroup, name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: 'ServiceAccount', name, namespace });

const defaultsMeta = () => ({ labels: { [bootstrappingLabel]: 'rbac-defaults' }, annotations: { [autoupdateAnnotation]: 'true' } });

export function clusterRole(name: string, rules: PolicyRule[], more: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole {
  const meta = defaultsMeta();
  const role: ClusterRole = {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...meta.labels, ...more.labels }, annotations: meta.annotations },
    rules,
  };
  if (more.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [more.aggregateFrom]: 'true' } }] };
  return role;
}

export function role(namespace: string, name: string, rules: PolicyRule[]): Role {
  return { apiVersion: `${rbacGroup}/v1`, kind: 'Role', metadata: { name, namespace, ...defaultsMeta() }, rules };
}

/** `bootstrapping` false: an object a cluster installer (kubeadm) writes, without the defaults' marks. */
export function clusterRoleBinding(name: string, roleName: string, subjects: Subject[], bootstrapping = true): ClusterRoleBinding {
  const b: ClusterRoleBinding = {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: bootstrapping ? { name, ...defaultsMeta() } : { name },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: roleName },
  };
  // Upstream's system:node binding has no subjects at all (not an empty list).
  if (subjects.length) b.subjects = subjects;
  return b;
}

export function roleBinding(namespace: string, name: string, roleName: string, subjects: Subject[]): RoleBinding {
  return {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace, ...defaultsMeta() },
    roleRef: { apiGroup: rbacGroup, kind: 'Role', name: roleName },
    subjects,
  };
}
