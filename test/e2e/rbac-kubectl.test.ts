// Roles, ClusterRoles and their bindings through kubectl 1.32 against a real `kubesvc up`: the
// create generators, upstream's get columns (wide too), and hostile bindings and rules answered
// with upstream's 422 while the server keeps serving.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectl, kubectlOk, request, type Cluster } from './harness.js';

describe('RBAC objects with kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('kubectl create role and clusterrole; get prints NAME and CREATED AT', () => {
    kubectlOk(c, ['create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods,pods/log']);
    kubectlOk(c, ['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes']);
    kubectlOk(c, ['create', 'clusterrole', 'probe', '--verb=get', '--non-resource-url=/healthz']);
    const role = JSON.parse(kubectlOk(c, ['get', 'role', 'pod-reader', '-o', 'json']));
    assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }]);
    assert.match(kubectlOk(c, ['get', 'roles']), /^NAME\s+CREATED AT\npod-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    assert.match(kubectlOk(c, ['get', 'clusterrole', 'node-reader']), /^NAME\s+CREATED AT\nnode-reader\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });

  it('kubectl create rolebinding and clusterrolebinding; get prints ROLE and AGE, wide adds the subjects', () => {
    kubectlOk(c, ['create', 'rolebinding', 'read-pods', '--role=pod-reader', '--user=jane', '--group=devs', '--serviceaccount=default:bot']);
    kubectlOk(c, ['create', 'clusterrolebinding', 'read-nodes', '--clusterrole=node-reader', '--user=jane']);
    assert.match(kubectlOk(c, ['get', 'rolebindings']), /^NAME\s+ROLE\s+AGE\nread-pods\s+Role\/pod-reader\s+\d+s\n$/);
    const wide = kubectlOk(c, ['get', 'rolebinding', 'read-pods', '-o', 'wide']);
    assert.match(wide, /^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\nread-pods\s+Role\/pod-reader\s+\d+s\s+jane\s+devs\s+default\/bot\n$/);
    assert.match(kubectlOk(c, ['get', 'clusterrolebinding', 'read-nodes']), /^NAME\s+ROLE\s+AGE\nread-nodes\s+ClusterRole\/node-reader\s+\d+s\n$/);
    const b = JSON.parse(kubectlOk(c, ['get', 'rolebinding', 'read-pods', '-o', 'json']));
    assert.deepEqual(b.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' });
  });

  it('a binding\'s roleRef cannot change: 422 with upstream\'s words', () => {
    const r = kubectl(c, ['patch', 'rolebinding', 'read-pods', '--type=merge', '-p', '{"roleRef":{"kind":"ClusterRole","name":"view"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The RoleBinding "read-pods" is invalid: roleRef: Invalid value: rbac\.RoleRef\{APIGroup:"rbac\.authorization\.k8s\.io", Kind:"ClusterRole", Name:"view"\}: cannot change roleRef/);
    // Subjects may change.
    kubectlOk(c, ['patch', 'rolebinding', 'read-pods', '--type=merge', '-p', '{"subjects":[{"kind":"User","name":"joe","apiGroup":"rbac.authorization.k8s.io"}]}']);
  });

  it('hostile rules and bindings get 422 (or 400 for wrong types) and the server keeps serving', async () => {
    const post = (path: string, body: unknown) => request(c, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body));
    const roles = '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles';
    const bindings = '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings';
    let r = await post(roles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'empty' }, rules: [{ verbs: [], apiGroups: [''], resources: ['pods'] }] });
    assert.equal(r.status, 422, r.body);
    assert.match(r.json().message, /Role\.rbac\.authorization\.k8s\.io "empty" is invalid: rules\[0\]\.verbs: Required value: verbs must contain at least one value/);
    r = await post(bindings, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'odd' }, roleRef: { kind: 'Secret', name: 'x' }, subjects: [{ kind: 'Robot', name: 'r2' }] });
    assert.equal(r.status, 422, r.body);
    assert.match(r.json().message, /roleRef\.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"/);
    assert.match(r.json().message, /subjects\[0\]\.kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"/);
    // Wrong types, nulls, a missing roleRef, deep nesting.
    r = await post(roles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'typed' }, rules: [{ verbs: 'get' }] });
    assert.equal(r.status, 400, r.body);
    r = await post(roles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'nulls' }, rules: [null] });
    assert.ok(r.status === 422 || r.status === 400, `${r.status} ${r.body}`);
    r = await post(bindings, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'noref' } });
    assert.equal(r.status, 422, r.body);
    r = await post(bindings, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'nullref' }, roleRef: null, subjects: null });
    assert.equal(r.status, 422, r.body);
    r = await post(roles, `{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"deep"},"rules":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    assert.ok(r.status >= 400 && r.status < 500, `${r.status}`);
    r = await request(c, 'GET', '/apis/rbac.authorization.k8s.io/v1/roles?limit=abc');
    assert.equal(r.status, 400, r.body);
    // Alive.
    assert.match(kubectlOk(c, ['get', 'roles', '-A', '-o', 'name']), /role\.rbac\.authorization\.k8s\.io\/pod-reader/);
  });
});
