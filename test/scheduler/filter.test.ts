import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitError, responsibleFor, schedule } from '../../src/scheduler/filter.js';
import { node, pod } from '../controllers/fixtures.js';

test('picks the feasible node with the fewest pods, ties by name', () => {
  const p = pod('p', { phase: 'Pending' });
  const nodes = [node('b'), node('a'), node('c')];
  assert.deepEqual(schedule(p, nodes, new Map()), { node: 'a' });
  assert.deepEqual(schedule(p, nodes, new Map([['a', 2], ['b', 1]])), { node: 'c' });
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
  const r = schedule(p, nodes, new Map());
  assert.ok('error' in r);
  assert.equal(
    r.error,
    "0/4 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.",
  );
  assert.deepEqual(schedule(p, [], new Map()), { error: 'no nodes available to schedule pods' });
  assert.equal(fitError(1, new Map()), '0/1 nodes are available: preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
});

test('only unbound pods for this scheduler', () => {
  const p = pod('p', { phase: 'Pending' });
  assert.equal(responsibleFor(p, 'default-scheduler'), true);
  assert.equal(responsibleFor({ ...p, spec: { ...p.spec, schedulerName: 'other' } }, 'default-scheduler'), false);
  assert.equal(responsibleFor(pod('q', { node: 'a' }), 'default-scheduler'), false);
});

test('required node affinity: matchExpressions over labels, matchFields over metadata.name, terms ORed', () => {
  const nodes = [node('a', { labels: { zone: 'z1', cpus: '4' } }), node('b', { labels: { zone: 'z2', cpus: '16' } }), node('c', { labels: {} })];
  const withAffinity = (terms: unknown[]) => {
    const p = pod('p', { phase: 'Pending' });
    p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
    return p;
  };
  // A DaemonSet pod is pinned by matchFields, whichever node has fewer pods.
  const pinned = withAffinity([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }]);
  assert.deepEqual(schedule(pinned, nodes, new Map([['b', 5]])), { node: 'b' });
  const gt = withAffinity([{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['8'] }] }]);
  assert.deepEqual(schedule(gt, nodes, new Map()), { node: 'b' });
  const either = withAffinity([
    { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] },
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z9'] }] },
  ]);
  assert.deepEqual(schedule(either, nodes, new Map()), { node: 'c' });
  const none = withAffinity([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1', 'z2'] }, { key: 'zone', operator: 'Exists' }] }]);
  const r = schedule(none, nodes, new Map());
  assert.ok('error' in r);
  assert.match(r.error, /^0\/3 nodes are available: 3 node\(s\) didn't match Pod's node affinity\/selector\./);
  // An empty term matches nothing; a NoExecute taint needs a toleration too.
  assert.ok('error' in schedule(withAffinity([{}]), nodes, new Map()));
  const tainted = [node('t', { taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] })];
  const p = pod('p', { phase: 'Pending' });
  assert.ok('error' in schedule(p, tainted, new Map()));
  p.spec.tolerations = [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute' }];
  assert.deepEqual(schedule(p, tainted, new Map()), { node: 't' });
});
