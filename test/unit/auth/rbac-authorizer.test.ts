// The RBAC authorizer over Role, ClusterRole and binding objects: which bindings apply to whom,
// namespaced grants, ClusterRoles bound in one namespace, aggregation, and rule coverage (the
// escalation check's comparison).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, StaticPolicy } from '../../../src/apiserver/auth/authorizer.js';
import { aggregateAll } from '../../../src/apiserver/auth/aggregation.js';
import { bootstrapClusterRoles } from '../../../src/apiserver/auth/bootstrap-policy.js';
import { uncoveredRules } from '../../../src/apiserver/auth/covers.js';
import { compactString, escalationError } from '../../../src/apiserver/auth/escalation.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';
import type { ClusterRole, PolicyRule, Role, RoleBinding, Subject } from '../../../src/api/rbac.js';
import type { UserInfo } from '../../../src/apiserver/auth/user.js';

const g = 'rbac.authorization.k8s.io';
const role = (name: string, rules: PolicyRule[], namespace?: string, labels?: Record<string, string>): Role => ({
  apiVersion: `${g}/v1`, kind: namespace ? 'Role' : 'ClusterRole', metadata: { name, namespace, labels }, rules,
});
const bind = (name: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: Subject[], namespace?: string): RoleBinding => ({
  apiVersion: `${g}/v1`, kind: namespace ? 'RoleBinding' : 'ClusterRoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: g, kind, name: roleName }, subjects,
});
const jane: UserInfo = { name: 'jane', groups: ['system:authenticated'] };
const dev: UserInfo = { name: 'dan', groups: ['devs', 'system:authenticated'] };
const bot: UserInfo = { name: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:authenticated'] };

const policy = new StaticPolicy(
  [
    role('pod-reader', [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }]),
    role('probe', [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/debug/*'] }]),
  ],
  [bind('probe', 'ClusterRole', 'probe', [{ kind: 'Group', apiGroup: g, name: 'devs' }])],
  [role('cm-one', [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }], 'team')],
  [
    bind('read-pods', 'ClusterRole', 'pod-reader', [{ kind: 'User', apiGroup: g, name: 'jane' }], 'team'),
    bind('cm', 'Role', 'cm-one', [{ kind: 'ServiceAccount', name: 'bot' }], 'team'),
    bind('dangling', 'Role', 'no-such-role', [{ kind: 'User', apiGroup: g, name: 'jane' }], 'team'),
  ],
);
const authz = new Authorizer(policy);
const may = (u: UserInfo, m: string, url: string) => authz.authorize(u, requestAttributes(m, url));

test('a ClusterRole bound by a RoleBinding grants only in that namespace, subresources as listed', () => {
  assert.equal(may(jane, 'GET', '/api/v1/namespaces/team/pods'), true);
  assert.equal(may(jane, 'GET', '/api/v1/namespaces/team/pods/p/log'), true);
  assert.equal(may(jane, 'GET', '/api/v1/namespaces/team/pods?watch=1'), true);
  assert.equal(may(jane, 'GET', '/api/v1/namespaces/other/pods'), false, 'other namespace');
  assert.equal(may(jane, 'GET', '/api/v1/pods'), false, 'all namespaces needs a cluster-wide grant');
  assert.equal(may(jane, 'DELETE', '/api/v1/namespaces/team/pods/p'), false, 'verb');
  assert.equal(may(jane, 'GET', '/api/v1/namespaces/team/pods/p/exec'), false, 'unlisted subresource');
  assert.equal(may(dev, 'GET', '/api/v1/namespaces/team/pods'), false, 'not a subject');
});

test('resourceNames limit a Role to named objects; a ServiceAccount subject defaults to the binding\'s namespace', () => {
  assert.equal(may(bot, 'GET', '/api/v1/namespaces/team/configmaps/cfg'), true);
  assert.equal(may(bot, 'PUT', '/api/v1/namespaces/team/configmaps/cfg'), true);
  assert.equal(may(bot, 'GET', '/api/v1/namespaces/team/configmaps/other'), false);
  assert.equal(may(bot, 'GET', '/api/v1/namespaces/team/configmaps'), false, 'list has no name');
  assert.equal(may({ name: 'system:serviceaccount:other:bot', groups: [] }, 'GET', '/api/v1/namespaces/team/configmaps/cfg'), false);
});

test('non-resource URLs by group, with prefix wildcards; system:masters is never refused', () => {
  assert.equal(may(dev, 'GET', '/metrics'), true);
  assert.equal(may(dev, 'GET', '/debug/pprof/heap'), true);
  assert.equal(may(dev, 'GET', '/metricsx'), false);
  assert.equal(may(dev, 'POST', '/metrics'), false);
  assert.equal(may(jane, 'GET', '/metrics'), false);
  assert.equal(may({ name: 'x', groups: ['system:masters'] }, 'DELETE', '/api/v1/namespaces/a'), true);
});

test('rulesFor lists what applies in a namespace (cluster-wide bindings included)', () => {
  assert.deepEqual(authz.rulesFor(dev, 'team'), [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/debug/*'] }]);
  assert.equal(authz.rulesFor(jane, 'team').length, 1);
  assert.equal(authz.rulesFor(jane, '').length, 0);
});

test('aggregation: admin holds edit holds view, each rule once, and the bootstrap roles aggregate', () => {
  const roles = aggregateAll(bootstrapClusterRoles());
  const byName = new Map(roles.map((r) => [r.metadata.name, r as ClusterRole]));
  const view = byName.get('view')!.rules!;
  const edit = byName.get('edit')!.rules!;
  const admin = byName.get('admin')!.rules!;
  assert.ok(view.length > 0);
  assert.deepEqual(uncoveredRules(edit, view), [], 'edit covers view');
  assert.deepEqual(uncoveredRules(admin, edit), [], 'admin covers edit');
  assert.ok(uncoveredRules(view, edit).length > 0, 'view does not cover edit');
  assert.equal(new Set(admin.map((r) => JSON.stringify(r))).size, admin.length, 'no duplicates');
  const rbacAuthz = new Authorizer(new StaticPolicy(roles, [bind('e', 'ClusterRole', 'edit', [{ kind: 'User', apiGroup: g, name: 'jane' }])]));
  assert.equal(rbacAuthz.authorize(jane, requestAttributes('POST', '/apis/apps/v1/namespaces/x/deployments')), true);
  assert.equal(rbacAuthz.authorize(jane, requestAttributes('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/x/rolebindings')), false, 'edit may not grant');
  // A selector that matches nothing leaves the role empty; matchExpressions work too.
  const lone = aggregateAll([{ ...role('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }] } } as ClusterRole, role('t', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], undefined, { tier: 'x' })]);
  assert.deepEqual(lone[0]!.rules, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
});

test('aggregation orders the matched roles by name in Go’s byte order, as upstream’s controller', () => {
  // As a cluster shows them: view is system:aggregate-to-view's rules; edit takes system:aggregate-to-edit's then view's; admin edit's then system:aggregate-to-admin's.
  const byName = new Map(aggregateAll(bootstrapClusterRoles()).map((r) => [r.metadata.name!, r as ClusterRole]));
  const rules = (name: string) => byName.get(name)!.rules!;
  assert.deepEqual(rules('view'), rules('system:aggregate-to-view'));
  assert.deepEqual(rules('edit'), [...rules('system:aggregate-to-edit'), ...rules('view')]);
  assert.deepEqual(rules('admin'), [...rules('edit'), ...rules('system:aggregate-to-admin')]);
  // Byte order puts 'X' before 'x' and '.' before ':'; a locale's collation does neither.
  const rule = (resource: string): PolicyRule => ({ verbs: ['get'], apiGroups: [''], resources: [resource] });
  const agg = { ...role('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { t: 'y' } }] } } as ClusterRole;
  const [out] = aggregateAll([agg, role('x:b', [rule('b')], undefined, { t: 'y' }), role('x.a', [rule('a')], undefined, { t: 'y' }), role('X-c', [rule('c')], undefined, { t: 'y' })]);
  assert.deepEqual(out!.rules!.map((r) => r.resources![0]), ['c', 'a', 'b']);
});

test('coverage: wildcards, */subresource, resourceNames and URL prefixes', () => {
  const r = (verbs: string[], resources: string[], more: Partial<PolicyRule> = {}): PolicyRule => ({ verbs, apiGroups: [''], resources, ...more });
  assert.deepEqual(uncoveredRules([r(['*'], ['*'])], [r(['get', 'delete'], ['pods', 'secrets'])]), []);
  assert.deepEqual(uncoveredRules([r(['get'], ['*/scale'])], [r(['get'], ['deployments/scale'])]), []);
  assert.deepEqual(uncoveredRules([r(['get'], ['pods'])], [r(['get', 'list'], ['pods'])]), [r(['list'], ['pods'])]);
  assert.deepEqual(uncoveredRules([r(['get'], ['pods'], { resourceNames: ['a'] })], [r(['get'], ['pods'])]), [r(['get'], ['pods'])], 'a named grant does not cover all');
  assert.deepEqual(uncoveredRules([r(['get'], ['pods'])], [r(['get'], ['pods'], { resourceNames: ['a', 'b'] })]), []);
  assert.deepEqual(uncoveredRules([{ verbs: ['get'], nonResourceURLs: ['/api/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/api/v1', '/apis'] }]), [{ verbs: ['get'], nonResourceURLs: ['/apis'] }]);
  assert.deepEqual(uncoveredRules([r(['get'], ['pods'])], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }]).length, 1, 'another group');
});

test('escalation: upstream\'s message lists the missing rules compacted (verbs merged per resource), sorted', () => {
  const holder = new Authorizer(new StaticPolicy([role('r', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])], [bind('b', 'ClusterRole', 'r', [{ kind: 'Group', apiGroup: g, name: 'devs' }])]));
  const msg = escalationError(holder, dev, 'team', [
    { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'secrets'] },
    { verbs: ['get'], nonResourceURLs: ['/metrics'] },
  ]);
  assert.equal(msg, [
    'user "dan" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:',
    '{APIGroups:[""], Resources:["pods"], Verbs:["list" "watch"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "watch"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ].join('\n'));
  assert.equal(escalationError(holder, dev, 'team', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['p'] }]), undefined);
  assert.equal(compactString({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['d'] }), '{APIGroups:["apps"], Resources:["deployments"], ResourceNames:["d"], Verbs:["get"]}');
});
