import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from '../../src/api/apps.js';
import type { Node, Pod } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import type { KubeObject } from '../../src/api/meta.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, makePodReady, retryOnConflict, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
const gracePeriodMs = 400;
const renewing = new Set<string>();
let ticker: NodeJS.Timeout;

before(async () => {
  c = await startControllerCluster({ nodeLifecycle: { gracePeriodMs: gracePeriodMs, monitorPeriodMs: 50 } });
  for (const name of ['n1', 'n2']) {
    const n = await c.client.create<Node>(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
    n.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] };
    await c.client.update(R.nodes, undefined, n, { subresource: 'status' });
    await c.client.create(R.leases, 'kube-node-lease', lease(name));
    renewing.add(name);
  }
  // What a node agent does every 10 s, here every 50 ms.
  ticker = setInterval(() => {
    for (const name of renewing) {
      void retryOnConflict(async () => {
        const l = await c.client.get(R.leases, 'kube-node-lease', name);
        return c.client.update(R.leases, 'kube-node-lease', { ...l, spec: { ...(l.spec as object), renewTime: microTime() } });
      }).catch(() => undefined);
    }
  }, 50);
});
after(async () => {
  clearInterval(ticker);
  await c.stop();
});

function microTime(): string {
  return new Date().toISOString().replace(/Z$/, '000Z');
}

function lease(name: string): KubeObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
  };
}

const node = (name: string) => c.client.get<Node>(R.nodes, undefined, name);
const livePods = async () => (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=life' })).items.filter((p) => !p.metadata.deletionTimestamp);

test('a node whose Lease stops being renewed goes Unknown, is tainted, its pods leave the EndpointSlice, are evicted after their toleration and move', async (t) => {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'life', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'life' } },
      template: {
        metadata: { labels: { app: 'life' } },
        spec: {
          containers: [{ name: 'c', image: 'busybox' }],
          // Short, so the test need not wait the 300 s DefaultTolerationSeconds gives.
          tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }],
        },
      },
    },
  };
  await c.client.create(R.deployments, 'default', d);
  await c.client.create(R.services, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'life', namespace: 'default' },
    spec: { selector: { app: 'life' }, ports: [{ port: 80 }] },
  });
  await eventually(async () => {
    const pods = await livePods();
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['n1', 'n2']);
  });
  // DefaultTolerationSeconds gave the pods the toleration they lacked, and left theirs alone.
  const tolerations = (await livePods())[0]!.spec.tolerations as { key: string; tolerationSeconds: number }[];
  assert.deepEqual(tolerations.map((t) => `${t.key}=${t.tolerationSeconds}`), ['node.kubernetes.io/unreachable=1', 'node.kubernetes.io/not-ready=300']);
  for (const p of await livePods()) await makePodReady(c.client, p, p.spec.nodeName === 'n1' ? '127.244.1.10' : '127.244.2.10');
  const readyEndpoints = async () => {
    const slices = (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=life' })).items;
    return slices.flatMap((s) => s.endpoints.filter((e) => e.conditions?.ready).map((e) => e.nodeName)).sort();
  };
  await eventually(async () => assert.deepEqual(await readyEndpoints(), ['n1', 'n2']));

  renewing.delete('n1');
  const stoppedAt = Date.now();
  await eventually(async () => assert.deepEqual(await readyEndpoints(), ['n2']), 5000);
  const outAfter = Date.now() - stoppedAt;
  assert.ok(outAfter <= gracePeriodMs + 1000, `out of the EndpointSlice ${outAfter} ms after the last heartbeat`);
  t.diagnostic(`the silent node's pod was out of the EndpointSlice ${outAfter} ms after its last heartbeat (grace ${gracePeriodMs} ms)`);
  await eventually(async () => {
    const n = await node('n1');
    const ready = n.status!.conditions!.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    const taints = (n.spec?.taints ?? []) as { key: string; effect: string }[];
    assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.equal((await node('n2')).status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
  }, 5000);
  // Its pod is marked NotReady, then evicted; the ReplicaSet's replacement lands on n2.
  await eventually(async () => {
    const all = (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=life' })).items;
    const onN1 = all.filter((p) => p.spec.nodeName === 'n1');
    assert.equal(onN1.length, 1);
    assert.ok(onN1[0]!.metadata.deletionTimestamp, 'evicted');
    assert.equal(onN1[0]!.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
    assert.equal(onN1[0]!.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    const live = await livePods();
    assert.deepEqual(live.map((p) => p.spec.nodeName), ['n2', 'n2']);
  }, 5000);

  renewing.add('n1');
  await eventually(async () => {
    const n = await node('n1');
    assert.equal(n.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
    assert.deepEqual(n.spec?.taints ?? [], []);
  }, 5000);
});

test('when every node goes silent, none is tainted for eviction and no pod is deleted (master disruption mode), and none stays Ready', async () => {
  const before = (await livePods()).map((p) => p.metadata.name).sort();
  renewing.clear();
  await eventually(async () => {
    for (const name of ['n1', 'n2']) {
      const n = await node(name);
      assert.equal(n.status!.conditions!.find((x) => x.type === 'Ready')!.status, 'Unknown');
      const taints = (n.spec?.taints ?? []) as { key: string; effect: string }[];
      assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule']);
    }
  }, 5000);
  // Longer than the pods' 1 s toleration: they would have gone if the nodes had been tainted.
  await new Promise((r) => setTimeout(r, 1500));
  assert.deepEqual((await livePods()).map((p) => p.metadata.name).sort(), before);
  // A pod that shows up Ready on a silent node (a late status write) is marked not Ready again.
  const [late] = await livePods();
  await makePodReady(c.client, late!, '127.244.2.11');
  await eventually(async () => {
    const p = await c.client.get<Pod>(R.pods, 'default', late!.metadata.name!);
    assert.equal(p.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  }, 3000);
  renewing.add('n1');
  renewing.add('n2');
  await eventually(async () => {
    for (const name of ['n1', 'n2']) assert.deepEqual((await node(name)).spec?.taints ?? [], []);
  }, 5000);
});
