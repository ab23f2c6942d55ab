import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPodsToDelete, lessForDeletion, rankPods } from '../../src/controllers/replicaset/pod-ranking.js';
import { pod } from './fixtures.js';

const now = Date.parse('2026-06-01T00:00:00Z');
const names = (ps: { metadata: { name?: string } }[]) => ps.map((p) => p.metadata.name);

test('unscheduled, then pending, then not-ready pods go first', () => {
  const pods = [
    pod('running-ready', { node: 'n1', ready: true }),
    pod('unscheduled', { phase: 'Pending' }),
    pod('pending', { node: 'n1', phase: 'Pending' }),
    pod('not-ready', { node: 'n1', ready: false }),
  ];
  assert.deepEqual(names(getPodsToDelete(pods, pods, 3, now)), ['unscheduled', 'pending', 'not-ready']);
});

test('pod-deletion-cost: the cheaper pod goes first', () => {
  const pods = [pod('expensive', { node: 'n1', ready: true, cost: '100' }), pod('cheap', { node: 'n1', ready: true, cost: '-5' })];
  assert.deepEqual(names(getPodsToDelete(pods, pods, 1, now)), ['cheap']);
});

test('doubled-up pods go before pods alone on their node', () => {
  const pods = [pod('alone', { node: 'n1', ready: true }), pod('double-a', { node: 'n2', ready: true }), pod('double-b', { node: 'n2', ready: true, uid: 'zzz' })];
  const ranked = rankPods(pods, pods);
  assert.deepEqual(ranked.map((r) => r.rank), [1, 2, 2]);
  assert.equal(getPodsToDelete(pods, pods, 1, now)[0]!.metadata.name, 'double-a');
});

test('recently ready before long ready, in logarithmic buckets (ties by uid)', () => {
  const recent = pod('recent', { node: 'n1', ready: true, readySince: '2026-05-31T23:59:00Z', uid: 'b' });
  const old = pod('old', { node: 'n2', ready: true, readySince: '2026-01-01T00:00:00Z', uid: 'a' });
  assert.equal(lessForDeletion({ pod: recent, rank: 0 }, { pod: old, rank: 0 }, now), true);
  // 60 s and 61 s ago share a log2 bucket: decided by uid.
  const a = pod('a', { node: 'n1', ready: true, readySince: '2026-05-31T23:59:00Z', uid: 'b' });
  const b = pod('b', { node: 'n2', ready: true, readySince: '2026-05-31T23:58:59Z', uid: 'a' });
  assert.equal(lessForDeletion({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now), false);
  assert.equal(lessForDeletion({ pod: b, rank: 0 }, { pod: a, rank: 0 }, now), true);
});

test('more restarts go first, then newer pods', () => {
  const pods = [
    pod('old', { node: 'n1', created: '2026-01-01T00:00:00Z', restarts: 0 }),
    pod('new', { node: 'n2', created: '2026-05-31T00:00:00Z', restarts: 0 }),
    pod('crashy', { node: 'n3', created: '2026-01-01T00:00:00Z', restarts: 7 }),
  ];
  assert.deepEqual(names(getPodsToDelete(pods, pods, 2, now)), ['crashy', 'new']);
});
