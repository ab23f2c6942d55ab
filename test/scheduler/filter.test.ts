import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitError, responsibleFor, schedule } from '../../src/scheduler/filter.js';
import { buildSnapshot } from '../../src/scheduler/framework/snapshot.js';
import { unresolvable, unschedulable } from '../../src/scheduler/framework/types.js';
import { node, pod } from '../controllers/fixtures.js';
import { mkNode, mkPod, snap } from './plugins/fixtures.js';

test('equal scores: the node with fewer pods, then the first by name', () => {
  const p = pod('p', { phase: 'Pending' });
  const nodes = [node('b'), node('a'), node('c')];
  assert.deepEqual(schedule(p, buildSnapshot(nodes, [])), { node: 'a' });
  const bound = [pod('x', { node: 'a' }), pod('y', { node: 'a' }), pod('z', { node: 'b' }), pod('done', { node: 'c', phase: 'Succeeded' })];
  assert.deepEqual(schedule(p, buildSnapshot(nodes, bound)), { node: 'c' });
});

test('filters unschedulable, not-ready, tainted and non-matching nodes with upstream messages', () => {
  const p = pod('p', { phase: 'Pending' });
  p.spec.nodeSelector = { disk: 'ssd' };
  const nodes = [
    node('a', { unschedulable: true, labels: { disk: 'ssd' } }),
    node('b', { labels: { disk: 'hdd' } }),
    node('c', { ready: false, labels: { disk: 'ssd' } }),
    node('d', { labels: { disk: 'ssd' }, taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
  ];
  const r = schedule(p, buildSnapshot(nodes, []));
  assert.ok('error' in r);
  assert.equal(
    r.error,
    "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling..",
  );
  assert.deepEqual(schedule(p, buildSnapshot([], [])), { error: 'no nodes available to schedule pods' });
});

test('FitError: reasons and preemption verdicts as sorted histograms, Unschedulable nodes have "no victims"', () => {
  // The brief's example: resources on one node, anti-affinity on two.
  assert.equal(
    fitError(3, [unschedulable('Insufficient cpu'), unschedulable("node(s) didn't match pod anti-affinity rules"), unschedulable("node(s) didn't match pod anti-affinity rules")]),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod..",
  );
  // Every reason of a node counts; unresolvable nodes are where preemption is not helpful.
  assert.equal(
    fitError(3, [unschedulable('Insufficient cpu', 'Insufficient memory'), unschedulable('Insufficient cpu'), unresolvable('node(s) had untolerated taint {a: b}')]),
    '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {a: b}, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
  );
});

test('PreFilter: terms naming nodes narrow the filtering; the others "didn\'t satisfy plugin(s) [NodeAffinity]"', () => {
  const nodes = [mkNode('a'), mkNode('b', { allocatable: { cpu: '4', memory: '8Gi', pods: '1' } }), mkNode('c')];
  const pinned = (matchFields: unknown[]) => mkPod('ds', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields }] } } } });
  const full = snap(nodes, [mkPod('x', { node: 'b' })]);
  assert.deepEqual(schedule(pinned([{ key: 'metadata.name', operator: 'In', values: ['c'] }]), full), { node: 'c' });
  const r = schedule(pinned([{ key: 'metadata.name', operator: 'In', values: ['b'] }]), full);
  assert.ok('error' in r);
  assert.equal(
    r.error,
    "0/3 nodes are available: 1 Too many pods, 2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling..",
  );
  // ANDed names with nothing in common: every node is rejected at once.
  const conflict = schedule(pinned([{ key: 'metadata.name', operator: 'In', values: ['a'] }, { key: 'metadata.name', operator: 'In', values: ['b'] }]), full);
  assert.deepEqual(conflict, { error: '0/3 nodes are available: pod affinity terms conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..' });
});

test('scores are weighted and summed: resources decide when nothing else does', () => {
  const nodes = [mkNode('small', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }), mkNode('big', { allocatable: { cpu: '16', memory: '64Gi', pods: '110' } })];
  const r = schedule(mkPod('p', { requests: { cpu: '1', memory: '1Gi' } }), snap(nodes));
  assert.deepEqual(r, { node: 'big' });
  // A preferred node affinity (weight 2 × 100) outweighs LeastAllocated (weight 1).
  const prefer = mkPod('q', {
    requests: { cpu: '1', memory: '1Gi' },
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['small'] }] } }] } },
  });
  assert.deepEqual(schedule(prefer, snap(nodes)), { node: 'small' });
});

test('only unbound pods for this scheduler', () => {
  const p = pod('p', { phase: 'Pending' });
  assert.equal(responsibleFor(p, 'default-scheduler'), true);
  assert.equal(responsibleFor({ ...p, spec: { ...p.spec, schedulerName: 'other' } }, 'default-scheduler'), false);
  assert.equal(responsibleFor(pod('q', { node: 'a' }), 'default-scheduler'), false);
});
