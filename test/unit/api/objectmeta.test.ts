// ObjectMeta rules for every kind: names per kind, namespace, labels, annotations, immutability.
import { builtinEntries } from '../../../src/apiserver/registry/builtin.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Path, errorString } from '../../../src/machinery/field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../../src/api/validation/objectmeta.js';
import { nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain } from '../../../src/api/validation/names.js';
import { assertErrors } from './helpers.js';

const meta = Path.root('metadata');

describe('ObjectMeta on create', () => {
  it('requires a name unless generateName is set (name generation happens before validation)', () => {
    assertErrors(validateObjectMeta({ namespace: 'ns' }, true, nameIsDNSSubdomain, meta), [
      { field: 'metadata.name', type: 'FieldValueRequired', message: 'metadata.name: Required value: name or generateName is required' },
    ], 'no name');
    assertErrors(validateObjectMeta({ generateName: 'web-', name: 'web-x7k2p', namespace: 'ns' }, true, nameIsDNSSubdomain, meta), 0, 'generated');
  });

  it('requires a namespace for namespaced kinds and forbids it otherwise', () => {
    assertErrors(validateObjectMeta({ name: 'a' }, true, nameIsDNSSubdomain, meta), [{ field: 'metadata.namespace', type: 'FieldValueRequired' }], 'ns');
    assertErrors(validateObjectMeta({ name: 'a', namespace: 'x' }, false, nameIsDNSSubdomain, meta), [
      { field: 'metadata.namespace', type: 'FieldValueForbidden', message: 'metadata.namespace: Forbidden: not allowed on this type' },
    ], 'cluster-scoped');
  });

  it('checks names with the kind rule: Service DNS-1035, Namespace DNS-1123 label, others subdomain', () => {
    assert.equal(validateObjectMeta({ name: 'a.b', namespace: 'x' }, true, nameIsDNSSubdomain, meta).length, 0);
    assert.equal(validateObjectMeta({ name: 'a.b' }, false, nameIsDNSLabel, meta).length, 1);
    assert.equal(validateObjectMeta({ name: '1abc', namespace: 'x' }, true, nameIsDNS1035Label, meta).length, 1);
    assert.equal(validateObjectMeta({ name: '1abc', namespace: 'x' }, true, nameIsDNSSubdomain, meta).length, 0);
  });

  it('validates labels and annotations with upstream messages', () => {
    const errs = validateObjectMeta({ name: 'a', namespace: 'x', labels: { 'a/b/c': 'ok', ok: '-bad' } }, true, nameIsDNSSubdomain, meta);
    assert.equal(errs.length, 2);
    assert.ok(errs.every((e) => e.field === 'metadata.labels'));
    assert.equal(
      errorString(errs[1]!),
      `metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
    // Annotation keys are case-insensitive qualified names; values are free-form.
    assert.equal(validateObjectMeta({ name: 'a', namespace: 'x', annotations: { 'Example.com/Key': 'any value at all' } }, true, nameIsDNSSubdomain, meta).length, 0);
    const big = { k: 'x'.repeat(256 * 1024) };
    assertErrors(validateObjectMeta({ name: 'a', namespace: 'x', annotations: big }, true, nameIsDNSSubdomain, meta), [
      { field: 'metadata.annotations', type: 'FieldValueTooLong', message: 'metadata.annotations: Too long: may not be more than 262144 bytes' },
    ], 'size');
  });

  it('rejects negative generation and unknown unqualified finalizers', () => {
    assertErrors(validateObjectMeta({ name: 'a', namespace: 'x', generation: -1 }, true, nameIsDNSSubdomain, meta), [{ field: 'metadata.generation', type: 'FieldValueInvalid' }], 'gen');
    assertErrors(validateObjectMeta({ name: 'a', namespace: 'x', finalizers: ['example.com/f', 'kubernetes', 'bogus'] }, true, nameIsDNSSubdomain, meta), [
      { field: 'metadata.finalizers[2]', type: 'FieldValueInvalid', message: 'metadata.finalizers[2]: Invalid value: "bogus": name is neither a standard finalizer name nor is it fully qualified' },
    ], 'finalizers');
  });
});

describe('ObjectMeta on update', () => {
  const old = { name: 'a', namespace: 'x', uid: 'u1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z', generation: 2 };
  it('allows label and annotation changes', () => {
    assertErrors(validateObjectMetaUpdate({ ...old, labels: { a: 'b' }, annotations: { c: 'd' } }, old, meta), 0, 'labels');
  });
  it('keeps name, namespace, uid and creationTimestamp immutable', () => {
    assertErrors(
      validateObjectMetaUpdate({ ...old, name: 'b', namespace: 'y', uid: 'u2', creationTimestamp: '2026-01-02T00:00:00Z' }, old, meta),
      [
        { field: 'metadata.name', type: 'FieldValueInvalid', message: 'metadata.name: Invalid value: "b": field is immutable' },
        { field: 'metadata.namespace', type: 'FieldValueInvalid' },
        { field: 'metadata.uid', type: 'FieldValueInvalid' },
        { field: 'metadata.creationTimestamp', type: 'FieldValueInvalid' },
      ],
      'immutable',
    );
  });
  it('requires a resourceVersion and forbids decrementing generation', () => {
    assertErrors(validateObjectMetaUpdate({ ...old, resourceVersion: '', generation: 1 }, old, meta), [
      { field: 'metadata.resourceVersion', type: 'FieldValueInvalid' },
      { field: 'metadata.generation', type: 'FieldValueInvalid', message: 'metadata.generation: Invalid value: 1: must not be decremented' },
    ], 'rv');
  });
  it('forbids new finalizers once deletion started', () => {
    const deleting = { ...old, deletionTimestamp: '2026-01-03T00:00:00Z', finalizers: ['kubernetes'] };
    assertErrors(validateObjectMetaUpdate({ ...deleting, finalizers: ['kubernetes', 'example.com/x'] }, deleting, meta), [
      { field: 'metadata.finalizers', type: 'FieldValueForbidden' },
    ], 'finalizers');
  });
});

describe('the registry has an entry, with its strategy, for every kind the API server serves', () => {
  it('has all thirty-nine kinds', () => {
    assert.deepEqual(builtinEntries.map((e) => e.info.kind).sort(), [
      'CertificateSigningRequest', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'ControllerRevision', 'CronJob', 'CustomResourceDefinition', 'DaemonSet', 'Deployment',
      'EndpointSlice', 'Endpoints', 'Event', 'IPAddress', 'Ingress', 'IngressClass', 'Job', 'Lease', 'LocalSubjectAccessReview', 'Namespace', 'Node', 'NodeMetrics', 'PersistentVolume',
      'PersistentVolumeClaim', 'Pod', 'PodMetrics', 'ReplicaSet', 'Role', 'RoleBinding', 'Secret', 'SelfSubjectAccessReview', 'SelfSubjectReview',
      'SelfSubjectRulesReview', 'Service', 'ServiceAccount', 'ServiceCIDR', 'StatefulSet', 'StorageClass', 'SubjectAccessReview', 'TokenReview',
    ]);
  });
});
