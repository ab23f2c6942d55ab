// The VolumeBinding plugin's verdicts: claims that must exist and be bound (Immediate), volumes
// pinned to a node, and WaitForFirstConsumer claims that a node's free volume or the class's
// provisioner can serve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../src/api/storage.js';
import { schedule } from '../../src/scheduler/filter.js';
import { claimsAwaitingNode, type VolumeObjects } from '../../src/scheduler/volume-binding.js';
import { buildSnapshot } from '../../src/scheduler/framework/snapshot.js';
import type { Node } from '../../src/api/core.js';
import { node, pod } from '../controllers/fixtures.js';

function objects(claims: PersistentVolumeClaim[], volumes: PersistentVolume[], classes: StorageClass[]): VolumeObjects {
  return {
    claim: (ns, name) => claims.find((c) => c.metadata.namespace === ns && c.metadata.name === name),
    volume: (name) => volumes.find((v) => v.metadata.name === name),
    volumes: () => volumes,
    storageClass: (name) => classes.find((c) => c.metadata.name === name),
  };
}
const claim = (name: string, cls: string, volumeName?: string, selectedNode?: string): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(selectedNode ? { annotations: { 'volume.kubernetes.io/selected-node': selectedNode } } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: cls, resources: { requests: { storage: '1Gi' } }, ...(volumeName ? { volumeName } : {}) },
});
const pinned = (name: string, host: string, cls: string): PersistentVolume => ({
  metadata: { name },
  spec: {
    capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: cls, local: { path: `/mnt/${name}` },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [host] }] }] } },
  },
  status: { phase: 'Available' },
});
const classes: StorageClass[] = [
  { metadata: { name: 'now' }, provisioner: 'example.com/x', volumeBindingMode: 'Immediate' },
  { metadata: { name: 'later' }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  { metadata: { name: 'static' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
];
const nodes = [node('a', { labels: { 'kubernetes.io/hostname': 'a' } }), node('b', { labels: { 'kubernetes.io/hostname': 'b' } })];
function using(...claimNames: string[]): Pod {
  const p = pod('p', { phase: 'Pending' });
  p.spec.volumes = claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } }));
  return p;
}
const preemption = ' preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling..';

/** The scheduler's snapshot: `busy` puts that many running pods on a node (the tie-breaker). */
function snap(on: Node[], busy: Map<string, number>, objs: VolumeObjects) {
  const running = [...busy].flatMap(([n, count]) => Array.from({ length: count }, (_, i) => {
    const p = pod(`busy-${n}-${i}`, { phase: 'Running' });
    p.spec.nodeName = n;
    return p;
  }));
  return { ...buildSnapshot(on, running), volumes: objs };
}

test('a missing claim, or an unbound claim of an Immediate class, keeps the pod off every node', () => {
  const objs = objects([claim('imm', 'now')], [], classes);
  assert.deepEqual(schedule(using('gone'), snap(nodes, new Map(), objs)), { error: `0/2 nodes are available: persistentvolumeclaim "gone" not found.${preemption}` });
  assert.deepEqual(schedule(using('imm'), snap(nodes, new Map(), objs)), { error: `0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.${preemption}` });
});

test('a bound claim sends the pod where its volume is', () => {
  const objs = objects([claim('bound', 'static', 'on-b')], [pinned('on-b', 'b', 'static')], classes);
  assert.deepEqual(schedule(using('bound'), snap(nodes, new Map(), objs)), { node: 'b' });
  const onlyA = schedule(using('bound'), snap([nodes[0]!], new Map(), objs));
  assert.deepEqual(onlyA, { error: '0/1 nodes are available: 1 node(s) had volume node affinity conflict. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling..' });
});

test('WaitForFirstConsumer: a free volume on a node, or a provisioner anywhere', () => {
  const objs = objects([claim('local', 'static'), claim('dyn', 'later')], [pinned('free-on-b', 'b', 'static')], classes);
  assert.deepEqual(schedule(using('local'), snap(nodes, new Map([['b', 5]]), objs)), { node: 'b' });
  assert.deepEqual(schedule(using('dyn'), snap(nodes, new Map([['a', 5]]), objs)), { node: 'b' });
  assert.deepEqual(claimsAwaitingNode(using('dyn', 'local'), objs).map((c) => c.metadata.name), ['dyn', 'local']);
  const none = objects([claim('local', 'static')], [], classes);
  assert.deepEqual(schedule(using('local'), snap(nodes, new Map(), none)), {
    error: `0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.${preemption}`,
  });
});

test('a claim that already names a node keeps its pods there', () => {
  const objs = objects([claim('dyn', 'later', undefined, 'a')], [], classes);
  assert.deepEqual(schedule(using('dyn'), snap(nodes, new Map([['a', 9]]), objs)), { node: 'a' });
  assert.deepEqual(claimsAwaitingNode(using('dyn'), objs), []);
});
