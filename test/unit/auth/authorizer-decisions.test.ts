// The authorizer's reasons, as upstream's RBAC authorizer words them (what access reviews report
// and 403s append), and the decision cache: the same answers, dropped when the policy changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, StaticPolicy, type PolicySource } from '../../../src/apiserver/auth/authorizer.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';
import type { ClusterRole, ClusterRoleBinding, RoleBinding } from '../../../src/api/rbac.js';

const g = 'rbac.authorization.k8s.io';
const reader: ClusterRole = { apiVersion: `${g}/v1`, kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
const crb: ClusterRoleBinding = {
  apiVersion: `${g}/v1`,
  kind: 'ClusterRoleBinding',
  metadata: { name: 'read-all' },
  roleRef: { apiGroup: g, kind: 'ClusterRole', name: 'reader' },
  subjects: [{ kind: 'Group', apiGroup: g, name: 'devs' }],
};
const rb = (name: string, roleKind: string, role: string): RoleBinding => ({
  apiVersion: `${g}/v1`,
  kind: 'RoleBinding',
  metadata: { name, namespace: 'team' },
  roleRef: { apiGroup: g, kind: roleKind, name: role },
  subjects: [{ kind: 'ServiceAccount', name: 'bot' }],
});
const bot = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };

test('allowed: which binding of which role to which subject; a ServiceAccount named with its namespace', () => {
  const a = new Authorizer(new StaticPolicy([reader], [crb], [], [rb('bot-reads', 'ClusterRole', 'reader')]));
  assert.deepEqual(a.decide({ name: 'dan', groups: ['devs'] }, requestAttributes('GET', '/api/v1/namespaces/x/pods/p')), {
    allowed: true,
    reason: 'RBAC: allowed by ClusterRoleBinding "read-all" of ClusterRole "reader" to Group "devs"',
  });
  assert.deepEqual(a.decide(bot, requestAttributes('GET', '/api/v1/namespaces/team/pods/p')), {
    allowed: true,
    reason: 'RBAC: allowed by RoleBinding "bot-reads/team" of ClusterRole "reader" to ServiceAccount "bot/team"',
  });
  assert.deepEqual(a.decide(bot, requestAttributes('DELETE', '/api/v1/namespaces/team/pods/p')), { allowed: false, reason: '' });
});

test('refused: a binding to a role that does not exist is named in the reason', () => {
  const a = new Authorizer(new StaticPolicy([], [], [], [rb('gone', 'Role', 'missing'), rb('gone2', 'ClusterRole', 'missing-too')]));
  assert.deepEqual(a.decide(bot, requestAttributes('GET', '/api/v1/namespaces/team/pods/p')), {
    allowed: false,
    reason: 'RBAC: [role.rbac.authorization.k8s.io "missing" not found, clusterrole.rbac.authorization.k8s.io "missing-too" not found]',
  });
});

test('cached answers follow the policy generation', () => {
  let generation = 1;
  let bindings: ClusterRoleBinding[] = [];
  const inner = new StaticPolicy([reader], []);
  const source: PolicySource = {
    clusterRoleBindings: () => bindings,
    roleBindings: () => [],
    clusterRole: (n) => inner.clusterRole(n),
    role: () => undefined,
    generation: () => generation,
  };
  const a = new Authorizer(source);
  const ask = () => a.authorize({ name: 'dan', groups: ['devs'] }, requestAttributes('GET', '/api/v1/namespaces/x/pods/p'));
  assert.equal(ask(), false);
  bindings = [crb];
  assert.equal(ask(), false, 'same generation: the cached answer');
  generation++;
  assert.equal(ask(), true);
});
