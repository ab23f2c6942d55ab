// RFC 6902 JSON patch: the RFC's appendix A examples, and the apiserver's error statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../../src/machinery/patch/index.js';
import { StatusError } from '../../../src/machinery/status.js';

function failure(doc: unknown, ops: unknown): StatusError {
  try {
    applyJsonPatch(doc, ops);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail('expected the patch to fail');
}

/** What json-patch itself said; the apiserver sends only the generic 422 message. */
function cause(e: StatusError): string {
  return (e.cause as Error).message;
}

const appendixA: [string, unknown, unknown[], unknown][] = [
  ['A.1 adding an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { baz: 'qux', foo: 'bar' }],
  ['A.2 adding an array element', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  ['A.4 removing an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
  ['A.5 replacing a value', { baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }], { baz: 'boo', foo: 'bar' }],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  [
    'A.7 moving an array element',
    { foo: ['all', 'grass', 'cows', 'eat'] },
    [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] },
  ],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  [
    'A.10 adding a nested member object',
    { foo: 'bar' },
    [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    { foo: 'bar', child: { grandchild: {} } },
  ],
  ['A.11 ignoring unrecognized elements', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], { foo: 'bar', baz: 'qux' }],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  ['A.16 adding an array value', { foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], { foo: ['bar', ['abc', 'def']] }],
  ['copy', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
  ['~1 escapes a slash in a key', { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }], { metadata: { labels: {} } }],
  ['test of an object ignores key order', { a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], { a: { x: 1, y: 2 } }],
  ['test of the whole document', { a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], { a: 1 }],
];

test('RFC 6902 appendix A examples', () => {
  for (const [name, doc, ops, want] of appendixA) assert.deepEqual(applyJsonPatch(doc, ops), want, name);
});

test('appendix A failures are 422 Invalid with the apiserver message', () => {
  const cases: [string, unknown, unknown[], string][] = [
    ['A.9 testing a value: error', { baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }], 'testing value /baz failed: test failed'],
    [
      'A.12 adding to a nonexistent target',
      { foo: 'bar' },
      [{ op: 'add', path: '/baz/bat', value: 'qux' }],
      'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    ],
    ['A.15 comparing strings and numbers', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }], 'testing value /~01 failed: test failed'],
  ];
  for (const [name, doc, ops, inner] of cases) {
    const e = failure(doc, ops);
    assert.equal(e.code, 422, name);
    assert.equal(e.reason, 'Invalid', name);
    assert.equal(e.message, 'the server rejected our request due to an error in our request', name);
    assert.equal(cause(e), inner, name);
  }
});

test("json-patch's own messages for operations that do not apply", () => {
  const cases: [unknown, unknown[], string][] = [
    [{ a: 1 }, [{ op: 'remove', path: '/b' }], "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value"],
    [{ a: [1] }, [{ op: 'remove', path: '/a/3' }], "error in remove for path: '/a/3': Unable to access invalid index: 3: invalid index referenced"],
    [{ a: [1] }, [{ op: 'add', path: '/a/5', value: 0 }], "error in add for path: '/a/5': Unable to access invalid index: 5: invalid index referenced"],
    [
      { a: [1] },
      [{ op: 'add', path: '/a/x', value: 0 }],
      `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`,
    ],
    [{ a: [1] }, [{ op: 'replace', path: '/a/1', value: 0 }], 'replace operation does not apply: doc is missing key: /a/1: missing value'],
    [{ a: 1 }, [{ op: 'move', from: '/x/y', path: '/b' }], 'move operation does not apply: doc is missing from path: /x/y: missing value'],
    [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/x/y' }], 'copy operation does not apply: doc is missing destination path: /x/y: missing value'],
    [{ a: 1 }, [{ op: 'test', path: '/x/y', value: 1 }], 'test operation does not apply: is missing path: /x/y: missing value'],
    [{ a: 1 }, [{ op: 'frobnicate', path: '/a' }], 'Unexpected kind: frobnicate'],
    [{ a: 1 }, [{ path: '/a' }], 'Unexpected kind: unknown'],
    [{ a: 1 }, [{ op: 'add', value: 1 }], 'add operation failed to decode path: missing value'],
  ];
  for (const [doc, ops, inner] of cases) assert.equal(cause(failure(doc, ops)), inner, JSON.stringify(ops));
});

test('json-patch v4 behaviour the apiserver exposes', () => {
  // Negative indices count from the end.
  assert.deepEqual(applyJsonPatch({ a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }]), { a: [1, 2] });
  assert.deepEqual(applyJsonPatch({ a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 9 }]), { a: [1, 2, 9] });
  // Replacing a missing object member adds it; copying a missing one copies null.
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]), { a: 1, b: 2 });
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/x', path: '/b' }]), { a: 1, b: null });
  // A missing member tests equal to null.
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/b', value: null }]), { a: 1 });
  // The whole document can be replaced by an object.
  assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
  // Operations apply in order, each seeing the previous one's result.
  assert.deepEqual(
    applyJsonPatch({ spec: { ports: [{ port: 80 }] } }, [
      { op: 'add', path: '/spec/ports/-', value: { port: 443 } },
      { op: 'replace', path: '/spec/ports/0/port', value: 8080 },
      { op: 'test', path: '/spec/ports/1/port', value: 443 },
    ]),
    { spec: { ports: [{ port: 8080 }, { port: 443 }] } },
  );
});

