// Impersonate-* headers: who may act as whom, and whom the request then acts as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Authorizer } from '../../../src/apiserver/auth/authorizer.js';
import { actingUser } from '../../../src/apiserver/auth/impersonation.js';
import { StatusError } from '../../../src/machinery/status.js';

const authz = new Authorizer();
const admin = { name: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] };
const nobody = { name: 'nobody', groups: ['system:authenticated'] };
/** The two fields actingUser reads, as Node fills them (header names lowercased, repeated headers kept apart). */
const req = (headers: Record<string, string[]>) => ({ headersDistinct: headers, url: '/api/v1/namespaces/default/services' }) as unknown as IncomingMessage;

function refused(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected a Status error');
}

test('no Impersonate-* headers: the authenticated user', () => {
  assert.equal(actingUser(req({ accept: ['application/json'] }), nobody, authz), nobody);
});

test('the admin may act as anyone; the groups are the ones asked for, plus system:authenticated', () => {
  assert.deepEqual(actingUser(req({ 'impersonate-user': ['jane'] }), admin, authz), { name: 'jane', groups: ['system:authenticated'] });
  assert.deepEqual(actingUser(req({ 'impersonate-user': ['jane'], 'impersonate-group': ['dev', 'ops'] }), admin, authz), {
    name: 'jane',
    groups: ['dev', 'ops', 'system:authenticated'],
  });
  assert.deepEqual(actingUser(req({ 'impersonate-user': ['system:anonymous'] }), admin, authz), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
  assert.deepEqual(actingUser(req({ 'impersonate-user': ['system:serviceaccount:kube-system:dns'] }), admin, authz), {
    name: 'system:serviceaccount:kube-system:dns',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
  });
  assert.deepEqual(
    actingUser(req({ 'impersonate-user': ['jane'], 'impersonate-extra-scopes': ['a'], 'impersonate-uid': ['1234'] }), admin, authz).name,
    'jane',
  );
});

test('anyone else is refused in upstream\'s words, naming what they tried to impersonate', () => {
  const user = refused(() => actingUser(req({ 'impersonate-user': ['kubernetes-admin'] }), nobody, authz));
  assert.equal(user.code, 403);
  assert.equal(user.message, 'users "kubernetes-admin" is forbidden: User "nobody" cannot impersonate resource "users" in API group "" at the cluster scope');
  assert.deepEqual(user.details, { name: 'kubernetes-admin', kind: 'users' });
  const group = refused(() => actingUser(req({ 'impersonate-user': ['nobody'], 'impersonate-group': ['system:masters'] }), nobody, authz));
  assert.equal(group.message, 'users "nobody" is forbidden: User "nobody" cannot impersonate resource "users" in API group "" at the cluster scope');
  const sa = refused(() => actingUser(req({ 'impersonate-user': ['system:serviceaccount:kube-system:dns'] }), nobody, authz));
  assert.equal(sa.message, 'serviceaccounts "dns" is forbidden: User "nobody" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"');
});

test('groups or a UID without a user are a 400 in upstream\'s words', () => {
  const e = refused(() => actingUser(req({ 'impersonate-group': ['system:masters'] }), admin, authz));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'requested [{Group  system:masters    }] without impersonating a user');
  const uid = refused(() => actingUser(req({ 'impersonate-uid': ['42'] }), admin, authz));
  assert.equal(uid.code, 400);
  assert.equal(uid.message, 'requested [{UID  42  authentication.k8s.io/v1  }] without impersonating a user');
});
