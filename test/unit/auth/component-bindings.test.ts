// Each component kubesvc runs under its own identity is bound to exactly what upstream binds that
// component to (kube-proxy, kube-scheduler, kube-controller-manager and its controllers' ServiceAccounts,
// kubelets, CoreDNS) or, for the addons an installer brings, to what that installer binds it to:
// no binding more, none less. Read from the rendered default policy, as the RBAC authorizer reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleBinding } from '../../../src/api/rbac.js';
import { bootstrapClusterRoleBindings, bootstrapRoleBindings } from '../../../src/apiserver/auth/bootstrap-policy.js';
import { identities, loopbackUser } from '../../../src/apiserver/auth/component-identity.js';
import { localPathServiceAccount } from '../../../src/apiserver/auth/addon-policy.js';
import { matchingSubject } from '../../../src/apiserver/auth/rbac-rules.js';
import type { UserInfo } from '../../../src/apiserver/auth/user.js';
import { controllerManagerServiceAccounts } from '../../../src/controllers/manager.js';
import { upstreamControllerRoles } from '../../fixtures/rbac-bootstrap/upstream-v1.32.js';

/** The bindings that apply to a user, as `ClusterRoleBinding/<name> -> <role>` or `RoleBinding/<ns>/<name> -> <role>`. */
function bindingsOf(user: UserInfo): string[] {
  const text = (b: RoleBinding, kind: string) =>
    `${kind}/${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name} -> ${b.roleRef.name}`;
  return [
    ...bootstrapClusterRoleBindings()
      .filter((b) => matchingSubject(user, b.subjects))
      .map((b) => text(b, 'ClusterRoleBinding')),
    ...bootstrapRoleBindings()
      .filter((b) => matchingSubject(user, b.subjects, b.metadata.namespace))
      .map((b) => text(b, 'RoleBinding')),
  ].sort();
}

/** What upstream binds every authenticated user to (policy.go). */
const everyone = [
  'ClusterRoleBinding/system:basic-user -> system:basic-user',
  'ClusterRoleBinding/system:discovery -> system:discovery',
  'ClusterRoleBinding/system:public-info-viewer -> system:public-info-viewer',
];
/** And every ServiceAccount besides. */
const everyServiceAccount = [...everyone, 'ClusterRoleBinding/system:service-account-issuer-discovery -> system:service-account-issuer-discovery'];

test('kube-proxy is bound to system:node-proxier only', () => {
  assert.deepEqual(bindingsOf(identities.kubeProxy.user), [...everyone, 'ClusterRoleBinding/system:node-proxier -> system:node-proxier'].sort());
});

test('kube-scheduler: its role, the volume scheduler, reading the authentication ConfigMap, its leader lock', () => {
  assert.deepEqual(
    bindingsOf(identities.scheduler.user),
    [
      ...everyone,
      'ClusterRoleBinding/system:kube-scheduler -> system:kube-scheduler',
      'ClusterRoleBinding/system:volume-scheduler -> system:volume-scheduler',
      'RoleBinding/kube-system/system::extension-apiserver-authentication-reader -> extension-apiserver-authentication-reader',
      'RoleBinding/kube-system/system::leader-locking-kube-scheduler -> system::leader-locking-kube-scheduler',
    ].sort(),
  );
});

test('kube-controller-manager’s own credentials: its role, the authentication ConfigMap, its leader lock', () => {
  assert.deepEqual(
    bindingsOf(identities.controllerManager.user),
    [
      ...everyone,
      'ClusterRoleBinding/system:kube-controller-manager -> system:kube-controller-manager',
      'RoleBinding/kube-system/system::extension-apiserver-authentication-reader -> extension-apiserver-authentication-reader',
      'RoleBinding/kube-system/system::leader-locking-kube-controller-manager -> system::leader-locking-kube-controller-manager',
    ].sort(),
  );
});

// Upstream's controllers whose role is a Role in kube-system (namespace_policy.go), not a ClusterRole.
const namespacedControllers: Record<string, string> = {
  'token-cleaner': 'RoleBinding/kube-system/system:controller:token-cleaner -> system:controller:token-cleaner',
};

test('each controller acts as an upstream controller’s ServiceAccount, bound to that controller’s role only', () => {
  for (const name of controllerManagerServiceAccounts) {
    if (name in namespacedControllers) {
      assert.deepEqual(bindingsOf(identities.controller(name).user), [...everyServiceAccount, namespacedControllers[name]!].sort(), name);
      continue;
    }
    assert.ok(name in upstreamControllerRoles, `${name} is not one of upstream's controllers`);
    assert.deepEqual(bindingsOf(identities.controller(name).user), [...everyServiceAccount, `ClusterRoleBinding/system:controller:${name} -> system:controller:${name}`].sort(), name);
  }
});

test('a kubelet has no RBAC binding of its own but kubeadm\'s renewal approval: the Node authorizer decides for it', () => {
  assert.deepEqual(
    bindingsOf(identities.node('n1').user),
    [...everyone, 'ClusterRoleBinding/kubeadm:node-autoapprove-certificate-rotation -> system:certificates.k8s.io:certificatesigningrequests:selfnodeclient'].sort(),
  );
});

test('the addons are bound as their installers bind them', () => {
  assert.deepEqual(bindingsOf(identities.coreDNS.user), [...everyServiceAccount, 'ClusterRoleBinding/system:coredns -> system:coredns'].sort());
  assert.deepEqual(bindingsOf(identities.loadBalancer.user), [...everyServiceAccount, 'ClusterRoleBinding/kubesvc:servicelb-controller -> kubesvc:servicelb-controller'].sort());
  const localPath = identities.controller(localPathServiceAccount.name).user;
  assert.deepEqual(bindingsOf(localPath), [...everyServiceAccount, 'ClusterRoleBinding/local-path-provisioner-bind -> local-path-provisioner-role'].sort());
  // kubeadm's admin.conf user (the installer) is cluster-admin through its group, not system:masters.
  assert.deepEqual(bindingsOf(identities.installer.user), [...everyone, 'ClusterRoleBinding/kubeadm:cluster-admins -> cluster-admin'].sort());
});

test('the API server’s loopback client is system:masters, as upstream’s', () => {
  assert.deepEqual(bindingsOf(loopbackUser.user), [...everyone, 'ClusterRoleBinding/cluster-admin -> cluster-admin'].sort());
});
