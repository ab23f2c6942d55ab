// Role, ClusterRole, RoleBinding and ClusterRoleBinding: defaults and validation with upstream's
// field paths and words (pkg/apis/rbac/validation).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterRole, Role, RoleBinding } from '../../../src/api/rbac.js';
import { assertErrors, strategyFor } from './helpers.js';

const role = (rules: unknown[], name = 'r'): Role => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: 'default' }, rules: rules as Role['rules'] });

describe('Role and ClusterRole rules', () => {
  const s = strategyFor('Role');
  it('accepts resource rules, and names that are only path segments (system:foo)', () => {
    assertErrors(s.validateCreate(role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], 'system:pod-reader')), 0, 'valid');
  });
  it('empty verbs, apiGroups and resources are required', () => {
    assertErrors(s.validateCreate(role([{ verbs: [] }])), [
      { field: 'rules[0].verbs', type: 'FieldValueRequired', message: 'rules[0].verbs: Required value: verbs must contain at least one value' },
      { field: 'rules[0].apiGroups', type: 'FieldValueRequired', message: 'rules[0].apiGroups: Required value: resource rules must supply at least one api group' },
      { field: 'rules[0].resources', type: 'FieldValueRequired', message: 'rules[0].resources: Required value: resource rules must supply at least one resource' },
    ], 'empty');
  });
  it('a namespaced rule cannot name non-resource URLs, nor mix them with resources', () => {
    assertErrors(s.validateCreate(role([{ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] }])), [
      { field: 'rules[0].nonResourceURLs', type: 'FieldValueInvalid', message: 'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs' },
      { field: 'rules[0].nonResourceURLs', type: 'FieldValueInvalid', message: 'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both regular resources and non-resource URLs' },
    ], 'nonresource');
    const cr: ClusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'probe' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] };
    assertErrors(strategyFor('ClusterRole').validateCreate(cr), 0, 'cluster nonresource');
  });
  it('names may not be . or contain / or %', () => {
    assertErrors(s.validateCreate(role([], 'a/b')), [{ field: 'metadata.name', type: 'FieldValueInvalid', message: 'metadata.name: Invalid value: "a/b": may not contain \'/\'' }], 'slash');
    assertErrors(s.validateCreate(role([], '..')), [{ field: 'metadata.name', type: 'FieldValueInvalid' }], 'dots');
  });
  it('an aggregationRule needs at least one selector, each valid', () => {
    const cr = (aggregationRule: unknown): ClusterRole => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: aggregationRule as ClusterRole['aggregationRule'] });
    const c = strategyFor('ClusterRole');
    assertErrors(c.validateCreate(cr({ clusterRoleSelectors: [] })), [
      { field: 'aggregationRule.clusterRoleSelectors', type: 'FieldValueRequired', message: 'aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil' },
    ], 'empty selectors');
    assertErrors(c.validateCreate(cr({ clusterRoleSelectors: [{ matchLabels: { 'bad key!': 'x' } }] })), [{ field: 'aggregationRule.clusterRoleSelectors[0].matchLabels', type: 'FieldValueInvalid' }], 'bad label');
    assertErrors(c.validateCreate(cr({ clusterRoleSelectors: [{ matchLabels: { 'example.com/agg': 'true' } }] })), 0, 'good');
  });
});

describe('RoleBinding and ClusterRoleBinding', () => {
  const rb = (over: Partial<RoleBinding> = {}): RoleBinding => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'b', namespace: 'default', resourceVersion: '1' },
    roleRef: { apiGroup: '', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'User', name: 'jane' }, { kind: 'ServiceAccount', name: 'bot', namespace: 'default' }],
    ...over,
  });
  const s = strategyFor('RoleBinding');
  it('defaults the RBAC group on roleRef and User/Group subjects, not on ServiceAccounts', () => {
    const b = rb();
    s.defaults(b);
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(b.subjects![0]!.apiGroup, 'rbac.authorization.k8s.io');
    assert.equal(b.subjects![1]!.apiGroup, undefined);
    assertErrors(s.validateCreate(b), 0, 'valid');
  });
  it('an unknown roleRef kind or subject kind is unsupported; names are required', () => {
    const b = rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Pod', name: '' }, subjects: [{ kind: 'Robot', name: '' }] });
    assertErrors(s.validateCreate(b), [
      { field: 'roleRef.kind', type: 'FieldValueNotSupported', message: 'roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"' },
      { field: 'roleRef.name', type: 'FieldValueRequired', message: 'roleRef.name: Required value' },
      { field: 'subjects[0].name', type: 'FieldValueRequired' },
      { field: 'subjects[0].kind', type: 'FieldValueNotSupported', message: 'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"' },
    ], 'kinds');
  });
  it('a ClusterRoleBinding refers to a ClusterRole only, and its ServiceAccounts name a namespace', () => {
    const crb: RoleBinding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] };
    assertErrors(strategyFor('ClusterRoleBinding').validateCreate(crb), [
      { field: 'roleRef.kind', type: 'FieldValueNotSupported', message: 'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"' },
      { field: 'subjects[0].namespace', type: 'FieldValueRequired' },
    ], 'crb');
  });
  it('a wrong group on a User is unsupported', () => {
    const b = rb({ subjects: [{ kind: 'User', name: 'jane', apiGroup: 'example.com' }] });
    s.defaults(b);
    assertErrors(s.validateCreate(b), [
      { field: 'subjects[0].apiGroup', type: 'FieldValueNotSupported', message: 'subjects[0].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"' },
    ], 'group');
  });
  it('roleRef cannot change, printed as upstream prints the struct', () => {
    const old = rb();
    s.defaults(old);
    const changed = rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } });
    s.defaults(changed);
    assertErrors(s.validateUpdate(changed, old), [
      { field: 'roleRef', type: 'FieldValueInvalid', message: 'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef' },
    ], 'immutable');
    const same = rb({ subjects: [] });
    s.defaults(same);
    assertErrors(s.validateUpdate(same, old), 0, 'subjects may change');
  });
});
