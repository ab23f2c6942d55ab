import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceChangeTracker, applyServiceChanges } from '../../src/proxy/servicechangetracker.js';
import type { ServicePortMap } from '../../src/proxy/types.js';
import { svc } from './fixtures.js';

const a1 = svc('ns', 'a', { clusterIP: '127.96.0.1', ports: [{ name: 'p', port: 80 }] });
const a2 = svc('ns', 'a', { clusterIP: '127.96.0.1', ports: [{ name: 'p', port: 81 }, { name: 'q', port: 82 }] });
const b1 = svc('ns', 'b', { clusterIP: '127.96.0.2', ports: [{ port: 80 }] });

test('service tracker: add, update, delete are applied in one sync', () => {
  const sct = new ServiceChangeTracker();
  const sm: ServicePortMap = new Map();
  assert.equal(sct.update(undefined, a1), true);
  assert.equal(sct.update(undefined, b1), true);
  assert.deepEqual([...applyServiceChanges(sm, sct).updatedServices].sort(), ['ns/a', 'ns/b']);
  assert.deepEqual([...sm.keys()].sort(), ['ns/a:p/TCP', 'ns/b/TCP']);

  sct.update(a1, a2);
  sct.update(b1, undefined);
  assert.equal(sct.pending, 2);
  const r = applyServiceChanges(sm, sct);
  assert.deepEqual([...r.updatedServices].sort(), ['ns/a', 'ns/b']);
  assert.deepEqual([...sm.keys()].sort(), ['ns/a:p/TCP', 'ns/a:q/TCP']);
  assert.equal(sm.get('ns/a:p/TCP')!.port, 81);
  assert.equal(sct.pending, 0);
});

test('service tracker: changes that cancel out are dropped', () => {
  const sct = new ServiceChangeTracker();
  const sm: ServicePortMap = new Map();
  sct.update(undefined, a1);
  applyServiceChanges(sm, sct);
  const steps: [string, () => boolean, number][] = [
    ['update then revert', () => (sct.update(a1, a2), sct.update(a2, a1)), 0],
    ['create then delete', () => (sct.update(undefined, b1), sct.update(b1, undefined)), 0],
    ['a label change does not touch ServicePorts', () => sct.update(a1, { ...a1, metadata: { ...a1.metadata, labels: { x: 'y' } } }), 0],
    ['a headless Service has nothing to track', () => sct.update(undefined, svc('ns', 'h', { clusterIP: 'None', ports: [{ port: 1 }] })), 0],
  ];
  for (const [name, step, pending] of steps) {
    assert.equal(step(), pending > 0, name);
    assert.equal(sct.pending, pending, name);
  }
  assert.equal(applyServiceChanges(sm, sct).updatedServices.size, 0);
  assert.equal(sct.totalChanges, 7);
});
