// Recognising kubectl's Table request and the includeObject parameter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { includeObjectParam, tableVersionFromAccept } from '../../../src/apiserver/tables/negotiate.js';
import { StatusError } from '../../../src/machinery/status.js';

const KUBECTL_GET =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

test('kubectl get asks for a v1 Table', () => {
  assert.equal(tableVersionFromAccept(KUBECTL_GET), 'v1');
});

test('a client that only knows v1beta1 gets a v1beta1 Table', () => {
  assert.equal(tableVersionFromAccept('application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json'), 'v1beta1');
});

test('plain JSON, other kinds and no Accept are not Table requests', () => {
  assert.equal(tableVersionFromAccept('application/json'), undefined);
  assert.equal(tableVersionFromAccept('application/json, */*'), undefined);
  assert.equal(tableVersionFromAccept(undefined), undefined);
  assert.equal(tableVersionFromAccept('application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json'), undefined);
  assert.equal(tableVersionFromAccept('application/json;as=Table;v=v2;g=meta.k8s.io,application/json'), undefined);
});

test('includeObject: Metadata by default, Object and None as given', () => {
  assert.equal(includeObjectParam(null), 'Metadata');
  assert.equal(includeObjectParam(''), 'Metadata');
  assert.equal(includeObjectParam('Object'), 'Object');
  assert.equal(includeObjectParam('None'), 'None');
});

test('includeObject with another value is a 400 in upstream words', () => {
  assert.throws(
    () => includeObjectParam('Everything'),
    (e: unknown) =>
      e instanceof StatusError &&
      e.code === 400 &&
      e.message ===
        `Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be 'Metadata', 'Object', 'None', or empty`,
  );
});
