// The ClusterRoles and ClusterRoleBindings every cluster starts with, as upstream's
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy: written at start by the bootstrap controller
// (labelled kubernetes.io/bootstrapping=rbac-defaults, annotated autoupdate=true so that a later
// start adds rules a newer version needs), and what the authorizer evaluates until they are
// stored. kubeadm's binding for its admin group (admin.conf's identity) is among them.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Subject } from '../../api/rbac.js';
import { rbacGroup } from '../../api/rbac.js';
import { allAuthenticated, allUnauthenticated, clusterAdminsGroup, systemPrivilegedGroup } from './user.js';

export const autoupdateAnnotation = 'rbac.authorization.kubernetes.io/autoupdate';
export const aggregateToAdmin = 'rbac.authorization.k8s.io/aggregate-to-admin';
export const aggregateToEdit = 'rbac.authorization.k8s.io/aggregate-to-edit';
export const aggregateToView = 'rbac.authorization.k8s.io/aggregate-to-view';

const read = ['get', 'list', 'watch'];
const readWrite = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const write = ['create', 'update', 'patch', 'delete', 'deletecollection'];
const eventsWrite: PolicyRule[] = [
  { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
];

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { verbs, apiGroups, resources, resourceNames } : { verbs, apiGroups, resources };
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

function clusterRole(name: string, rules: PolicyRule[], more: { labels?: Record<string, string>; aggregateFrom?: string } = {}): ClusterRole {
  const role: ClusterRole = {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRole',
    metadata: {
      name,
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...more.labels },
      annotations: { [autoupdateAnnotation]: 'true' },
    },
    rules,
  };
  if (more.aggregateFrom) role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [more.aggregateFrom]: 'true' } }] };
  return role;
}

const group = (name: string): Subject => ({ kind: 'Group', apiGroup: rbacGroup, name });
const user = (name: string): Subject => ({ kind: 'User', apiGroup: rbacGroup, name });

