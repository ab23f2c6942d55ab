import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../src/api/meta.js';
import { blockingDependents, decide, type OwnerState } from '../../src/controllers/garbagecollector/decide.js';

const ref = (uid: string, block = false): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, blockOwnerDeletion: block });
const obj = (refs: OwnerReference[], finalizers?: string[]): KubeObject => ({ metadata: { name: 'p', uid: 'p', ownerReferences: refs, finalizers } });
const states = (o: KubeObject, s: OwnerState[]) => new Map(o.metadata.ownerReferences!.map((r, i) => [r, s[i]!]));

test('an object whose only owner is gone is deleted in the background', () => {
  const o = obj([ref('a')]);
  assert.deepEqual(decide(o, states(o, ['dangling']), false), { action: 'delete', propagationPolicy: 'Background' });
});

test('an object with one live owner keeps it and drops the dangling reference', () => {
  const o = obj([ref('a'), ref('b')]);
  assert.deepEqual(decide(o, states(o, ['solid', 'dangling']), false), { action: 'removeOwnerRefs', uids: ['b'] });
  assert.deepEqual(decide(o, states(o, ['solid', 'solid']), false), { action: 'none' });
});

test('foreground owner: dependents with dependents of their own go in the foreground too', () => {
  const o = obj([ref('a', true)]);
  assert.deepEqual(decide(o, states(o, ['waitingForDependentsDeletion']), true), { action: 'delete', propagationPolicy: 'Foreground' });
  assert.deepEqual(decide(o, states(o, ['waitingForDependentsDeletion']), false), { action: 'delete', propagationPolicy: 'Background' });
});

test("the object's own finalizers pick the policy", () => {
  const o = obj([ref('a')], ['orphan']);
  assert.deepEqual(decide(o, states(o, ['dangling']), true), { action: 'delete', propagationPolicy: 'Orphan' });
});

test('objects being deleted or without owners are left alone', () => {
  const o = obj([ref('a')]);
  o.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  assert.deepEqual(decide(o, states(o, ['dangling']), false), { action: 'none' });
  assert.deepEqual(decide(obj([]), new Map(), false), { action: 'none' });
});

test('only blockOwnerDeletion references block a foreground deletion', () => {
  const owner: KubeObject = { metadata: { name: 'a', uid: 'a' } };
  const blocking = obj([ref('a', true)]);
  const loose = obj([ref('a', false)]);
  assert.deepEqual(blockingDependents(owner, [blocking, loose]), [blocking]);
});
