// The RBAC objects a cluster installer adds next to the default policy, written at start with it:
// kubeadm's binding for admin.conf's group (1.29+), kubeadm's CoreDNS addon role (the cluster DNS
// server runs as its ServiceAccount kube-system/coredns), and the role of the LoadBalancer pool
// controller, which imitates MetalLB's controller (its ClusterRole metallb-system:controller, less
// the PodSecurityPolicy and webhook rules kubesvc has no use for), and k3s's role of the
// local-path provisioner (local-storage.yaml), and kubeadm's three bindings that let nodes join
// with a bootstrap token: create CSRs, have their first client certificate approved, and have
// their renewals approved. kubeadm, MetalLB and k3s write these without the
// bootstrap label and annotation; so do we.
import type { ClusterRole, ClusterRoleBinding } from '../../api/rbac.js';
import { rbacGroup } from '../../api/rbac.js';
import { clusterRoleBinding, group, rule, serviceAccount } from './policy-builders.js';
import { clusterAdminsGroup } from './user.js';
import { defaultNodeTokenGroup } from '../../api/bootstrap-token.js';

export const coreDNSServiceAccount = { namespace: 'kube-system', name: 'coredns' };
export const loadBalancerServiceAccount = { namespace: 'kube-system', name: 'servicelb-controller' };
const loadBalancerRole = 'kubesvc:servicelb-controller';
export const localPathServiceAccount = { namespace: 'kube-system', name: 'local-path-provisioner-service-account' };

const plainClusterRole = (name: string, rules: ClusterRole['rules'], labels?: Record<string, string>): ClusterRole => ({
  apiVersion: `${rbacGroup}/v1`,
  kind: 'ClusterRole',
  metadata: labels ? { name, labels } : { name },
  rules,
});

export function addonClusterRoles(): ClusterRole[] {
  return [
    plainClusterRole('system:coredns', [
      rule(['list', 'watch'], [''], ['endpoints', 'services', 'pods', 'namespaces']),
      rule(['list', 'watch'], ['discovery.k8s.io'], ['endpointslices']),
    ]),
    plainClusterRole(
      loadBalancerRole,
      [
        rule(['get', 'list', 'watch'], [''], ['services', 'namespaces']),
        rule(['list'], [''], ['nodes']),
        rule(['update'], [''], ['services/status']),
        rule(['create', 'patch'], [''], ['events']),
      ],
      { app: 'servicelb' },
    ),
    plainClusterRole('local-path-provisioner-role', [
      rule(['get', 'list', 'watch'], [''], ['nodes', 'persistentvolumeclaims', 'configmaps', 'pods', 'pods/log']),
      rule(['get', 'list', 'watch', 'create', 'patch', 'update', 'delete'], [''], ['persistentvolumes']),
      rule(['create', 'patch'], [''], ['events']),
      rule(['get', 'list', 'watch'], ['storage.k8s.io'], ['storageclasses']),
    ]),
  ];
}

export function addonClusterRoleBindings(): ClusterRoleBinding[] {
  return [
    clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [group(clusterAdminsGroup)], false),
    clusterRoleBinding('system:coredns', 'system:coredns', [serviceAccount(coreDNSServiceAccount.namespace, coreDNSServiceAccount.name)], false),
    clusterRoleBinding(loadBalancerRole, loadBalancerRole, [serviceAccount(loadBalancerServiceAccount.namespace, loadBalancerServiceAccount.name)], false),
    clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', [group(defaultNodeTokenGroup)], false),
    clusterRoleBinding('kubeadm:node-autoapprove-bootstrap', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', [group(defaultNodeTokenGroup)], false),
    clusterRoleBinding('kubeadm:node-autoapprove-certificate-rotation', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', [group('system:nodes')], false),
    clusterRoleBinding('local-path-provisioner-bind', 'local-path-provisioner-role', [serviceAccount(localPathServiceAccount.namespace, localPathServiceAccount.name)], false),
  ];
}
