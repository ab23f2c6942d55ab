// The watch cache's objects parse their stored JSON only when someone reads `obj`: a watch line
// or a list item is the stored text with the resourceVersion put in, and must say exactly what the
// parsed object says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CachedObject, rememberStoredText, storedText } from '../../../src/apiserver/store/cached-object.js';

// As the store's encode() writes it: apiVersion, kind, metadata without resourceVersion, the rest.
const stored = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'u-1', labels: { app: 'web' }, managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': { 'f:ports': {} } } }] },
  spec: { ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } },
});
const kv = (value: string, modRevision: number) => ({ key: '/registry/services/specs/default/web', value, createRevision: 3, modRevision });

test('a stored object serializes without being parsed, with its revision as resourceVersion', () => {
  const o = CachedObject.fromKeyValue(kv(stored, 42));
  const line = o.json();
  assert.equal(o.apiVersion, 'v1');
  const inside = o as unknown as { parsed: unknown; stored: unknown };
  assert.equal(inside.parsed, undefined, 'json() and apiVersion did not parse');
  assert.equal(inside.stored, undefined, 'only the serialized text is kept');
  const want = JSON.parse(stored);
  want.metadata.resourceVersion = '42';
  assert.deepEqual(JSON.parse(line), want);
  assert.deepEqual(JSON.parse(o.watchLine('ADDED')), { type: 'ADDED', object: want });
  // Reading obj afterwards gives the same object, and mutable() a copy of it.
  assert.deepEqual(o.obj, want);
  assert.deepEqual(o.mutable(), want);
  assert.notEqual(o.mutable(), o.obj);
});

test('obj parses once, carries the revision, and shares its FieldsV1 with equal objects', () => {
  const a = CachedObject.fromKeyValue(kv(stored, 7));
  const b = CachedObject.fromKeyValue(kv(stored, 8));
  assert.equal(a.obj, a.obj);
  assert.equal(a.obj.metadata.resourceVersion, '7');
  assert.equal(b.obj.metadata.resourceVersion, '8');
  assert.equal(a.obj.metadata.managedFields![0]!.fieldsV1, b.obj.metadata.managedFields![0]!.fieldsV1);
  assert.ok(Object.isFrozen(a.obj.metadata.managedFields![0]!.fieldsV1));
});

test('a deleted object carries the deletion revision, parsed, serialized or neither', () => {
  const served = CachedObject.fromKeyValue(kv(stored, 7));
  served.json();
  const goneServed = served.withRevision(9);
  assert.equal(JSON.parse(goneServed.json()).metadata.resourceVersion, '9');
  assert.equal(goneServed.obj.metadata.resourceVersion, '9');
  assert.equal(served.obj.metadata.resourceVersion, '7');
  const lazy = CachedObject.fromKeyValue(kv(stored, 7)).withRevision(9);
  assert.equal(JSON.parse(lazy.json()).metadata.resourceVersion, '9');
  assert.equal(lazy.obj.metadata.resourceVersion, '9');
  const parsed = CachedObject.fromKeyValue(kv(stored, 7));
  assert.equal(parsed.obj.metadata.resourceVersion, '7');
  const gone = parsed.withRevision(9);
  assert.equal(gone.obj.metadata.resourceVersion, '9');
  assert.equal(JSON.parse(gone.json()).metadata.resourceVersion, '9');
  assert.equal(parsed.obj.metadata.resourceVersion, '7', 'the live object is untouched');
});

test('stored text in another layout is parsed and serialized instead of spliced', () => {
  for (const text of [
    JSON.stringify({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'web' } }),
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', spec: {}, metadata: { name: 'web' } }),
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: {} }),
    ` ${stored}`,
  ]) {
    const o = CachedObject.fromKeyValue(kv(text, 5));
    const got = JSON.parse(o.json());
    assert.equal(got.metadata.resourceVersion, '5', text);
    const want = JSON.parse(text);
    want.metadata.resourceVersion = '5';
    assert.deepEqual(got, want, text);
  }
});

test('a create is answered with the text it stored, the revision put in; other layouts are serialized as before', () => {
  const obj = { ...JSON.parse(stored), metadata: { ...JSON.parse(stored).metadata, resourceVersion: '12' } };
  rememberStoredText(obj, stored, 12);
  const text = storedText(obj);
  assert.ok(text !== undefined);
  assert.deepEqual(JSON.parse(text), obj);
  const odd = { kind: 'Service', apiVersion: 'v1', metadata: { name: 'x', resourceVersion: '3' } };
  rememberStoredText(odd, JSON.stringify({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'x' } }), 3);
  assert.equal(storedText(odd), undefined);
  assert.equal(storedText({ metadata: {} }), undefined);
});
