// ResourceMetrics, the readings behind metrics.k8s.io, against a fake kubelet client (the
// boundary under test): rates from two readings, no reading more often than the resolution, a
// fresh pair when the last one is old, and pods reported whole or not at all.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { ResourceMetrics, RESOLUTION_MS } from '../../src/apiserver/metrics/resource-metrics.js';
import type { KubeletClient } from '../../src/apiserver/kubelet-client.js';
import type { Node } from '../../src/api/core.js';

interface Container {
  name: string;
  cpuNs: number;
  memory: number;
}
interface PodState {
  name: string;
  uid: string;
  containers: Container[];
}

/** A kubelet per node whose Summary is whatever `state` says at the moment of the request. */
function fakeKubelet(state: Map<string, { at: number; cpuNs: number; memory: number; pods: PodState[] } | 'down'>, calls: string[]): KubeletClient {
  return {
    request: async (node: Node) => {
      const name = node.metadata.name!;
      calls.push(name);
      const s = state.get(name);
      const res = Readable.from([Buffer.from(s === 'down' || !s ? 'no' : JSON.stringify({
        node: { nodeName: name, cpu: { time: new Date(s.at).toISOString(), usageCoreNanoSeconds: s.cpuNs }, memory: { workingSetBytes: s.memory } },
        pods: s.pods.map((p) => ({
          podRef: { name: p.name, namespace: 'default', uid: p.uid },
          containers: p.containers.map((c) => ({ name: c.name, cpu: { usageCoreNanoSeconds: c.cpuNs }, memory: { workingSetBytes: c.memory } })),
        })),
      }))]) as unknown as IncomingMessage;
      res.statusCode = s === 'down' ? 500 : 200;
      return res;
    },
  } as unknown as KubeletClient;
}

const node = (name: string) => ({ metadata: { name } }) as Node;

it('takes rates between two readings, reads again only after the resolution, and drops what cannot be rated', async () => {
  let now = 1_000_000;
  const calls: string[] = [];
  const state = new Map<string, { at: number; cpuNs: number; memory: number; pods: PodState[] } | 'down'>();
  const web = (cpuNs: number, uid = 'u1'): PodState => ({ name: 'web', uid, containers: [{ name: 'app', cpuNs, memory: 50 << 20 }, { name: 'side', cpuNs: cpuNs / 2, memory: 10 << 20 }] });
  state.set('n1', { at: now, cpuNs: 10e9, memory: 1 << 30, pods: [web(1e9)] });
  state.set('n2', 'down');
  const nodes = [node('n1'), node('n2')];
  const m = new ResourceMetrics(fakeKubelet(state, calls), () => nodes, () => now);

  // No reading yet, so a pair: the second reading (the kubelet's clock 1 s on) gives the rates.
  const first = m.fresh();
  await new Promise((r) => setTimeout(r, 50));
  now += 1000;
  state.set('n1', { at: now, cpuNs: 11.5e9, memory: 1 << 30, pods: [web(1.25e9), { name: 'new', uid: 'u2', containers: [{ name: 'c', cpuNs: 5, memory: 1 }] }] });
  await first;
  assert.deepEqual(calls, ['n1', 'n2', 'n1', 'n2']);
  const n1 = m.node('n1')!;
  assert.equal(n1.usage.cpu, 1.5e9, '1.5 s of CPU in 1 s of wall time: 1.5 cores');
  assert.equal(n1.windowMs, 1000);
  assert.equal(n1.usage.memory, 1 << 30);
  assert.equal(m.node('n2'), undefined, 'a node whose kubelet fails has no metrics');
  const pods = m.pods();
  assert.deepEqual(pods.get('default/web')!.containers, [
    { name: 'app', usage: { cpu: 0.25e9, memory: 50 << 20 } },
    { name: 'side', usage: { cpu: 0.125e9, memory: 10 << 20 } },
  ]);
  assert.equal(pods.has('default/new'), false, 'a pod read once has no rate yet');

  // Within the resolution nothing is read.
  now += RESOLUTION_MS - 1;
  await m.fresh();
  assert.equal(calls.length, 4);

  // After it, one reading (the previous one is recent enough to rate against). The web pod's
  // sidecar restarted (its counter went back): the pod is left out whole.
  now += 2;
  state.set('n1', { at: now, cpuNs: 13e9, memory: 1 << 30, pods: [{ ...web(2e9), containers: [{ name: 'app', cpuNs: 2e9, memory: 1 }, { name: 'side', cpuNs: 1, memory: 1 }] }, { name: 'new', uid: 'u2', containers: [{ name: 'c', cpuNs: 5 + 15e8, memory: 1 }] }] });
  await m.fresh();
  assert.equal(calls.length, 6);
  assert.equal(m.pods().has('default/web'), false);
  assert.equal(m.pods().get('default/new')!.containers[0]!.usage.cpu, Math.round((15e8 / (RESOLUTION_MS + 1)) * 1e3));

  // A pod deleted and created again under its name (another uid) starts over.
  now += RESOLUTION_MS;
  state.set('n1', { at: now, cpuNs: 14e9, memory: 1 << 30, pods: [web(3e9, 'u3')] });
  await m.fresh();
  assert.equal(m.pods().has('default/web'), false);

  // A node gone from the API is forgotten.
  nodes.pop();
  nodes.pop();
  now += RESOLUTION_MS;
  await m.fresh();
  assert.equal(m.node('n1'), undefined);
});

it('shares one round between concurrent requests', async () => {
  let now = 5_000_000;
  const calls: string[] = [];
  const state = new Map([['n1', { at: now, cpuNs: 1, memory: 1, pods: [] as PodState[] }]]);
  const m = new ResourceMetrics(fakeKubelet(state, calls), () => [node('n1')], () => (now += 10));
  await Promise.all([m.fresh(), m.fresh(), m.fresh()]);
  assert.deepEqual(calls, ['n1', 'n1']);
});
