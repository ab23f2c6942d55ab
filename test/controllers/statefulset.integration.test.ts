import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ControllerRevision, StatefulSet } from '../../src/api/apps.js';
import type { Pod } from '../../src/api/core.js';
import type { PersistentVolumeClaim } from '../../src/api/storage.js';
import { R } from '../../src/client/resources.js';
import { StatusError } from '../../src/machinery/status.js';
import { startControllerCluster, eventually, makePodReady, retryOnConflict, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
before(async () => {
  // No scheduler and no node: pods stay unbound (deletes are immediate) and the test plays the kubelet.
  c = await startControllerCluster({ scheduler: false });
});
after(async () => {
  await c.stop();
});

function sts(name: string, replicas: number, extra: Partial<StatefulSet['spec']> = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      serviceName: `${name}-svc`,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'agnhost:1' }] } },
      ...extra,
    },
  };
}

const podsOf = async (app: string) =>
  (await c.client.list<Pod>(R.pods, 'default', { labelSelector: `app=${app}` })).items.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
const names = (ps: Pod[]) => ps.map((p) => p.metadata.name);
const getSts = (name: string) => c.client.get<StatefulSet>(R.statefulsets, 'default', name);

async function readyAll(app: string): Promise<void> {
  for (const p of await podsOf(app)) if (!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) await makePodReady(c.client, p);
}