test('a malformed patch document is 400 BadRequest; too many operations is 413', () => {
  let e = failure({}, { op: 'add' });
  assert.equal(e.code, 400);
  assert.equal(e.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  e = failure({}, ['add']);
  assert.equal(e.code, 400);
  assert.equal(e.message, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  e = failure({}, Array.from({ length: 10001 }, () => ({ op: 'test', path: '', value: {} })));
  assert.equal(e.code, 413);
  assert.equal(e.reason, 'RequestEntityTooLarge');
  assert.equal(e.message, 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
  assert.deepEqual(applyJsonPatch({ a: 1 }, null), { a: 1 });
});

test('inputs are never mutated', () => {
  const doc = { a: { b: [1, 2] } };
  const ops = [{ op: 'add', path: '/a/b/-', value: { c: 1 } }, { op: 'add', path: '/a/b/2/d', value: 2 }];
  const out = applyJsonPatch(doc, ops);
  assert.deepEqual(out, { a: { b: [1, 2, { c: 1, d: 2 }] } });
  assert.deepEqual(doc, { a: { b: [1, 2] } });
  assert.deepEqual(ops[0], { op: 'add', path: '/a/b/-', value: { c: 1 } });
});

test('paths and froms must be RFC 6901 pointers (issue 10: `spec/ports` stored a top-level ports)', () => {
  const doc = { spec: { ports: [{ port: 80 }] } };
  const cases: [unknown[], string][] = [
    [[{ op: 'replace', path: 'spec/ports', value: 1 }], 'invalid JSON pointer in path: "spec/ports": must be empty or begin with "/" (RFC 6901)'],
    [[{ op: 'add', path: 'ports', value: 1 }], 'invalid JSON pointer in path: "ports": must be empty or begin with "/" (RFC 6901)'],
    [[{ op: 'move', from: 'spec', path: '/x' }], 'invalid JSON pointer in from: "spec": must be empty or begin with "/" (RFC 6901)'],
    [[{ op: 'remove', path: '/spec/~2' }], 'invalid JSON pointer in path: "/spec/~2": "~" must be followed by "0" or "1" (RFC 6901)'],
    [[{ op: 'test', path: '/spec~', value: 1 }], 'invalid JSON pointer in path: "/spec~": "~" must be followed by "0" or "1" (RFC 6901)'],
  ];
  for (const [ops, inner] of cases) {
    const e = failure(doc, ops);
    assert.equal(e.code, 422);
    assert.equal(e.message, 'the server rejected our request due to an error in our request');
    assert.equal(cause(e), inner);
    // the cause reaches the client too, naming the operation
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldValueInvalid', field: '[0]', message: inner }]);
  }
});

test('escapes, the "-" index and test, as RFC 6901/6902 say', () => {
  assert.deepEqual(applyJsonPatch({ 'a/b': { 'c~d': 1 } }, [{ op: 'replace', path: '/a~1b/c~0d', value: 2 }]), { 'a/b': { 'c~d': 2 } });
  // "~01" is "~1" literally, not "/": decoding is one pass, ~1 first then ~0
  assert.deepEqual(applyJsonPatch({ '~1': 0 }, [{ op: 'replace', path: '/~01', value: 5 }]), { '~1': 5 });
  assert.deepEqual(applyJsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }]), { a: [1, 2] });
  assert.match(cause(failure({ a: [1] }, [{ op: 'replace', path: '/a/-', value: 2 }])), /replace operation does not apply: doc is missing key: \/a\/-/);
  assert.match(cause(failure({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }, { op: 'remove', path: '/a' }])), /testing value \/a failed/);
  // the second operation failed: its index is the cause's field
  const e = failure({ a: 1 }, [{ op: 'remove', path: '/a' }, { op: 'remove', path: '/a' }]);
  assert.equal(e.details?.causes?.[0]?.field, '[1]');
});
