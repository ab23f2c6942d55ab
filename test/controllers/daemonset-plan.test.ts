// The DaemonSet sync plan as a pure function of nodes and the pods on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../../src/api/apps.js';
import type { Pod } from '../../src/api/core.js';
import { nodeShouldRunDaemonPod } from '../../src/controllers/daemonset/daemon-pod.js';
import { planDaemonSet, surgeAndUnavailable } from '../../src/controllers/daemonset/rolling.js';
import { calculateDaemonSetStatus } from '../../src/controllers/daemonset/status.js';
import { node, pod } from './fixtures.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');

function ds(ru: { maxUnavailable?: number | string; maxSurge?: number | string } = { maxUnavailable: 1, maxSurge: 0 }, extra: Partial<DaemonSet['spec']['template']['spec']> = {}): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }], ...extra } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru },
    },
  };
}

const daemonPod = (name: string, hash: string, o: Parameters<typeof pod>[1] = {}): Pod => pod(name, { ready: true, ...o, labels: { app: 'web', 'controller-revision-hash': hash } });
const names = (ps: Pod[]) => ps.map((p) => p.metadata.name).sort();

test('nodes that should run the daemon: selector, affinity, taints vs the daemon tolerations', () => {
  const d = ds(undefined, { nodeSelector: { role: 'x' } });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { labels: { role: 'x' } }), d), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('b', { labels: { role: 'y' } }), d), { shouldRun: false, shouldContinueRunning: false });
  // Untolerated NoSchedule keeps new pods off but lets a running one stay; NoExecute evicts it.
  const noSchedule = node('c', { labels: { role: 'x' }, taints: [{ key: 'k', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(noSchedule, d), { shouldRun: false, shouldContinueRunning: true });
  const noExecute = node('d', { labels: { role: 'x' }, taints: [{ key: 'k', effect: 'NoExecute' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(noExecute, d), { shouldRun: false, shouldContinueRunning: false });
  // The tolerations every daemon pod gets: unschedulable and unreachable nodes still run it.
  const cordoned = node('e', { labels: { role: 'x' }, unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(cordoned, d), { shouldRun: true, shouldContinueRunning: true });
  const affinity = ds(undefined, { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['x'] }] }] } } } });
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { role: 'x' } }), affinity).shouldRun, false);
});

test('manage: creates where missing, deletes failed pods, duplicates (keeping the oldest) and pods on gone nodes', () => {
  const nodes = [node('a'), node('b'), node('c')];
  const pods = new Map<string, Pod[]>([
    ['a', [daemonPod('a-old', 'h1', { created: '2026-01-01T00:00:00Z' }), daemonPod('a-dup', 'h1', { created: '2026-01-02T00:00:00Z' })]],
    ['b', [daemonPod('b-failed', 'h1', { phase: 'Failed' })]],
    ['gone', [daemonPod('gone-1', 'h1')]],
  ]);
  const plan = planDaemonSet({ ...ds(), spec: { ...ds().spec, updateStrategy: { type: 'OnDelete' } } }, nodes, pods, 'h1', NOW);
  assert.deepEqual(plan.createOn, ['c']);
  assert.deepEqual(names(plan.deletePods), ['a-dup', 'b-failed', 'gone-1']);
});

test('maxUnavailable: old pods go while fewer than maxUnavailable nodes lack an available pod; unavailable old pods go at once', () => {
  const nodes = ['a', 'b', 'c', 'd'].map((n) => node(n));
  const pods = new Map<string, Pod[]>([
    ['a', [daemonPod('a1', 'old')]],
    ['b', [daemonPod('b1', 'old')]],
    ['c', [daemonPod('c1', 'old', { ready: false })]],
    ['d', [daemonPod('d1', 'new', { ready: false })]],
  ]);
  // d's new pod is not available yet: with maxUnavailable 1 no available old pod may go; c's unavailable one may.
  assert.deepEqual(names(planDaemonSet(ds({ maxUnavailable: 1 }), nodes, pods, 'new', NOW).deletePods), ['c1']);
  // 50% of 4 nodes is 2: one more old pod may go.
  assert.deepEqual(names(planDaemonSet(ds({ maxUnavailable: '50%' }), nodes, pods, 'new', NOW).deletePods), ['a1', 'c1']);
  assert.deepEqual(surgeAndUnavailable(ds({ maxUnavailable: '10%' }), 4), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(surgeAndUnavailable(ds({ maxUnavailable: 0, maxSurge: '30%' }), 10), { maxSurge: 3, maxUnavailable: 0 });
});

test('maxSurge: a new pod beside the old one, the old one deleted once the new one is available', () => {
  const nodes = ['a', 'b', 'c'].map((n) => node(n));
  const pods = new Map<string, Pod[]>([
    ['a', [daemonPod('a-old', 'old'), daemonPod('a-new', 'new', { readySince: '2026-01-01T00:00:00Z' })]],
    ['b', [daemonPod('b-old', 'old')]],
    ['c', [daemonPod('c-old', 'old')]],
  ]);
  const plan = planDaemonSet(ds({ maxUnavailable: 0, maxSurge: 1 }), nodes, pods, 'new', NOW);
  assert.deepEqual(names(plan.deletePods), ['a-old']);
  assert.deepEqual(plan.createOn, ['b']);
  // While a's new pod is not ready it uses the one surge slot: nothing else starts.
  pods.set('a', [daemonPod('a-old', 'old'), daemonPod('a-new', 'new', { ready: false })]);
  const waiting = planDaemonSet(ds({ maxUnavailable: 0, maxSurge: 1 }), nodes, pods, 'new', NOW);
  assert.deepEqual([waiting.createOn, waiting.deletePods], [[], []]);
});

test('status counts desired, current, ready, available, updated and misscheduled nodes', () => {
  const d = ds(undefined, { nodeSelector: { role: 'x' } });
  const nodes = [node('a', { labels: { role: 'x' } }), node('b', { labels: { role: 'x' } }), node('c', { labels: { role: 'y' } })];
  const pods = new Map<string, Pod[]>([
    ['a', [daemonPod('a1', 'new')]],
    ['c', [daemonPod('c1', 'old', { ready: false })]],
  ]);
  const st = calculateDaemonSetStatus(d, nodes, pods, 'new', NOW);
  assert.deepEqual(
    [st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.numberAvailable, st.updatedNumberScheduled, st.numberMisscheduled, st.numberUnavailable, st.observedGeneration],
    [2, 1, 1, 1, 1, 1, 1, 2],
  );
});
