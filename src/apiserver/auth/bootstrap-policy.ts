// The ClusterRoles and ClusterRoleBindings every cluster starts with, as upstream's
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (v1.32; its golden files are the
// data test/fixtures/rbac-bootstrap/upstream-v1.32.ts, which a test holds this to): written at
// start by the bootstrap controller and what the authorizer evaluates until they are stored. The
// controllers' roles are in controller-policy.ts, the namespaced ones in namespace-policy.ts, and
// the objects a cluster installer adds (kubeadm's admin binding, CoreDNS's role) in addon-policy.ts.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from '../../api/rbac.js';
import { addonClusterRoleBindings, addonClusterRoles } from './addon-policy.js';
import { controllerClusterRoleBindings, controllerClusterRoles } from './controller-policy.js';
import { namespaceRoleBindings, namespaceRoles } from './namespace-policy.js';
import {
  clusterRole,
  clusterRoleBinding,
  eventsRule,
  group,
  read,
  readWrite,
  rule,
  serviceAccount,
  urls,
  user,
  write,
} from './policy-builders.js';
import { allAuthenticated, allUnauthenticated, systemPrivilegedGroup } from './user.js';

export { aggregateToAdmin, aggregateToEdit, aggregateToView, autoupdateAnnotation } from './policy-builders.js';

/** Upstream's ClusterRoles of policy.go: the user-facing ones and those of the system's users. */
function policyClusterRoles(): ClusterRole[] {
  return [
    clusterRole('admin', [], { aggregateFrom: 'rbac.authorization.k8s.io/aggregate-to-admin' }),
    clusterRole('cluster-admin', [
      rule(['*'], ['*'], ['*']),
      urls(['*'], ['*']),
    ]),
    clusterRole('edit', [], { labels: { ['rbac.authorization.k8s.io/aggregate-to-admin']: 'true' }, aggregateFrom: 'rbac.authorization.k8s.io/aggregate-to-edit' }),
    clusterRole('view', [], { labels: { ['rbac.authorization.k8s.io/aggregate-to-edit']: 'true' }, aggregateFrom: 'rbac.authorization.k8s.io/aggregate-to-view' }),
    clusterRole('system:aggregate-to-admin', [
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews']),
      rule(readWrite, ['rbac.authorization.k8s.io'], ['rolebindings', 'roles']),
    ], { labels: { ['rbac.authorization.k8s.io/aggregate-to-admin']: 'true' } }),
    clusterRole('system:aggregate-to-edit', [
      rule(read, [''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy']),
      rule(['impersonate'], [''], ['serviceaccounts']),
      rule(write, [''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy']),
      rule(['create'], [''], ['pods/eviction']),
      rule(write, [''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(write, ['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale']),
      rule(write, ['autoscaling'], ['horizontalpodautoscalers']),
      rule(write, ['batch'], ['cronjobs', 'jobs']),
      rule(write, ['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale']),
      rule(write, ['policy'], ['poddisruptionbudgets']),
      rule(write, ['networking.k8s.io'], ['ingresses', 'networkpolicies']),
      rule(readWrite, ['coordination.k8s.io'], ['leases']),
    ], { labels: { ['rbac.authorization.k8s.io/aggregate-to-edit']: 'true' } }),
    clusterRole('system:aggregate-to-view', [
      rule(read, [''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status']),
      rule(read, [''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status']),
      rule(read, [''], ['namespaces']),
      rule(read, ['discovery.k8s.io'], ['endpointslices']),
      rule(read, ['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status']),
      rule(read, ['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status']),
      rule(read, ['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status']),
      rule(read, ['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale']),
      rule(read, ['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status']),
      rule(read, ['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies']),
    ], { labels: { ['rbac.authorization.k8s.io/aggregate-to-view']: 'true' } }),
    clusterRole('system:auth-delegator', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
    ]),
    clusterRole('system:basic-user', [
      rule(['create'], ['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews']),
      rule(['create'], ['authentication.k8s.io'], ['selfsubjectreviews']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:nodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/nodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [
      rule(['create'], ['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient']),
    ]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client']),
    ]),
    clusterRole('system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    ]),
    clusterRole('system:certificates.k8s.io:kubelet-serving-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/kubelet-serving']),
    ]),
    clusterRole('system:certificates.k8s.io:legacy-unknown-approver', [
      rule(['approve'], ['certificates.k8s.io'], ['signers'], ['kubernetes.io/legacy-unknown']),
    ]),
    clusterRole('system:discovery', [
      urls(['get'], ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:heapster', [
      rule(read, [''], ['events', 'namespaces', 'nodes', 'pods']),
      rule(read, ['extensions'], ['deployments']),
    ]),
    clusterRole('system:kube-aggregator', [
      rule(read, [''], ['endpoints', 'services']),
    ]),
    clusterRole('system:kube-controller-manager', [
      eventsRule,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-controller-manager']),
      rule(['create'], [''], ['secrets', 'serviceaccounts']),
      rule(['delete'], [''], ['secrets']),
      rule(['get'], [''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts']),
      rule(['update'], [''], ['secrets', 'serviceaccounts']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(['list', 'watch'], ['*'], ['*']),
      rule(['create'], [''], ['serviceaccounts/token']),
    ]),
    clusterRole('system:kube-dns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
    ]),
    clusterRole('system:kube-scheduler', [
      eventsRule,
      rule(['create'], ['coordination.k8s.io'], ['leases']),
      rule(['get', 'update'], ['coordination.k8s.io'], ['leases'], ['kube-scheduler']),
      rule(read, [''], ['nodes']),
      rule(['delete', 'get', 'list', 'watch'], [''], ['pods']),
      rule(['create'], [''], ['bindings', 'pods/binding']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(read, [''], ['replicationcontrollers', 'services']),
      rule(read, ['apps', 'extensions'], ['replicasets']),
      rule(read, ['apps'], ['statefulsets']),
      rule(read, ['policy'], ['poddisruptionbudgets']),
      rule(read, [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['subjectaccessreviews']),
      rule(read, ['storage.k8s.io'], ['csinodes']),
      rule(read, [''], ['namespaces']),
      rule(read, ['storage.k8s.io'], ['csidrivers']),
      rule(read, ['storage.k8s.io'], ['csistoragecapacities']),
    ]),
    clusterRole('system:kubelet-api-admin', [
      rule(read, [''], ['nodes']),
      rule(['proxy'], [''], ['nodes']),
      rule(['*'], [''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats']),
    ]),
    clusterRole('system:monitoring', [
      urls(['get'], ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*']),
    ]),
    clusterRole('system:node', [
      rule(['create'], ['authentication.k8s.io'], ['tokenreviews']),
      rule(['create'], ['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews']),
      rule(read, [''], ['services']),
      rule(['create', 'get', 'list', 'watch'], [''], ['nodes']),
      rule(['patch', 'update'], [''], ['nodes/status']),
      rule(['patch', 'update'], [''], ['nodes']),
      rule(['create', 'patch', 'update'], [''], ['events']),
      rule(read, [''], ['pods']),
      rule(['create', 'delete'], [''], ['pods']),
      rule(['patch', 'update'], [''], ['pods/status']),
      rule(['create'], [''], ['pods/eviction']),
      rule(read, [''], ['configmaps', 'secrets']),
      rule(['get'], [''], ['persistentvolumeclaims', 'persistentvolumes']),
      rule(['get'], [''], ['endpoints']),
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['coordination.k8s.io'], ['leases']),
      rule(['get'], ['storage.k8s.io'], ['volumeattachments']),
      rule(['create'], [''], ['serviceaccounts/token']),
      rule(['get', 'patch', 'update'], [''], ['persistentvolumeclaims/status']),
      rule(read, ['storage.k8s.io'], ['csidrivers']),
      rule(['create', 'delete', 'get', 'patch', 'update'], ['storage.k8s.io'], ['csinodes']),
      rule(read, ['node.k8s.io'], ['runtimeclasses']),
    ]),
    clusterRole('system:node-bootstrapper', [
      rule(['create', 'get', 'list', 'watch'], ['certificates.k8s.io'], ['certificatesigningrequests']),
    ]),
    clusterRole('system:node-problem-detector', [
      rule(['get'], [''], ['nodes']),
      rule(['patch'], [''], ['nodes/status']),
      eventsRule,
    ]),
    clusterRole('system:node-proxier', [
      rule(['list', 'watch'], [''], ['endpoints', 'services']),
      rule(read, [''], ['nodes']),
      eventsRule,
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    clusterRole('system:persistent-volume-provisioner', [
      rule(['create', 'delete', 'get', 'list', 'watch'], [''], ['persistentvolumes']),
      rule(['get', 'list', 'update', 'watch'], [''], ['persistentvolumeclaims']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(['watch'], [''], ['events']),
      eventsRule,
    ]),
    clusterRole('system:public-info-viewer', [
      urls(['get'], ['/healthz', '/livez', '/readyz', '/version', '/version/']),
    ]),
    clusterRole('system:service-account-issuer-discovery', [
      urls(['get'], ['/.well-known/openid-configuration', '/openid/v1/jwks']),
    ]),
    clusterRole('system:volume-scheduler', [
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumes']),
      rule(read, ['storage.k8s.io'], ['storageclasses']),
      rule(['get', 'list', 'patch', 'update', 'watch'], [''], ['persistentvolumeclaims']),
    ]),
  ];
}

/** What any kubelet may do beyond its graph: the system:node ClusterRole's rules (upstream's NodeRules()). */
export function nodeRules(): PolicyRule[] {
  return policyClusterRoles().find((r) => r.metadata.name === 'system:node')?.rules ?? [];
}

export function bootstrapClusterRoles(): ClusterRole[] {
  return [...policyClusterRoles(), ...controllerClusterRoles(), ...addonClusterRoles()];
}

export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('cluster-admin', 'cluster-admin', [group(systemPrivilegedGroup)]),
    clusterRoleBinding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
    clusterRoleBinding('system:discovery', 'system:discovery', [group(allAuthenticated)]),
    clusterRoleBinding('system:basic-user', 'system:basic-user', [group(allAuthenticated)]),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group(allAuthenticated), group(allUnauthenticated)]),
    clusterRoleBinding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')]),
    clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
    clusterRoleBinding('system:kube-dns', 'system:kube-dns', [serviceAccount('kube-system', 'kube-dns')]),
    clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
    clusterRoleBinding('system:volume-scheduler', 'system:volume-scheduler', [user('system:kube-scheduler')]),
    // Unbound on purpose: the Node authorizer decides for kubelets (node-authorizer.ts).
    clusterRoleBinding('system:node', 'system:node', []),
    clusterRoleBinding('system:service-account-issuer-discovery', 'system:service-account-issuer-discovery', [group('system:serviceaccounts')]),
    ...controllerClusterRoleBindings(),
    ...addonClusterRoleBindings(),
  ];
}

export function bootstrapRoles(): Role[] {
  return namespaceRoles();
}

export function bootstrapRoleBindings(): RoleBinding[] {
  return namespaceRoleBindings();
}
