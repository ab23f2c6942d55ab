import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from '../../src/api/apps.js';
import type { Node, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { StatusError } from '../../src/machinery/status.js';
import { getTargetNodeName } from '../../src/controllers/daemonset/daemon-pod.js';
import { startControllerCluster, eventually, makePodReady, retryOnConflict, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
before(async () => {
  // No scheduler: daemon pods stay unbound (their node is the one their affinity names) and deletes are immediate.
  c = await startControllerCluster({ scheduler: false });
  const nodes: [string, Record<string, string>, unknown[]][] = [
    ['a', { role: 'x' }, []],
    ['b', { role: 'x' }, []],
    ['c', { role: 'y' }, [{ key: 'dedicated', value: 'foo', effect: 'NoSchedule' }]],
  ];
  for (const [name, labels, taints] of nodes) {
    const n = await c.client.create<Node>(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } });
    n.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] };
    await c.client.update(R.nodes, undefined, n, { subresource: 'status' });
  }
});
after(async () => {
  await c.stop();
});

function ds(name: string, extra: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'agnhost:1' }] } },
      ...extra,
    },
  };
}

const podsOf = async (app: string) => (await c.client.list<Pod>(R.pods, 'default', { labelSelector: `app=${app}` })).items;
const byNode = (ps: Pod[]) => ps.map((p) => `${getTargetNodeName(p)}:${p.spec.containers[0]!.image}`).sort();
const getDs = (name: string) => c.client.get<DaemonSet>(R.daemonsets, 'default', name);
async function readyAll(app: string): Promise<void> {
  for (const p of await podsOf(app)) if (!p.status?.conditions?.some((x) => x.type === 'Ready')) await makePodReady(c.client, p);
}
async function edit(name: string, f: (d: DaemonSet) => void): Promise<void> {
  await retryOnConflict(async () => {
    const d = await getDs(name);
    f(d);
    await c.client.update(R.daemonsets, 'default', d);
  });
}

test('one pod per eligible node, pinned by node affinity, tolerating node conditions; tainted nodes are skipped', async () => {
  const created = await c.client.create<DaemonSet>(R.daemonsets, 'default', ds('agent'));
  assert.deepEqual(created.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  await eventually(async () => assert.deepEqual(byNode(await podsOf('agent')), ['a:agnhost:1', 'b:agnhost:1']));
  const [p] = await podsOf('agent');
  const terms = (p!.spec.affinity as { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: unknown[] } } }).nodeAffinity
    .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
  assert.deepEqual(terms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [getTargetNodeName(p!)] }] }]);
  const tolerated = (p!.spec.tolerations as { key: string; effect: string }[]).map((t) => `${t.key}:${t.effect}`);
  for (const k of ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unschedulable:NoSchedule']) {
    assert.ok(tolerated.includes(k), k);
  }
  assert.ok(p!.metadata.labels?.['controller-revision-hash']);
  assert.equal(created.metadata.annotations?.['deprecated.daemonset.template.generation'], '1');
  assert.equal(p!.metadata.labels?.['pod-template-generation'], '1');
  await eventually(async () => {
    const st = (await getDs('agent')).status!;
    assert.deepEqual([st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.numberMisscheduled], [2, 2, 0, 0]);
  });
  await readyAll('agent');
  await eventually(async () => {
    const st = (await getDs('agent')).status!;
    assert.deepEqual([st.numberReady, st.numberAvailable, st.updatedNumberScheduled, st.numberUnavailable], [2, 2, 2, 0]);
  });
});