test('OrderedReady: pods are created one at a time, each after the previous one is Ready, with stable identities', async () => {
  const created = await c.client.create<StatefulSet>(R.statefulsets, 'default', sts('web', 3));
  assert.equal(created.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(created.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(created.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  await eventually(async () => assert.deepEqual(names(await podsOf('web')), ['web-0']));
  // Not ready yet: web-1 must not appear.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(names(await podsOf('web')), ['web-0']);
  for (const expected of [['web-0', 'web-1'], ['web-0', 'web-1', 'web-2']]) {
    await readyAll('web');
    await eventually(async () => assert.deepEqual(names(await podsOf('web')), expected));
  }
  await readyAll('web');
  await eventually(async () => {
    const s = await getSts('web');
    assert.equal(s.status?.readyReplicas, 3);
    assert.equal(s.status?.availableReplicas, 3);
    assert.equal(s.status?.observedGeneration, s.metadata.generation);
    assert.ok(s.status?.updateRevision);
    assert.equal(s.status?.currentRevision, s.status?.updateRevision);
    assert.equal(s.status?.currentReplicas, 3);
  });
  const s = await getSts('web');
  const [p1] = (await podsOf('web')).filter((p) => p.metadata.name === 'web-1');
  assert.equal(p1!.spec.hostname, 'web-1');
  assert.equal(p1!.spec.subdomain, 'web-svc');
  assert.equal(p1!.metadata.labels!['statefulset.kubernetes.io/pod-name'], 'web-1');
  assert.equal(p1!.metadata.labels!['apps.kubernetes.io/pod-index'], '1');
  assert.equal(p1!.metadata.labels!['controller-revision-hash'], s.status!.updateRevision);
  assert.equal(p1!.metadata.ownerReferences![0]!.uid, created.metadata.uid);
  const revs = (await c.client.list<ControllerRevision>(R.controllerrevisions, 'default')).items.filter((r) => r.metadata.ownerReferences?.[0]?.uid === created.metadata.uid);
  assert.equal(revs.length, 1);
  assert.equal(revs[0]!.metadata.name, s.status!.updateRevision);
  assert.equal(revs[0]!.revision, 1);
  assert.match(revs[0]!.metadata.name!, /^web-[a-z0-9]+$/);
});

test('a deleted pod comes back under the same name', async () => {
  await c.client.delete(R.pods, 'default', 'web-1');
  await eventually(async () => {
    const p = (await podsOf('web')).find((x) => x.metadata.name === 'web-1');
    assert.ok(p && !p.status?.conditions?.some((x) => x.type === 'Ready'));
  });
  await readyAll('web');
  await eventually(async () => assert.equal((await getSts('web')).status?.readyReplicas, 3));
});

test('rolling update with a partition replaces pods from the highest ordinal down and holds those below it', async () => {
  await retryOnConflict(async () => {
    const s = await getSts('web');
    s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
    s.spec.template.spec.containers[0]!.image = 'agnhost:2';
    await c.client.update(R.statefulsets, 'default', s);
  });
  let s = await getSts('web');
  await eventually(async () => {
    s = await getSts('web');
    assert.notEqual(s.status?.updateRevision, s.status?.currentRevision);
  });
  const update = s.status!.updateRevision!;
  const current = s.status!.currentRevision!;
  // web-2 goes first; web-1 only once the new web-2 is Ready.
  await eventually(async () => {
    const p2 = (await podsOf('web')).find((x) => x.metadata.name === 'web-2');
    assert.equal(p2?.metadata.labels?.['controller-revision-hash'], update);
    assert.equal(p2?.spec.containers[0]!.image, 'agnhost:2');
  });
  assert.equal((await podsOf('web')).find((x) => x.metadata.name === 'web-1')?.metadata.labels?.['controller-revision-hash'], current);
  await readyAll('web');
  await eventually(async () => {
    const p1 = (await podsOf('web')).find((x) => x.metadata.name === 'web-1');
    assert.equal(p1?.metadata.labels?.['controller-revision-hash'], update);
  });
  await readyAll('web');
  await eventually(async () => {
    const got = await getSts('web');
    assert.equal(got.status?.updatedReplicas, 2);
    assert.equal(got.status?.readyReplicas, 3);
  });
  await new Promise((r) => setTimeout(r, 300));
  const p0 = (await podsOf('web')).find((x) => x.metadata.name === 'web-0')!;
  assert.equal(p0.metadata.labels?.['controller-revision-hash'], current, 'the partition holds web-0 at the old revision');
  assert.equal(p0.spec.containers[0]!.image, 'agnhost:1');
  // Lowering the partition finishes the rollout, and the update revision becomes current.
  await retryOnConflict(async () => {
    const x = await getSts('web');
    x.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
    await c.client.update(R.statefulsets, 'default', x);
  });
  await eventually(async () => {
    const p = (await podsOf('web')).find((x) => x.metadata.name === 'web-0');
    assert.equal(p?.metadata.labels?.['controller-revision-hash'], update);
  });
  await readyAll('web');
  await eventually(async () => {
    const got = await getSts('web');
    assert.equal(got.status?.currentRevision, update);
    assert.equal(got.status?.updatedReplicas, 3);
  });
});

test('scale down removes the highest ordinals first, one at a time', async () => {
  const list = await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' });
  const deleted: string[] = [];
  const w = c.client.watch<Pod>(R.pods, 'default', { labelSelector: 'app=web', resourceVersion: list.metadata.resourceVersion }, (ev) => {
    if (ev.type === 'DELETED') deleted.push(ev.object.metadata.name!);
  });
  await retryOnConflict(async () => {
    const s = await getSts('web');
    s.spec.replicas = 1;
    await c.client.update(R.statefulsets, 'default', s);
  });
  await eventually(async () => assert.deepEqual(names(await podsOf('web')), ['web-0']));
  await eventually(async () => assert.equal((await getSts('web')).status?.replicas, 1));
  await eventually(() => assert.deepEqual(deleted, ['web-2', 'web-1']));
  w.stop();
});

test('Parallel creates every pod at once; OnDelete leaves running pods alone on a template change', async () => {
  await c.client.create(R.statefulsets, 'default', sts('par', 3, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'OnDelete' } }));
  await eventually(async () => assert.deepEqual(names(await podsOf('par')), ['par-0', 'par-1', 'par-2']));
  await readyAll('par');
  await retryOnConflict(async () => {
    const s = await getSts('par');
    s.spec.template.spec.containers[0]!.image = 'agnhost:2';
    await c.client.update(R.statefulsets, 'default', s);
  });
  await eventually(async () => {
    const s = await getSts('par');
    assert.notEqual(s.status?.updateRevision, s.status?.currentRevision);
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.ok((await podsOf('par')).every((p) => p.spec.containers[0]!.image === 'agnhost:1'));
  await c.client.delete(R.pods, 'default', 'par-1');
  await eventually(async () => {
    const p = (await podsOf('par')).find((x) => x.metadata.name === 'par-1');
    assert.equal(p?.spec.containers[0]!.image, 'agnhost:2');
  });
});

test('minReadySeconds: OrderedReady waits for the pod to be available, not just ready', async () => {
  await c.client.create(R.statefulsets, 'default', sts('slow', 2, { minReadySeconds: 2 }));
  await eventually(async () => assert.deepEqual(names(await podsOf('slow')), ['slow-0']));
  // Ready as of one second ago (what makePodReady writes): available only a second from now.
  await readyAll('slow');
  await eventually(async () => assert.deepEqual([(await getSts('slow')).status?.readyReplicas, (await getSts('slow')).status?.availableReplicas], [1, 0]));
  assert.deepEqual(names(await podsOf('slow')), ['slow-0']);
  await eventually(async () => assert.deepEqual(names(await podsOf('slow')), ['slow-0', 'slow-1']), 5000);
  await eventually(async () => assert.equal((await getSts('slow')).status?.availableReplicas, 1));
});

test('a set scaled to two billion replicas creates its first pod and keeps the controller alive', async () => {
  await c.client.create(R.statefulsets, 'default', sts('huge', 2_000_000_000));
  await eventually(async () => assert.deepEqual(names(await podsOf('huge')), ['huge-0']));
  await eventually(async () => assert.equal((await getSts('huge')).status?.replicas, 1));
  await c.client.delete(R.statefulsets, 'default', 'huge');
  for (const p of await podsOf('huge')) await c.client.delete(R.pods, 'default', p.metadata.name!);
});

async function rejects(fn: () => Promise<unknown>, code: number, fields: string[]): Promise<StatusError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code, e.message);
    const got = (e.details?.causes ?? []).map((x) => x.field);
    for (const f of fields) assert.ok(got.includes(f), `${f} not in ${JSON.stringify(e.details?.causes)}`);
    return e;
  }
  throw new Error('expected a rejection');
}

