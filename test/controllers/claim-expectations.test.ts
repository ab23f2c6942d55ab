import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptPatch, classifyClaims, releasePatch } from '../../src/controllers/common/claim.js';
import { ControllerExpectations } from '../../src/controllers/common/expectations.js';
import { pod } from './fixtures.js';
import type { KubeObject } from '../../src/api/meta.js';

const owner: KubeObject = { metadata: { name: 'rs', namespace: 'default', uid: 'rs-uid' } };
const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true, blockOwnerDeletion: true };

test('claims: adopt matching orphans, release owned non-matching, ignore others', () => {
  const mine = pod('mine');
  mine.metadata.ownerReferences = [ref];
  const strayed = pod('strayed', { labels: { app: 'other' } });
  strayed.metadata.ownerReferences = [ref];
  const orphan = pod('orphan');
  const othersPod = pod('others');
  othersPod.metadata.ownerReferences = [{ ...ref, uid: 'x' }];
  const terminating = pod('terminating');
  terminating.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  const d = classifyClaims(owner, [mine, strayed, orphan, othersPod, terminating], (p) => p.metadata.labels?.app === 'web');
  assert.deepEqual(d.owned, [mine]);
  assert.deepEqual(d.adopt, [orphan]);
  assert.deepEqual(d.release, [strayed]);
  // An owner being deleted neither adopts nor releases.
  const dying = { metadata: { ...owner.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } };
  const d2 = classifyClaims(dying, [strayed, orphan], (p) => p.metadata.labels?.app === 'web');
  assert.deepEqual([d2.adopt.length, d2.release.length], [0, 0]);
});

test('adopt and release patches are pinned to uid and resourceVersion', () => {
  const p = pod('p');
  p.metadata.resourceVersion = '7';
  assert.deepEqual(adoptPatch(p, ref), { metadata: { ownerReferences: [ref], uid: 'uid-p', resourceVersion: '7' } });
  p.metadata.ownerReferences = [ref];
  assert.deepEqual(releasePatch(p, 'rs-uid'), { metadata: { ownerReferences: null, uid: 'uid-p', resourceVersion: '7' } });
});

test('expectations: satisfied once creates and deletes are observed, or expired', () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
  assert.equal(e.satisfiedExpectations('k'), true);
  e.expectCreations('k', 2);
  assert.equal(e.satisfiedExpectations('k'), false);
  e.creationObserved('k');
  e.creationObserved('k');
  assert.equal(e.satisfiedExpectations('k'), true);
  e.expectDeletions('k', ['default/a']);
  e.deletionObserved('k', 'default/b');
  assert.equal(e.satisfiedExpectations('k'), false);
  e.deletionObserved('k', 'default/a');
  e.deletionObserved('k', 'default/a');
  assert.deepEqual(e.get('k'), { add: 0, del: 0 });
  e.expectCreations('k', 1);
  now = 6 * 60 * 1000;
  assert.equal(e.satisfiedExpectations('k'), true);
});
