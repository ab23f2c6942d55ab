// RFC 7386 JSON merge patch: the RFC's examples, as the apiserver applies them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../src/machinery/patch/index.js';

test('RFC 7386 section 3 example', () => {
  const target = {
    title: 'Goodbye!',
    author: { givenName: 'John', familyName: 'Doe' },
    tags: ['example', 'sample'],
    content: 'This will be unchanged',
  };
  const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
  assert.deepEqual(applyMergePatch(target, patch), {
    title: 'Hello!',
    author: { givenName: 'John' },
    tags: ['example'],
    content: 'This will be unchanged',
    phoneNumber: '+01-123-456-7890',
  });
});

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) assert.deepEqual(applyMergePatch(doc, patch), want, JSON.stringify(patch));
});

test('a null or scalar patch is rejected as the apiserver does (RFC 7386 would return it)', () => {
  for (const patch of [null, 'bar', 1, true]) {
    assert.throws(() => applyMergePatch({ a: 'foo' }, patch), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' });
  }
});

test('a Service patch as kubectl patch --type=merge sends it', () => {
  const svc = {
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'web' } },
  };
  const patch = { metadata: { labels: { tier: null, env: 'prod' } }, spec: { type: 'NodePort', ports: [{ port: 81 }] } };
  assert.deepEqual(applyMergePatch(svc, patch), {
    metadata: { name: 'web', labels: { app: 'web', env: 'prod' } },
    spec: { type: 'NodePort', ports: [{ port: 81 }], selector: { app: 'web' } },
  });
  assert.deepEqual(svc.metadata.labels, { app: 'web', tier: 'front' }, 'input untouched');
});

test('nulls inside a value that replaces a non-object are dropped', () => {
  assert.deepEqual(applyMergePatch({ a: 1 }, { a: { b: null, c: 2 } }), { a: { c: 2 } });
  assert.deepEqual(applyMergePatch({ a: 1 }, { a: [{ b: null }] }), { a: [{}] });
});
