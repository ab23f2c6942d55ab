// Scheduling and pods/binding, over the in-process client and over HTTPS (the binding handler).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { StatusError } from '../../src/machinery/status.js';
import { startControllerCluster, eventually, type ControllerCluster, type Transport } from '../controllers/cluster.js';

export function runSchedulerSuite(transport: Transport): void {
 describe(`scheduler over the ${transport} client`, () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({}, transport);
    for (const name of ['node-b', 'node-a', 'node-c']) await createNode(name, { zone: name === 'node-c' ? 'z2' : 'z1' });
  });
  after(async () => {
    await c.stop();
  });

  async function createNode(name: string, labels: Record<string, string>): Promise<void> {
    const n = await c.client.create<Node>(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } } });
    n.status = { ...n.status, allocatable: { cpu: '2', memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }] };
    await c.client.update(R.nodes, undefined, n, { subresource: 'status' });
  }

  function newPod(name: string, nodeSelector?: Record<string, string>): Pod {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'sched' } },
      spec: { containers: [{ name: 'c', image: 'busybox' }], ...(nodeSelector ? { nodeSelector } : {}) },
    };
  }

  const events = async (reason: string) =>
    (await c.client.list<Event>(R.events, 'default')).items.filter((e) => e.reason === reason);

  test('pods spread over Ready nodes by fewest pods, ties by name, with Scheduled events', async () => {
    for (let i = 0; i < 6; i++) await c.client.create(R.pods, 'default', newPod(`p${i}`));
    await eventually(async () => {
      const pods = (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=sched' })).items;
      const perNode = new Map<string, number>();
      for (const p of pods) {
        assert.ok(p.spec.nodeName, `${p.metadata.name} bound`);
        perNode.set(p.spec.nodeName!, (perNode.get(p.spec.nodeName!) ?? 0) + 1);
        assert.equal(p.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');
      }
      assert.deepEqual([...perNode.values()], [2, 2, 2]);
    });
    const first = await c.client.get<Pod>(R.pods, 'default', 'p0');
    assert.equal(first.spec.nodeName, 'node-a');
    await eventually(async () => {
      const ev = (await events('Scheduled')).find((e) => e.involvedObject.name === 'p0');
      assert.equal(ev?.message, 'Successfully assigned default/p0 to node-a');
      assert.equal(ev?.type, 'Normal');
    });
  });

  test('nodeSelector is honoured; a pod that fits nowhere gets FailedScheduling', async () => {
    await c.client.create(R.pods, 'default', newPod('z2-only', { zone: 'z2' }));
    await c.client.create(R.pods, 'default', newPod('nowhere', { zone: 'z9' }));
    await eventually(async () => assert.equal((await c.client.get<Pod>(R.pods, 'default', 'z2-only')).spec.nodeName, 'node-c'));
    await eventually(async () => {
      const ev = (await events('FailedScheduling')).find((e) => e.involvedObject.name === 'nowhere');
      assert.equal(
        ev?.message,
        "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..",
      );
      assert.equal(ev?.type, 'Warning');
      const cond = (await c.client.get<Pod>(R.pods, 'default', 'nowhere')).status?.conditions?.find((x) => x.type === 'PodScheduled');
      assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['False', 'Unschedulable', ev?.message]);
    });
    // A node that fits arrives: the waiting pod is scheduled.
    await createNode('node-d', { zone: 'z9' });
    await eventually(async () => assert.equal((await c.client.get<Pod>(R.pods, 'default', 'nowhere')).spec.nodeName, 'node-d'));
  });

  test('required anti-affinity puts one pod per node; the extra one waits with upstream\'s message until a slot frees', async () => {
    const anti = (name: string): Pod => {
      const p = newPod(name);
      p.metadata.labels = { app: 'anti' };
      p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'anti' } }, topologyKey: 'kubernetes.io/hostname' }] } };
      return p;
    };
    const nodeCount = (await c.client.list<Node>(R.nodes, undefined)).items.length;
    for (let i = 0; i <= nodeCount; i++) await c.client.create(R.pods, 'default', anti(`anti-${i}`));
    const big = newPod('big');
    big.spec.containers[0]!.resources = { requests: { cpu: '3' } };
    await c.client.create(R.pods, 'default', big);
    let waiting = '';
    await eventually(async () => {
      const pods = (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=anti' })).items;
      const bound = pods.filter((p) => p.spec.nodeName);
      assert.equal(bound.length, nodeCount);
      assert.equal(new Set(bound.map((p) => p.spec.nodeName)).size, nodeCount);
      waiting = pods.find((p) => !p.spec.nodeName)!.metadata.name!;
      const ev = (await events('FailedScheduling')).find((e) => e.involvedObject.name === waiting);
      assert.equal(
        ev?.message,
        `0/${nodeCount} nodes are available: ${nodeCount} node(s) didn't match pod anti-affinity rules. preemption: 0/${nodeCount} nodes are available: ${nodeCount} No preemption victims found for incoming pod..`,
      );
      const tooBig = (await events('FailedScheduling')).find((e) => e.involvedObject.name === 'big');
      assert.equal(tooBig?.message, `0/${nodeCount} nodes are available: ${nodeCount} Insufficient cpu. preemption: 0/${nodeCount} nodes are available: ${nodeCount} No preemption victims found for incoming pod..`);
    });
    // One goes away: the waiting pod takes its node.
    const gone = (await c.client.list<Pod>(R.pods, 'default', { labelSelector: 'app=anti' })).items.find((p) => p.spec.nodeName)!;
    await c.client.delete(R.pods, 'default', gone.metadata.name!, { gracePeriodSeconds: 0 });
    await eventually(async () => assert.equal((await c.client.get<Pod>(R.pods, 'default', waiting)).spec.nodeName, gone.spec.nodeName));
  });

  test('a pod that finishes frees its requests for a waiting pod; mixed reasons and verdicts in one message', async () => {
    const z9 = (name: string): Pod => {
      const p = newPod(name, { zone: 'z9' });
      p.spec.containers[0]!.resources = { requests: { cpu: '1500m' } };
      return p;
    };
    await c.client.create(R.pods, 'default', z9('first'));
    await eventually(async () => assert.equal((await c.client.get<Pod>(R.pods, 'default', 'first')).spec.nodeName, 'node-d'));
    await c.client.create(R.pods, 'default', z9('second'));
    await eventually(async () => {
      const ev = (await events('FailedScheduling')).find((e) => e.involvedObject.name === 'second');
      assert.equal(
        ev?.message,
        "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling..",
      );
    });
    const first = await c.client.get<Pod>(R.pods, 'default', 'first');
    await c.client.update(R.pods, 'default', { ...first, status: { ...first.status, phase: 'Succeeded' } }, { subresource: 'status' });
    await eventually(async () => assert.equal((await c.client.get<Pod>(R.pods, 'default', 'second')).spec.nodeName, 'node-d'));
  });

  test('pods/binding sets nodeName once; a second binding is a 409', async () => {
    const p = await c.client.create<Pod>(R.pods, 'default', { ...newPod('manual'), spec: { ...newPod('manual').spec, schedulerName: 'none' } });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'manual' }, target: { kind: 'Node', name: 'node-b' } };
    const st = await c.client.create(R.pods, 'default', binding, { subresource: 'binding' });
    assert.equal((st as unknown as { status: string }).status, 'Success');
    assert.equal((await c.client.get<Pod>(R.pods, 'default', 'manual')).spec.nodeName, 'node-b');
    await assert.rejects(
      () => c.client.create(R.pods, 'default', { ...binding, target: { kind: 'Node', name: 'node-c' } }, { subresource: 'binding' }),
      (e: unknown) => e instanceof StatusError && e.code === 409 && e.message === 'Operation cannot be fulfilled on pods/binding "manual": pod manual is already assigned to node "node-b"',
    );
    void p;
    // Changing nodeName by update is forbidden, which is why binding exists.
    const fresh = await c.client.get<Pod>(R.pods, 'default', 'z2-only');
    fresh.spec.nodeName = 'node-a';
    await assert.rejects(() => c.client.update(R.pods, 'default', fresh), (e: unknown) => e instanceof StatusError && e.code === 422);
  });
 });
}
