import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  desiredHealthTaints,
  markReadyAgain,
  markUnknown,
  observeLease,
  reconcileTaints,
  tolerationMs,
} from '../../src/controllers/nodelifecycle/health.js';
import { node } from './fixtures.js';

test('a heartbeat that stops moving goes stale after the grace period, on our clock', () => {
  let r = observeLease(undefined, 1000, 0, 40_000);
  assert.equal(r.stale, false);
  r = observeLease(r.rec, 1000, 39_000, 40_000);
  assert.equal(r.stale, false);
  r = observeLease(r.rec, 1000, 41_000, 40_000);
  assert.equal(r.stale, true);
  r = observeLease(r.rec, 2000, 42_000, 40_000);
  assert.deepEqual([r.stale, r.renewed], [false, true]);
  // An older heartbeat (e.g. one we wrote) does not count.
  r = observeLease(r.rec, 1500, 90_000, 40_000);
  assert.deepEqual([r.stale, r.renewed], [true, false]);
});

test('Unknown with upstream reason and message, then Ready again', () => {
  const n = node('n1');
  const conds = markUnknown(n, Date.parse('2026-01-01T00:00:00Z'))!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(conds.filter((c) => c.status === 'Unknown').length, 4);
  n.status!.conditions = conds;
  assert.equal(markUnknown(n, 0), undefined);
  const back = markReadyAgain(n, 0)!;
  assert.equal(back.find((c) => c.type === 'Ready')!.status, 'True');
});

test('unreachable nodes get NoSchedule and NoExecute taints; healthy ones lose them', () => {
  const n = node('n1');
  n.status!.conditions = [{ type: 'Ready', status: 'Unknown' }];
  const want = desiredHealthTaints(n, 0);
  assert.deepEqual(want.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  n.spec!.taints = reconcileTaints(n, want);
  assert.equal(reconcileTaints(n, desiredHealthTaints(n, 0)), undefined);
  n.status!.conditions = [{ type: 'Ready', status: 'True' }];
  assert.deepEqual(reconcileTaints(n, desiredHealthTaints(n, 0)), []);
});

test('toleration seconds decide how long a pod stays; a pod without a matching toleration goes at once', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' as const };
  assert.equal(tolerationMs(undefined, taint), 0);
  assert.equal(tolerationMs([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], taint), 0);
  assert.equal(tolerationMs([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 5 }], taint), 5000);
  assert.equal(tolerationMs([{ operator: 'Exists' }], taint), undefined);
});