test('rolling update replaces one node at a time (maxUnavailable 1); a toleration opens the tainted node', async () => {
  await edit('agent', (d) => {
    d.spec.template.spec.containers[0]!.image = 'agnhost:2';
    d.spec.template.spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'foo', effect: 'NoSchedule' }];
  });
  // c gets a pod at once (it has none); of a and b only one is replaced while the new one is not ready.
  await eventually(async () => {
    const got = byNode(await podsOf('agent'));
    assert.ok(got.includes('c:agnhost:2'));
    assert.equal(got.filter((x) => x.endsWith('agnhost:1')).length, 1, got.join(' '));
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(byNode(await podsOf('agent')).filter((x) => x.endsWith('agnhost:1')).length, 1);
  for (let i = 0; i < 3; i++) {
    await readyAll('agent');
    await new Promise((r) => setTimeout(r, 100));
  }
  await eventually(async () => assert.deepEqual(byNode(await podsOf('agent')), ['a:agnhost:2', 'b:agnhost:2', 'c:agnhost:2']));
  assert.equal((await getDs('agent')).metadata.annotations?.['deprecated.daemonset.template.generation'], '2');
  assert.ok((await podsOf('agent')).every((p) => p.metadata.labels?.['pod-template-generation'] === '2'));
  await readyAll('agent');
  await eventually(async () => {
    const st = (await getDs('agent')).status!;
    assert.deepEqual([st.desiredNumberScheduled, st.updatedNumberScheduled, st.numberAvailable], [3, 3, 3]);
  });
});

test('a node selector excluding a node removes its pod; OnDelete leaves pods until deleted', async () => {
  await edit('agent', (d) => {
    d.spec.template.spec.nodeSelector = { role: 'x' };
    d.spec.updateStrategy = { type: 'OnDelete' };
  });
  await eventually(async () => assert.deepEqual(byNode(await podsOf('agent')).map((x) => x.split(':')[0]), ['a', 'b']));
  await new Promise((r) => setTimeout(r, 300));
  // OnDelete: the template changed (nodeSelector) but the pods on a and b are the old revision still.
  const before = await podsOf('agent');
  const st = (await getDs('agent')).status!;
  assert.deepEqual([st.desiredNumberScheduled, st.numberMisscheduled, st.updatedNumberScheduled], [2, 0, 0]);
  await c.client.delete(R.pods, 'default', before.find((p) => getTargetNodeName(p) === 'a')!.metadata.name!);
  await eventually(async () => {
    const a = (await podsOf('agent')).find((p) => getTargetNodeName(p) === 'a');
    assert.ok(a && a.spec.nodeSelector?.['role'] === 'x');
  });
});

test('maxSurge starts the new pod beside the old one and removes the old one once the new is available', async () => {
  await c.client.create(R.daemonsets, 'default', ds('surge', { template: { metadata: { labels: { app: 'surge' } }, spec: { nodeSelector: { role: 'x' }, containers: [{ name: 'c', image: 'agnhost:1' }] } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
  await eventually(async () => assert.equal((await podsOf('surge')).length, 2));
  await readyAll('surge');
  await edit('surge', (d) => (d.spec.template.spec.containers[0]!.image = 'agnhost:2'));
  await eventually(async () => assert.equal(byNode(await podsOf('surge')).filter((x) => x.endsWith('agnhost:2')).length, 1));
  // Both old pods still run: the surge pod is not available yet.
  assert.equal(byNode(await podsOf('surge')).filter((x) => x.endsWith('agnhost:1')).length, 2);
  for (let i = 0; i < 4; i++) {
    await readyAll('surge');
    await new Promise((r) => setTimeout(r, 150));
  }
  await eventually(async () => assert.deepEqual(byNode(await podsOf('surge')), ['a:agnhost:2', 'b:agnhost:2']));
});

test('validation: upstream messages for the update strategy and the selector', async () => {
  const both = ds('both', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } });
  const zero = ds('zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } });
  const empty = ds('empty', { selector: {} });
  for (const [obj, field, msg] of [
    [both, 'spec.updateStrategy.rollingUpdate.maxSurge', 'may not be set when maxUnavailable is non-zero'],
    [zero, 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'cannot be 0 when maxSurge is 0'],
    [empty, 'spec.selector', 'empty selector is invalid for daemonset'],
  ] as const) {
    try {
      await c.client.create(R.daemonsets, 'default', obj);
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 422);
      assert.ok(e.details?.causes?.some((x) => x.field === field && x.message?.includes(msg)), JSON.stringify(e.details?.causes));
    }
  }
  const d = await getDs('agent');
  d.spec.selector = { matchLabels: { app: 'other' } };
  d.spec.template.metadata!.labels = { app: 'other' };
  await assert.rejects(c.client.update(R.daemonsets, 'default', d), (e: StatusError) => e.code === 422 && /field is immutable/.test(e.message));
});
