// Creates take their managedFields from a table by kind and shape (create-shapes.ts): what they
// get must be exactly what working it out gets (a create whose managedFields are [] takes that
// path), for objects of one shape with different values, for shapes that differ only in a list,
// a map key, a scalar's type or a null, and for objects that do not fit their schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordUpdate } from '../../../../src/machinery/fieldmanager/index.js';
import { shapeOf } from '../../../../src/machinery/fieldmanager/create-shapes.js';
import type { KubeObject } from '../../../../src/api/meta.js';

const now = new Date('2024-05-01T10:00:00Z');
const kinds = {
  Service: { group: '', version: 'v1', kind: 'Service', hasStatus: true },
  Pod: { group: '', version: 'v1', kind: 'Pod', hasStatus: true },
  Deployment: { group: 'apps', version: 'v1', kind: 'Deployment', hasStatus: true },
  Event: { group: '', version: 'v1', kind: 'Event', hasStatus: false },
  Widget: { group: 'example.com', version: 'v1', kind: 'Widget', hasStatus: false },
};

/** The managedFields a create gets through the table, and worked out (managedFields: [] takes the long way). */
function both(kind: keyof typeof kinds, obj: KubeObject, manager = 'kubectl-create'): [unknown, unknown] {
  const fast = structuredClone(obj);
  recordUpdate(kinds[kind], undefined, fast, { manager, now });
  const slow = structuredClone(obj);
  slow.metadata.managedFields = [];
  recordUpdate(kinds[kind], undefined, slow, { manager, now });
  return [fast.metadata.managedFields, slow.metadata.managedFields];
}

const svc = (name: string, ports: unknown[], extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', labels: { app: name } },
  spec: { selector: { app: name }, ports, ...extra },
});

test('objects of one shape with other values get the same managedFields as working them out', () => {
  for (let i = 0; i < 3; i++) {
    const [fast, slow] = both('Service', svc(`s${i}`, [{ name: 'http', port: 80, targetPort: 8080 + i }]));
    assert.deepEqual(fast, slow);
    assert.ok(Array.isArray(fast) && fast.length === 1);
  }
});

test('shapes that differ in a list item, a map key, a scalar type or a null each get their own', () => {
  const cases: [keyof typeof kinds, KubeObject][] = [
    ['Service', svc('a', [{ name: 'http', port: 80 }])],
    ['Service', svc('a', [{ name: 'http', port: 81 }])],
    ['Service', svc('a', [{ name: 'http', port: 80 }, { name: 'https', port: 443 }])],
    ['Service', svc('a', [{ port: 80 }], { type: 'NodePort' })],
    ['Service', svc('a', [{ port: 80 }], { type: null })],
    ['Service', { ...svc('a', [{ port: 80 }]), metadata: { name: 'a', labels: { other: 'x' } } }],
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i', env: [{ name: 'A', value: '1' }] }] } }],
    // A shape too long to keep (200 variables): worked out every time, with the same answer.
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'i', env: Array.from({ length: 200 }, (_, i) => ({ name: `V${i}`, value: 'x'.repeat(20) })) }] } }],
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 2, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }],
    ['Event', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', count: 1 }],
    // No schema: the shape is deduced from the object.
    ['Widget', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 3, tags: ['a', 'b'], nested: { x: 1 } } }],
  ];
  const got: string[] = [];
  for (const [kind, obj] of cases) {
    const [fast, slow] = both(kind, obj);
    assert.deepEqual(fast, slow, `${kind} ${JSON.stringify(obj)}`);
    got.push(JSON.stringify((fast as { fieldsV1: unknown }[])[0]!.fieldsV1));
  }
  // Another port, a second port, another type, other label keys: each owns other fields.
  for (const i of [1, 2, 3, 5]) assert.notEqual(got[i], got[0], `case ${i}`);
  assert.notEqual(got[7], got[6], 'two Pods with other variables');
});

test('objects that do not fit their schema get what working it out gives, the first time and the next', () => {
  const odd: KubeObject[] = [
    { ...svc('d', []), spec: 'not a struct' } as unknown as KubeObject,
    { ...svc('d', []), spec: { ports: { port: 80 } } } as unknown as KubeObject,
    svc('d', [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'b', port: 80, protocol: 'TCP' }]),
    svc('d', [null, 'x', 3]),
  ];
  for (const obj of odd) {
    for (let i = 0; i < 2; i++) {
      const [fast, slow] = both('Service', obj);
      assert.deepEqual(fast, slow, JSON.stringify(obj.spec));
    }
  }
});

test('the manager and time are each create\'s own; the FieldsV1 is one frozen value shared by its shape', () => {
  const a = svc('x', [{ port: 80 }]);
  const b = svc('y', [{ port: 80 }]);
  recordUpdate(kinds.Service, undefined, a, { manager: 'one', now });
  recordUpdate(kinds.Service, undefined, b, { manager: '', now: new Date('2025-01-01T00:00:00Z') });
  const ea = a.metadata.managedFields![0]!;
  const eb = b.metadata.managedFields![0]!;
  assert.equal(ea.manager, 'one');
  assert.equal('manager' in eb, false, 'an empty manager is left out, as upstream encodes it');
  assert.equal(eb.time, '2025-01-01T00:00:00Z');
  assert.equal(ea.fieldsV1, eb.fieldsV1);
  assert.ok(Object.isFrozen(ea.fieldsV1) && Object.isFrozen((ea.fieldsV1 as Record<string, object>)['f:spec']));
  assert.throws(() => {
    (ea.fieldsV1 as Record<string, unknown>)['f:spec'] = {};
  }, TypeError);
  assert.notEqual(ea, eb);
});

test('shapeOf keeps keys, scalar types, nulls and whole lists, and drops other values', () => {
  assert.equal(shapeOf({ a: 'x', b: 1, c: true, d: null, e: [1, 'two'], f: { g: 'h' } }), '{1:as,1:bn,1:cb,1:dN,1:e[[1,"two"]],1:f{1:gs,},}');
  // Keys go in unquoted behind their length, which keeps odd keys apart from the shapes they spell.
  assert.notEqual(shapeOf({ 'as,1:b': 'x' }), shapeOf({ a: 'x', b: 'x' }));
  assert.notEqual(shapeOf({ '': { a: 'x' } }), shapeOf({ a: 'x' }));
  assert.equal(shapeOf({ a: 'x' }), shapeOf({ a: 'y' }));
  assert.notEqual(shapeOf({ a: 'x' }), shapeOf({ a: 1 }));
  assert.notEqual(shapeOf({ a: ['x'] }), shapeOf({ a: ['y'] }));
});
