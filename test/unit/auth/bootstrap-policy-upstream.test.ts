// The default RBAC policy against upstream's: every ClusterRole, ClusterRoleBinding, Role and
// RoleBinding upstream's golden files list exists here with the same rules (as sets: order within a
// rule's lists is not meaningful), aggregation, subjects, label and annotation. The fixture is
// derived from upstream's testdata (its header says which files and versions), so drift shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClusterRole, PolicyRule, RoleBinding, Subject } from '../../../src/api/rbac.js';
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapRoleBindings,
  bootstrapRoles,
} from '../../../src/apiserver/auth/bootstrap-policy.js';

interface RoleSpec {
  labels?: Record<string, string>;
  aggregateFrom?: string;
  rules: string[];
}
interface BindingSpec {
  role: string;
  subjects: string[];
}
interface Fixture {
  clusterRoles: Record<string, RoleSpec>;
  clusterRoleBindings: Record<string, BindingSpec>;
  roles: Record<string, RoleSpec>;
  roleBindings: Record<string, BindingSpec>;
}

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../test/fixtures/rbac-bootstrap/upstream-v1.32.json', import.meta.url)), 'utf8'),
) as Fixture;

const sorted = (xs: readonly string[] | undefined) => [...(xs ?? [])].sort().join(',');
/** A rule in the fixture's notation, each list sorted. */
function ruleText(r: PolicyRule): string {
  if (r.nonResourceURLs) return `${sorted(r.verbs)};url:${sorted(r.nonResourceURLs)}`;
  const base = `${sorted(r.verbs)};${sorted(r.apiGroups)};${sorted(r.resources)}`;
  return r.resourceNames?.length ? `${base};${sorted(r.resourceNames)}` : base;
}
const normalizeFixtureRule = (s: string) => {
  const [verbs, second, ...rest] = s.split(';');
  const split = (x: string | undefined) => (x ?? '').split(',').sort().join(',');
  if (second!.startsWith('url:')) return `${split(verbs)};url:${split(second!.slice(4))}`;
  return [split(verbs), split(second), ...rest.map(split)].join(';');
};
const ruleSet = (rules: string[]) => rules.map(normalizeFixtureRule).sort();
const subjectText = (s: Subject) => (s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace}/${s.name}` : `${s.kind}:${s.name}`);
const defaultsLabel = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const defaultsAnnotation = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function checkRole(key: string, want: RoleSpec, got: ClusterRole | undefined): void {
  assert.ok(got, `${key} is missing`);
  assert.deepEqual(got.metadata.labels, { ...defaultsLabel, ...want.labels }, `${key} labels`);
  assert.deepEqual(got.metadata.annotations, defaultsAnnotation, `${key} annotations`);
  assert.deepEqual((got.rules ?? []).map(ruleText).sort(), ruleSet(want.rules), `${key} rules`);
  const selectors = got.aggregationRule?.clusterRoleSelectors?.map((s) => Object.keys(s.matchLabels ?? {}).join(','));
  assert.deepEqual(selectors, want.aggregateFrom ? [want.aggregateFrom] : undefined, `${key} aggregationRule`);
}

function checkBinding(key: string, want: BindingSpec, got: RoleBinding | undefined, kind: string): void {
  assert.ok(got, `${key} is missing`);
  assert.deepEqual(got.metadata.labels, defaultsLabel, `${key} labels`);
  assert.deepEqual(got.metadata.annotations, defaultsAnnotation, `${key} annotations`);
  assert.deepEqual(got.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind, name: want.role }, `${key} roleRef`);
  assert.deepEqual((got.subjects ?? []).map(subjectText), want.subjects, `${key} subjects`);
}

test('every upstream ClusterRole is here with upstream rules, aggregation, label and annotation', () => {
  const got = new Map(bootstrapClusterRoles().map((r) => [r.metadata.name!, r]));
  for (const [name, want] of Object.entries(fixture.clusterRoles)) checkRole(name, want, got.get(name));
});

test('every upstream ClusterRoleBinding is here, controllers bound to their kube-system ServiceAccounts', () => {
  const got = new Map(bootstrapClusterRoleBindings().map((b) => [b.metadata.name!, b]));
  for (const [name, want] of Object.entries(fixture.clusterRoleBindings)) checkBinding(name, want, got.get(name), 'ClusterRole');
  const controllerRoles = Object.keys(fixture.clusterRoles).filter((n) => n.startsWith('system:controller:'));
  assert.ok(controllerRoles.length > 30);
  for (const name of controllerRoles) {
    checkBinding(name, { role: name, subjects: [`ServiceAccount:kube-system/${name.slice('system:controller:'.length)}`] }, got.get(name), 'ClusterRole');
  }
});

test('the Roles and RoleBindings in kube-system and kube-public are upstream’s', () => {
  const roles = new Map(bootstrapRoles().map((r) => [`${r.metadata.namespace}/${r.metadata.name}`, r]));
  for (const [key, want] of Object.entries(fixture.roles)) checkRole(key, want, roles.get(key));
  assert.equal(roles.size, Object.keys(fixture.roles).length);
  const bindings = new Map(bootstrapRoleBindings().map((b) => [`${b.metadata.namespace}/${b.metadata.name}`, b]));
  for (const [key, want] of Object.entries(fixture.roleBindings)) checkBinding(key, want, bindings.get(key), 'Role');
  assert.equal(bindings.size, Object.keys(fixture.roleBindings).length);
});

test('what kubesvc adds beyond upstream carries no rbac-defaults label (it is an installer’s, as kubeadm writes it)', () => {
  const extraRoles = bootstrapClusterRoles().filter((r) => !(r.metadata.name! in fixture.clusterRoles));
  const extraBindings = bootstrapClusterRoleBindings().filter(
    (b) => !(b.metadata.name! in fixture.clusterRoleBindings) && !b.metadata.name!.startsWith('system:controller:'),
  );
  assert.deepEqual(extraRoles.map((r) => r.metadata.name).sort(), ['kubesvc:servicelb-controller', 'local-path-provisioner-role', 'system:coredns']);
  assert.deepEqual(extraBindings.map((b) => b.metadata.name).sort(), ['kubeadm:cluster-admins', 'kubesvc:servicelb-controller', 'local-path-provisioner-bind', 'system:coredns']);
  for (const o of [...extraRoles, ...extraBindings]) assert.equal(o.metadata.labels?.['kubernetes.io/bootstrapping'], undefined, o.metadata.name);
});
