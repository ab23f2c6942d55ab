import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  equalIgnoreHash,
  findActiveOrLatest,
  getProportion,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  proportionalSizes,
  resolveFenceposts,
  setNewReplicaSetAnnotations,
} from '../../src/controllers/deployment/util.js';
import { maxScaledDown, isScalingEvent } from '../../src/controllers/deployment/rollout.js';
import { computeHash, safeEncodeString, Fnv32a } from '../../src/controllers/deployment/hash.js';
import { calculateStatus, rolloutStatus, deploymentTimedOut } from '../../src/controllers/deployment/status.js';
import { deployment, replicaSet } from './fixtures.js';

test('resolveFenceposts: surge rounds up, unavailable down, never both zero', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts('1%', '1%', 2), [1, 0]);
  assert.deepEqual(resolveFenceposts(0, '1%', 2), [0, 1]);
  assert.deepEqual(resolveFenceposts(0, 0, 5), [0, 1]);
  assert.equal(maxSurge(deployment({ replicas: 3 })), 1);
  assert.equal(maxUnavailable(deployment({ replicas: 3 })), 0);
  assert.equal(maxUnavailable(deployment({ replicas: 0 })), 0);
  assert.equal(maxSurge(deployment({ recreate: true })), 0);
});

test('newRSNewReplicas: grows the new ReplicaSet within replicas + maxSurge', () => {
  const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
  const old = replicaSet('old', 3);
  const fresh = replicaSet('new', 0);
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
  assert.equal(newRSNewReplicas(d, [replicaSet('old', 2), replicaSet('new', 1)], replicaSet('new', 1)), 2);
  assert.equal(newRSNewReplicas(deployment({ recreate: true, replicas: 4 }), [old, fresh], fresh), 4);
});

test('maxScaledDown counts unavailable new replicas against the budget', () => {
  const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 0 });
  const old = replicaSet('old', 3);
  const fresh = replicaSet('new', 1, { available: 0 });
  assert.equal(maxScaledDown(d, [old, fresh], fresh), 0);
  const ready = replicaSet('new', 1, { available: 1 });
  assert.equal(maxScaledDown(d, [old, ready], ready), 1);
});

test('proportional scaling spreads new replicas by size, leftovers to the largest', () => {
  // 10 replicas mid-rollout (surge 3) scaled to 15 (surge 4): 19 allowed, 13 there.
  const d = deployment({ replicas: 15, maxSurge: '25%', maxUnavailable: '25%' });
  const a = replicaSet('a', 8, { maxReplicas: '13', created: '2026-01-01T00:00:00Z' });
  const b = replicaSet('b', 5, { maxReplicas: '13', created: '2026-01-02T00:00:00Z' });
  const { sizes, operation } = proportionalSizes(d, [a, b]);
  assert.equal(operation, 'up');
  assert.equal(sizes.get(a)! + sizes.get(b)!, 19);
  assert.equal(sizes.get(a), 12);
  assert.equal(sizes.get(b), 7);
  assert.equal(getProportion(a, d, 6, 0), 4);
});

test('findActiveOrLatest and scaling events', () => {
  const fresh = replicaSet('new', 3);
  assert.equal(findActiveOrLatest(fresh, [replicaSet('old', 0)]), fresh);
  assert.equal(findActiveOrLatest(fresh, [replicaSet('old', 1)]), undefined);
  fresh.metadata.annotations!['deployment.kubernetes.io/desired-replicas'] = '3';
  assert.equal(isScalingEvent(deployment({ replicas: 3 }), fresh, []), false);
  assert.equal(isScalingEvent(deployment({ replicas: 5 }), fresh, []), true);
});

test('equalIgnoreHash ignores pod-template-hash and empty vs absent fields', () => {
  const d = deployment();
  const rs = replicaSet('x', 1);
  assert.equal(equalIgnoreHash(d.spec.template, rs.spec.template), true);
  rs.spec.template!.spec.containers[0]!.image = 'nginx';
  assert.equal(equalIgnoreHash(d.spec.template, rs.spec.template), false);
});

test('revision annotations: rollback keeps history', () => {
  const d = deployment();
  const rs = replicaSet('x', 1, { revision: '1' });
  assert.equal(setNewReplicaSetAnnotations(d, rs, 3, true), true);
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  const created = replicaSet('y', 0);
  delete created.metadata.annotations;
  setNewReplicaSetAnnotations(deployment({ replicas: 4 }), created, 1, false);
  assert.deepEqual(created.metadata.annotations, {
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '4',
    'deployment.kubernetes.io/max-replicas': '5',
  });
});

test('pod-template-hash: FNV-1a, SafeEncodeString, collisionCount changes it', () => {
  const h = new Fnv32a();
  h.write(Buffer.from('a'));
  assert.equal(h.sum32(), 0xe40c292c);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  const t = deployment().spec.template;
  const a = computeHash(t);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(computeHash(structuredClone(t)), a);
  assert.notEqual(computeHash(t, 1), a);
});

test('status and conditions as kubectl rollout status reads them', () => {
  const d = deployment({ replicas: 3 });
  const fresh = replicaSet('web-abc', 3, { available: 3 });
  const now = Date.parse('2026-06-01T00:00:00Z');
  const s = calculateStatus([fresh], fresh, d, now);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.unavailableReplicas, 0);
  assert.equal(s.conditions![0]!.reason, 'MinimumReplicasAvailable');
  const r = rolloutStatus([fresh], fresh, d, now);
  const p = r.conditions!.find((c) => c.type === 'Progressing')!;
  assert.equal(p.reason, 'NewReplicaSetAvailable');
  assert.equal(p.message, 'ReplicaSet "web-abc" has successfully progressed.');
  // Stuck past the deadline: ProgressDeadlineExceeded.
  const stuck = deployment({ replicas: 3 });
  stuck.status = { replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-05-31T00:00:00Z' }] };
  const half = replicaSet('web-abc', 1, { available: 0 });
  half.status = { replicas: 1, availableReplicas: 0 };
  const old = replicaSet('web-old', 2, { available: 2 });
  assert.equal(deploymentTimedOut(stuck, stuck.status, now), true);
  const t = rolloutStatus([old, half], half, stuck, now);
  const tp = t.conditions!.find((c) => c.type === 'Progressing')!;
  assert.equal(tp.reason, 'ProgressDeadlineExceeded');
  assert.equal(tp.message, 'ReplicaSet "web-abc" has timed out progressing.');
});
