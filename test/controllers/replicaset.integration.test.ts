import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../../src/api/apps.js';
import type { Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, makePodReady, retryOnConflict, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
before(async () => {
  // The scheduler is left out: these pods stay unbound, so deletes are immediate.
  c = await startControllerCluster({ scheduler: false });
});
after(async () => {
  await c.stop();
});

function rs(name: string, replicas: number, minReadySeconds = 0): ReplicaSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      minReadySeconds,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

const pods = async (app: string) => (await c.client.list<Pod>(R.pods, 'default', { labelSelector: `app=${app}` })).items;

test('adopts a matching orphan instead of creating, and never double-creates', async () => {
  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'orphan', namespace: 'default', labels: { app: 'adopt' } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
  const created = await c.client.create<ReplicaSet>(R.replicasets, 'default', rs('adopt', 3));
  await eventually(async () => {
    const ps = await pods('adopt');
    assert.equal(ps.length, 3);
    assert.ok(ps.every((p) => p.metadata.ownerReferences?.[0]?.uid === created.metadata.uid));
    const orphan = ps.find((p) => p.metadata.name === 'orphan')!;
    assert.equal(orphan.metadata.ownerReferences![0]!.controller, true);
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await pods('adopt')).length, 3);
  const got = await c.client.get<ReplicaSet>(R.replicasets, 'default', 'adopt');
  // The adopted pod lacks the template's tier label: not fully labeled.
  assert.deepEqual([got.status?.replicas, got.status?.fullyLabeledReplicas], [3, 2]);
});

test('releases a pod relabeled out of the selector and replaces it', async () => {
  const victim = (await pods('adopt')).find((p) => p.metadata.name !== 'orphan')!;
  await retryOnConflict(() => c.client.patch(R.pods, 'default', victim.metadata.name!, 'merge', { metadata: { labels: { app: 'gone' } } }));
  await eventually(async () => {
    const released = await c.client.get<Pod>(R.pods, 'default', victim.metadata.name!);
    assert.equal(released.metadata.ownerReferences, undefined);
    assert.equal((await pods('adopt')).length, 3);
  });
});

test('deleted pods are replaced; readiness and minReadySeconds drive status', async () => {
  await c.client.create(R.replicasets, 'default', rs('avail', 2, 1));
  await eventually(async () => assert.equal((await pods('avail')).length, 2));
  const [a] = await pods('avail');
  await c.client.delete(R.pods, 'default', a!.metadata.name!);
  await eventually(async () => {
    const ps = await pods('avail');
    assert.equal(ps.length, 2);
    assert.ok(!ps.some((p) => p.metadata.name === a!.metadata.name));
  });
  for (const p of await pods('avail')) await makePodReady(c.client, p);
  // Ready one second ago with minReadySeconds 1: ready at once, available a moment later.
  await eventually(async () => {
    const got = await c.client.get<ReplicaSet>(R.replicasets, 'default', 'avail');
    assert.deepEqual([got.status?.readyReplicas, got.status?.availableReplicas], [2, 2]);
    assert.equal(got.status?.observedGeneration, got.metadata.generation);
  }, 5000);
});

test('scale down removes not-ready pods before ready ones', async () => {
  await retryOnConflict(() => c.client.patch(R.replicasets, 'default', 'avail', 'merge', { spec: { replicas: 3 } }));
  let extra = '';
  await eventually(async () => {
    const ps = await pods('avail');
    assert.equal(ps.length, 3);
    extra = ps.find((p) => p.status?.phase !== 'Running')!.metadata.name!;
  });
  await retryOnConflict(() => c.client.patch(R.replicasets, 'default', 'avail', 'merge', { spec: { replicas: 2 } }));
  await eventually(async () => {
    const ps = await pods('avail');
    assert.equal(ps.length, 2);
    assert.ok(!ps.some((p) => p.metadata.name === extra));
  });
});
