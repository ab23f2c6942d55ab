// The Roles and RoleBindings upstream's default policy keeps in kube-system and kube-public
// (bootstrappolicy namespace_policy.go): leader election, the bootstrap signer and token cleaner,
// the cloud provider, and reading the extension API servers' authentication ConfigMap.
import type { Role, RoleBinding } from '../../api/rbac.js';
import { eventsRule, read, role, roleBinding, rule, serviceAccount, user } from './policy-builders.js';

export function namespaceRoles(): Role[] {
  return [
    role('kube-public', 'system:controller:bootstrap-signer', [
      rule(read, [''], ['configmaps']),
      rule(['update'], [''], ['configmaps'], ['cluster-info']),
      eventsRule,
    ]),
    role('kube-system', 'extension-apiserver-authentication-reader', [
      rule(read, [''], ['configmaps'], ['extension-apiserver-authentication']),
    ]),
    // The ConfigMap rules are those of the configmap lock that 1.32 still grants (upstream dropped
    // them in 1.35, kubernetes#134297).
    role('kube-system', 'system::leader-locking-kube-controller-manager', [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-controller-manager']),
      rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']),
      rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leasecandidates']),
    ]),
    role('kube-system', 'system::leader-locking-kube-scheduler', [
      rule(['watch'], [''], ['configmaps']),
      rule(['get', 'update'], [''], ['configmaps'], ['kube-scheduler']),
      rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leases']),
      rule(['create', 'get', 'list', 'update', 'watch'], ['coordination.k8s.io'], ['leasecandidates']),
    ]),
    role('kube-system', 'system:controller:bootstrap-signer', [
      rule(read, [''], ['secrets']),
    ]),
    role('kube-system', 'system:controller:cloud-provider', [
      rule(['create', 'get', 'list', 'watch'], [''], ['configmaps']),
    ]),
    role('kube-system', 'system:controller:token-cleaner', [
      rule(['delete', 'get', 'list', 'watch'], [''], ['secrets']),
      eventsRule,
    ]),
  ];
}

export function namespaceRoleBindings(): RoleBinding[] {
  const sa = (name: string) => serviceAccount('kube-system', name);
  return [
    roleBinding('kube-public', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
    roleBinding('kube-system', 'system::extension-apiserver-authentication-reader', 'extension-apiserver-authentication-reader', [
      user('system:kube-controller-manager'),
      user('system:kube-scheduler'),
    ]),
    roleBinding('kube-system', 'system::leader-locking-kube-controller-manager', 'system::leader-locking-kube-controller-manager', [
      user('system:kube-controller-manager'),
      sa('kube-controller-manager'),
      sa('leader-election-controller'),
    ]),
    roleBinding('kube-system', 'system::leader-locking-kube-scheduler', 'system::leader-locking-kube-scheduler', [user('system:kube-scheduler'), sa('kube-scheduler')]),
    roleBinding('kube-system', 'system:controller:bootstrap-signer', 'system:controller:bootstrap-signer', [sa('bootstrap-signer')]),
    roleBinding('kube-system', 'system:controller:cloud-provider', 'system:controller:cloud-provider', [sa('cloud-provider')]),
    roleBinding('kube-system', 'system:controller:token-cleaner', 'system:controller:token-cleaner', [sa('token-cleaner')]),
  ];
}