test('validation: upstream field errors for bad specs and forbidden updates', async () => {
  const bad = sts('bad', 1, { podManagementPolicy: 'Sometimes' as never, replicas: -1 });
  bad.spec.template.metadata!.labels = { app: 'other' };
  bad.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: {} }];
  const e = await rejects(() => c.client.create(R.statefulsets, 'default', bad), 422, [
    'spec.podManagementPolicy', 'spec.replicas', 'spec.template.metadata.labels', 'spec.volumeClaimTemplates[0].spec.accessModes', 'spec.volumeClaimTemplates[0].spec.resources[storage]',
  ]);
  assert.match(e.message, /spec.podManagementPolicy: Invalid value: "Sometimes": must be 'OrderedReady' or 'Parallel'/);
  await rejects(() => c.client.create(R.statefulsets, 'default', sts('Bad.Name', 1)), 422, ['metadata.name']);
  const ondelete = sts('od', 1, { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } });
  await rejects(() => c.client.create(R.statefulsets, 'default', ondelete), 422, ['spec.updateStrategy.rollingUpdate']);
  const zero = sts('zero', 1, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } });
  await rejects(() => c.client.create(R.statefulsets, 'default', zero), 422, ['spec.updateStrategy.rollingUpdate.maxUnavailable']);
  const s = await getSts('web');
  s.spec.serviceName = 'elsewhere';
  const u = await rejects(() => c.client.update(R.statefulsets, 'default', s), 422, ['spec']);
  assert.match(u.message, /updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden/);
});

test('volumeClaimTemplates: claims made per pod, kept on scale-down unless whenScaled is Delete', async () => {
  const withClaims = sts('db', 2, { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Delete' }, podManagementPolicy: 'Parallel' });
  withClaims.spec.template.spec.containers[0]!.volumeMounts = [{ name: 'data', mountPath: '/data' }];
  withClaims.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
  const created = await c.client.create<StatefulSet>(R.statefulsets, 'default', withClaims);
  assert.equal(created.spec.volumeClaimTemplates![0]!.spec!.volumeMode, 'Filesystem');
  const claimOf = (n: string) => c.client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'default', n);
  await eventually(async () => assert.deepEqual(names(await podsOf('db')), ['db-0', 'db-1']));
  const pods = await podsOf('db');
  assert.deepEqual(pods[1]!.spec.volumes?.find((v) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } });
  const claim1 = await claimOf('data-db-1');
  assert.deepEqual(claim1.metadata.labels, { app: 'db' });
  assert.equal(claim1.metadata.ownerReferences, undefined);
  // Scaled to one: db-1's claim gets db-1 as owner and goes with it; db-0's stays.
  await retryOnConflict(async () => {
    const s = await getSts('db');
    s.spec.replicas = 1;
    await c.client.update(R.statefulsets, 'default', s);
  });
  await eventually(async () => assert.deepEqual(names(await podsOf('db')), ['db-0']));
  await eventually(async () => {
    try {
      await claimOf('data-db-1');
      return false;
    } catch (e) {
      return e instanceof StatusError && e.code === 404;
    }
  });
  assert.equal((await claimOf('data-db-0')).metadata.deletionTimestamp, undefined);
  // whenDeleted: Delete makes the set an owner of the claims, so they go with it.
  await retryOnConflict(async () => {
    const s = await getSts('db');
    s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
    await c.client.update(R.statefulsets, 'default', s);
  });
  await eventually(async () => assert.deepEqual((await claimOf('data-db-0')).metadata.ownerReferences?.map((r) => `${r.kind}/${r.name}`), ['StatefulSet/db']));
});

test('ControllerRevision: data is required and immutable', async () => {
  await rejects(
    () => c.client.create(R.controllerrevisions, 'default', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: -1 }),
    422,
    ['data', 'revision'],
  );
  const r = await c.client.create<ControllerRevision>(R.controllerrevisions, 'default', {
    apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, data: { a: 1 }, revision: 1,
  });
  await rejects(() => c.client.update(R.controllerrevisions, 'default', { ...r, data: { a: 2 } }), 422, ['data']);
});
