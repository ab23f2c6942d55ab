// The Deployment / ReplicaSet / GC scenarios, run once over the in-process client and once over HTTPS.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../../src/api/apps.js';
import type { Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, makePodReady, retryOnConflict, type ControllerCluster, type Transport } from './cluster.js';

export function runDeploymentSuite(transport: Transport): void {
 describe(`deployments over the ${transport} client`, () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({}, transport);
  });
  after(async () => {
    await c.stop();
  });

  function newDeployment(name: string, replicas: number, image = 'busybox'): Deployment {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
      },
    };
  }

  const podsOf = async (app: string) =>
    (await c.client.list<Pod>(R.pods, 'default', { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
  const rsOf = async (app: string) => (await c.client.list<ReplicaSet>(R.replicasets, 'default', { labelSelector: `app=${app}` })).items;

  async function readyAll(app: string): Promise<void> {
    for (const p of await podsOf(app)) if (p.status?.phase !== 'Running') await makePodReady(c.client, p);
  }

  test('a Deployment of 3 makes a ReplicaSet and 3 pods owned through it', async () => {
    await c.client.create(R.deployments, 'default', newDeployment('web', 3));
    await eventually(async () => {
      const rss = await rsOf('web');
      assert.equal(rss.length, 1);
      const rs = rss[0]!;
      const hash = rs.metadata.labels!['pod-template-hash']!;
      assert.equal(rs.metadata.name, `web-${hash}`);
      assert.equal(rs.spec.selector.matchLabels!['pod-template-hash'], hash);
      assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '1');
      assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
      assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
      const ref = rs.metadata.ownerReferences![0]!;
      assert.deepEqual([ref.kind, ref.controller, ref.blockOwnerDeletion], ['Deployment', true, true]);
      const pods = await podsOf('web');
      assert.equal(pods.length, 3);
      for (const p of pods) {
        assert.ok(p.metadata.name!.startsWith(`${rs.metadata.name}-`));
        assert.equal(p.metadata.ownerReferences![0]!.uid, rs.metadata.uid);
        assert.equal(p.metadata.labels!['pod-template-hash'], hash);
      }
    });
    await readyAll('web');
    await eventually(async () => {
      const d = await c.client.get<Deployment>(R.deployments, 'default', 'web');
      assert.equal(d.status?.observedGeneration, d.metadata.generation);
      assert.deepEqual([d.status?.replicas, d.status?.updatedReplicas, d.status?.readyReplicas, d.status?.availableReplicas], [3, 3, 3, 3]);
      const prog = d.status!.conditions!.find((x) => x.type === 'Progressing')!;
      assert.equal(prog.reason, 'NewReplicaSetAvailable');
      assert.equal(d.status!.conditions!.find((x) => x.type === 'Available')!.status, 'True');
      assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
      const rs = (await rsOf('web'))[0]!;
      assert.deepEqual([rs.status?.replicas, rs.status?.readyReplicas, rs.status?.availableReplicas, rs.status?.fullyLabeledReplicas], [3, 3, 3, 3]);
      assert.equal(rs.status?.observedGeneration, rs.metadata.generation);
    });
  });

  test('scale up and down', async () => {
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'web', 'merge', { spec: { replicas: 5 } }));
    await eventually(async () => assert.equal((await podsOf('web')).length, 5));
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'web', 'merge', { spec: { replicas: 2 } }));
    await eventually(async () => {
      assert.equal((await podsOf('web')).length, 2);
      const rs = (await rsOf('web'))[0]!;
      assert.equal(rs.spec.replicas, 2);
      assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '2');
    });
    // The two unready pods created last go first.
    await readyAll('web');
  });

  test('a template change rolls out a new ReplicaSet; undo goes back to the old one', async () => {
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'web', 'merge', { spec: { replicas: 3 } }));
    await eventually(async () => assert.equal((await podsOf('web')).length, 3));
    await readyAll('web');
    const first = (await rsOf('web'))[0]!;
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'web', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
    // No node agent: keep making new pods ready so the rollout can proceed.
    await eventually(async () => {
      await readyAll('web');
      const rss = await rsOf('web');
      assert.equal(rss.length, 2);
      const fresh = rss.find((r) => r.metadata.uid !== first.metadata.uid)!;
      assert.equal(fresh.metadata.annotations!['deployment.kubernetes.io/revision'], '2');
      assert.equal(fresh.spec.replicas, 3);
      assert.equal(rss.find((r) => r.metadata.uid === first.metadata.uid)!.spec.replicas, 0);
      const d = await c.client.get<Deployment>(R.deployments, 'default', 'web');
      assert.deepEqual([d.status?.updatedReplicas, d.status?.replicas, d.status?.availableReplicas], [3, 3, 3]);
      assert.equal(d.status!.conditions!.find((x) => x.type === 'Progressing')!.reason, 'NewReplicaSetAvailable');
    }, 15000);
    // kubectl rollout undo: copies the old ReplicaSet's template (minus pod-template-hash) into the Deployment.
    const tpl = structuredClone(first.spec.template!);
    delete tpl.metadata!.labels!['pod-template-hash'];
    await retryOnConflict(async () => {
      const d = await c.client.get<Deployment>(R.deployments, 'default', 'web');
      d.spec.template = tpl;
      return c.client.update(R.deployments, 'default', d);
    });
    await eventually(async () => {
      await readyAll('web');
      const rss = await rsOf('web');
      assert.equal(rss.length, 2, 'no third ReplicaSet');
      const back = rss.find((r) => r.metadata.uid === first.metadata.uid)!;
      assert.equal(back.spec.replicas, 3);
      assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
      assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
    }, 15000);
  });

  test('Recreate: old pods go before new ones come', async () => {
    const d = newDeployment('rec', 2);
    d.spec.strategy = { type: 'Recreate' };
    await c.client.create(R.deployments, 'default', d);
    await eventually(async () => assert.equal((await podsOf('rec')).length, 2));
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'rec', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
    await eventually(async () => {
      const pods = await podsOf('rec');
      assert.equal(pods.length, 2);
      assert.ok(pods.every((p) => p.spec.containers[0]!.image === 'nginx'));
    });
  });

  test('paused Deployments do not roll out', async () => {
    await c.client.create(R.deployments, 'default', newDeployment('paused', 1));
    await eventually(async () => assert.equal((await podsOf('paused')).length, 1));
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'paused', 'merge', { spec: { paused: true } }));
    await eventually(async () => {
      const d = await c.client.get<Deployment>(R.deployments, 'default', 'paused');
      assert.equal(d.status!.conditions!.find((x) => x.type === 'Progressing')!.reason, 'DeploymentPaused');
    });
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'paused', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await rsOf('paused')).length, 1);
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'paused', 'merge', { spec: { paused: false } }));
    await eventually(async () => assert.equal((await rsOf('paused')).length, 2));
  });

  test('deleting the Deployment (background) removes its ReplicaSets and pods through the GC', async () => {
    await c.client.delete(R.deployments, 'default', 'web', { propagationPolicy: 'Background' });
    await eventually(async () => {
      assert.equal((await rsOf('web')).length, 0);
      assert.equal((await c.client.list(R.pods, 'default', { labelSelector: 'app=web' })).items.length, 0);
    });
  });

  test('foreground deletion removes dependents first; orphan keeps them', async () => {
    await eventually(async () => assert.equal((await podsOf('rec')).length, 2));
    await c.client.delete(R.deployments, 'default', 'rec', { propagationPolicy: 'Foreground' });
    await eventually(async () => {
      assert.equal((await c.client.list(R.deployments, 'default')).items.filter((d) => d.metadata.name === 'rec').length, 0);
      assert.equal((await rsOf('rec')).length, 0);
      assert.equal((await c.client.list(R.pods, 'default', { labelSelector: 'app=rec' })).items.length, 0);
    });
    await c.client.delete(R.deployments, 'default', 'paused', { propagationPolicy: 'Orphan' });
    await eventually(async () => {
      assert.equal((await c.client.list(R.deployments, 'default')).items.filter((d) => d.metadata.name === 'paused').length, 0);
      const rss = await rsOf('paused');
      assert.ok(rss.length > 0);
      assert.ok(rss.every((r) => !r.metadata.ownerReferences?.length));
    });
  });

  test('scaling in the middle of a rollout resizes both ReplicaSets in proportion', async () => {
    await c.client.create(R.deployments, 'default', newDeployment('prop', 10));
    await eventually(async () => {
      await readyAll('prop');
      const got = await c.client.get<Deployment>(R.deployments, 'default', 'prop');
      assert.equal(got.status?.availableReplicas, 10);
    }, 10_000);
    const [old] = await rsOf('prop');
    // New pods never become ready: the rollout stops at maxSurge 3 / maxUnavailable 2.
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'prop', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } }));
    const sizes = async () => {
      const rss = await rsOf('prop');
      const o = rss.find((r) => r.metadata.uid === old!.metadata.uid)!;
      const n = rss.find((r) => r.metadata.uid !== old!.metadata.uid);
      return [o.spec.replicas, n?.spec.replicas];
    };
    await eventually(async () => assert.deepEqual(await sizes(), [8, 5]), 10_000);
    await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'prop', 'merge', { spec: { replicas: 20 } }));
    // 25 allowed (20 + 25% surge), 13 there: the 12 more are shared 7 : 5 by size.
    await eventually(async () => assert.deepEqual(await sizes(), [15, 10]), 10_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await sizes(), [15, 10]);
  });

  test('a rollout that makes no progress within progressDeadlineSeconds reports ProgressDeadlineExceeded', async () => {
    const d = newDeployment('stuck', 1);
    d.spec.progressDeadlineSeconds = 1;
    await c.client.create(R.deployments, 'default', d);
    // Pods never become ready (no node agent, and this test does not play one).
    await eventually(async () => {
      const got = await c.client.get<Deployment>(R.deployments, 'default', 'stuck');
      const p = got.status!.conditions!.find((x) => x.type === 'Progressing')!;
      assert.equal(p.status, 'False');
      assert.equal(p.reason, 'ProgressDeadlineExceeded');
      assert.match(p.message!, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
      assert.equal(got.status!.conditions!.find((x) => x.type === 'Available')!.reason, 'MinimumReplicasUnavailable');
    }, 10_000);
  });

  test('revisionHistoryLimit: old empty ReplicaSets beyond the limit are deleted', async () => {
    const d = newDeployment('hist', 1);
    d.spec.revisionHistoryLimit = 1;
    await c.client.create(R.deployments, 'default', d);
    for (const image of ['img:2', 'img:3', 'img:4']) {
      await eventually(async () => {
        await readyAll('hist');
        const got = await c.client.get<Deployment>(R.deployments, 'default', 'hist');
        assert.equal(got.status?.updatedReplicas, 1);
        assert.equal(got.status?.replicas, 1);
        assert.equal(got.status?.availableReplicas, 1);
      }, 10_000);
      await retryOnConflict(() => c.client.patch(R.deployments, 'default', 'hist', 'strategic', { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }));
    }
    await eventually(async () => {
      await readyAll('hist');
      const rss = await rsOf('hist');
      assert.equal(rss.length, 2, rss.map((r) => `${r.metadata.name}:${r.spec.replicas}`).join(' '));
      const live = rss.find((r) => r.spec.replicas === 1)!;
      assert.equal(live.spec.template!.spec.containers[0]!.image, 'img:4');
      assert.equal(live.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
    }, 10_000);
  });
 });
}