function binding(name: string, role: string, subjects: Subject[], bootstrapping = true): ClusterRoleBinding {
  return {
    apiVersion: `${rbacGroup}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: bootstrapping
      ? { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { [autoupdateAnnotation]: 'true' } }
      : { name },
    roleRef: { apiGroup: rbacGroup, kind: 'ClusterRole', name: role },
    subjects,
  };
}

export function bootstrapClusterRoles(): ClusterRole[] {
  return [
    clusterRole('cluster-admin', [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]),
    // What clients need to find out what the server serves (kubectl's discovery, /openapi).
    clusterRole('system:discovery', [
      urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:public-info-viewer', [urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/'])]),
    // Lets service accounts verify each other's tokens by OIDC discovery.
    clusterRole('system:service-account-issuer-discovery', [
      urls(['get'], ['/.well-known/openid-configuration', '/.well-known/openid-configuration/', '/openid/v1/jwks', '/openid/v1/jwks/']),
    ]),
    // For webhooks and proxies that authenticate and authorize their callers against the API.
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    // Lets a user ask what they may do (`kubectl auth can-i`, `kubectl auth whoami`).
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    // The user-facing roles are filled by aggregation from the aggregate-to-* ones below.
    clusterRole('admin', [], { aggregateFrom: aggregateToAdmin }),
    clusterRole('edit', [], { aggregateFrom: aggregateToEdit, labels: { [aggregateToAdmin]: 'true' } }),
    clusterRole('view', [], { aggregateFrom: aggregateToView, labels: { [aggregateToEdit]: 'true' } }),
    clusterRole(
      'system:aggregate-to-admin',
      [
        rule(readWrite, [rbacGroup], ['roles', 'rolebindings']),
        rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      ],
      { labels: { [aggregateToAdmin]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-edit',
      [
        rule(['impersonate'], [''], ['serviceaccounts']),
        rule(write, [''], ['pods', 'pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward']),
        rule(['create'], [''], ['pods/eviction']),
        rule(read, [''], ['pods/attach', 'pods/proxy', 'pods/exec', 'pods/portforward', 'secrets', 'services/proxy']),
        rule(write, [''], ['replicationcontrollers', 'replicationcontrollers/scale', 'persistentvolumeclaims', 'services', 'services/proxy', 'endpoints', 'secrets', 'configmaps', 'serviceaccounts']),
        rule(['create'], [''], ['serviceaccounts/token']),
        rule(write, ['apps'], ['statefulsets', 'statefulsets/scale', 'daemonsets', 'deployments', 'deployments/scale', 'deployments/rollback', 'replicasets', 'replicasets/scale']),
        rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
        rule(write, ['batch'], ['jobs', 'cronjobs']),
        rule(write, ['policy'], ['poddisruptionbudgets']),
        rule(write, ['networking.k8s.io'], ['networkpolicies', 'ingresses']),
        rule(write, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: { [aggregateToEdit]: 'true' } },
    ),
    clusterRole(
      'system:aggregate-to-view',
      [
        rule(read, [''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps']),
        rule(read, [''], ['limitranges', 'resourcequotas', 'bindings', 'events', 'pods/status', 'resourcequotas/status', 'namespaces/status', 'replicationcontrollers/status', 'pods/log']),
        rule(read, [''], ['namespaces']),
        rule(read, ['discovery.k8s.io'], ['endpointslices']),
        rule(read, ['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/status', 'statefulsets/scale', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/status', 'deployments/scale', 'replicasets', 'replicasets/status', 'replicasets/scale']),
        rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
        rule(read, ['batch'], ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status']),
        rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
        rule(read, ['networking.k8s.io'], ['networkpolicies', 'ingresses', 'ingresses/status']),
        rule(read, ['coordination.k8s.io'], ['leases']),
      ],
      { labels: { [aggregateToView]: 'true' } },
    ),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['services', 'endpoints']),
      rule(['get', 'list', 'watch'], [''], ['nodes']),
      ...eventsWrite,
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:kube-scheduler', [
      ...eventsWrite,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(['create'], [''], ['endpoints']),
      rule(['get', 'update'], [''], ['endpoints'], ['kube-scheduler']),
      rule(read, [''], ['nodes']),
      rule(['get', 'list', 'watch', 'delete'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(read, [''], ['replicationcontrollers', 'services', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'configmaps']),
      rule(read, ['apps'], ['replicasets', 'statefulsets']),
      rule(read, ['policy'], ['poddisruptionbudgets']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:kube-controller-manager', [
      ...eventsWrite,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [''], ['endpoints']),
      rule(['get', 'update'], [''], ['endpoints'], ['kube-controller-manager']),
      rule(['create', 'delete', 'get', 'update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['get'], [''], ['namespaces']),
    ]),
    clusterRole('system:node', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews', 'localsubjectaccessreviews']),
      rule(read, [''], ['services']),
      rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['nodes']),
      ...eventsWrite,
      rule(read, [''], ['pods']),
      rule(['create', 'delete'], [''], ['pods']),
      rule(['update', 'patch'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      rule(['get'], [''], ['secrets', 'configmaps', 'persistentvolumeclaims', 'persistentvolumes', 'endpoints']),
      rule(['get', 'update', 'patch'], [''], ['persistentvolumeclaims/status']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['get', 'create', 'update', 'patch', 'delete'], ['coordination.k8s.io'], ['leases']),
    ]),
  ];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    binding('cluster-admin', 'cluster-admin', [group(systemPrivilegedGroup)]),
    binding('system:discovery', 'system:discovery', [group(allAuthenticated)]),
    binding('system:basic-user', 'system:basic-user', [group(allAuthenticated)]),
    binding('system:public-info-viewer', 'system:public-info-viewer', [group(allAuthenticated), group(allUnauthenticated)]),
    binding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    binding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')]),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
    binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
    // Upstream leaves system:node unbound (the Node authorizer decides for kubelets).
    binding('system:node', 'system:node', []),
    // kubeadm's (1.29+) binding for admin.conf's group; kubeadm writes it without the bootstrapping marks.
    binding('kubeadm:cluster-admins', 'cluster-admin', [group(clusterAdminsGroup)], false),
  ];
}
