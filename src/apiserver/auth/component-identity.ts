// Who each cluster component is when it talks to the API server, as upstream deploys them
// (kubeadm's certificates and kube-controller-manager's --use-service-account-credentials): the
// user the authorizer judges and the User-Agent whose product name managedFields record.
import { kubernetesVersion } from '../discovery.js';
import { coreDNSServiceAccount, loadBalancerServiceAccount } from './addon-policy.js';
import { allAuthenticated, clusterAdminsGroup, clusterAdminUser, systemPrivilegedGroup, type UserInfo } from './user.js';

export interface ComponentIdentity {
  user: UserInfo;
  /** As client-go builds it: `<binary>/<version> (<os>/<arch>) kubernetes/<commit>`. */
  userAgent: string;
}

const agent = (binary: string, suffix = '') => `${binary}/${kubernetesVersion.gitVersion} (linux/amd64) kubernetes/kubesvc${suffix}`;

/** The API server's own loopback client: privileged, as upstream's (recorded as kubesvc). */
export const loopbackUser: ComponentIdentity = {
  user: { name: 'system:apiserver', groups: [systemPrivilegedGroup, allAuthenticated] },
  userAgent: 'kubesvc',
};

export const nodesGroup = 'system:nodes';
export const nodeUserPrefix = 'system:node:';

/**
 * The node a user is (possibly '' for a user named just `system:node:`), or undefined for anyone
 * not in system:nodes with a node user name: upstream's NodeIdentifier.
 */
export function nodeNameOf(user: { name: string; groups: string[] } | undefined): string | undefined {
  if (!user || !user.groups.includes(nodesGroup) || !user.name.startsWith(nodeUserPrefix)) return undefined;
  return user.name.slice(nodeUserPrefix.length);
}

/** A ServiceAccount's user and groups, as the token authenticator gives them. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, allAuthenticated] };
}

export const identities: {
  installer: ComponentIdentity;
  kubeProxy: ComponentIdentity;
  scheduler: ComponentIdentity;
  controllerManager: ComponentIdentity;
  controller(name: string): ComponentIdentity;
  node(nodeName: string): ComponentIdentity;
  coreDNS: ComponentIdentity;
  loadBalancer: ComponentIdentity;
} = {
  /** kubeadm's client for what it installs (addons' Services and accounts): admin.conf's user. */
  installer: { user: { name: clusterAdminUser, groups: [clusterAdminsGroup, allAuthenticated] }, userAgent: 'kubeadm' },
  kubeProxy: { user: { name: 'system:kube-proxy', groups: [allAuthenticated] }, userAgent: agent('kube-proxy') },
  scheduler: { user: { name: 'system:kube-scheduler', groups: [allAuthenticated] }, userAgent: agent('kube-scheduler') },
  /** kube-controller-manager's own credentials: its shared informers and the ServiceAccounts it ensures. */
  controllerManager: { user: { name: 'system:kube-controller-manager', groups: [allAuthenticated] }, userAgent: agent('kube-controller-manager') },
  /** One controller, as its ServiceAccount (the user agent names it, as the controller manager's client builder does). */
  controller(name: string): ComponentIdentity {
    const user = serviceAccountUser('kube-system', name);
    return { user, userAgent: agent('kube-controller-manager', `/${user.name}`) };
  },
  node(nodeName: string): ComponentIdentity {
    return { user: { name: `${nodeUserPrefix}${nodeName}`, groups: [nodesGroup, allAuthenticated] }, userAgent: agent('kubelet') };
  },
  coreDNS: { user: serviceAccountUser(coreDNSServiceAccount.namespace, coreDNSServiceAccount.name), userAgent: 'coredns/1.11.3' },
  loadBalancer: { user: serviceAccountUser(loadBalancerServiceAccount.namespace, loadBalancerServiceAccount.name), userAgent: 'servicelb-controller' },
};
