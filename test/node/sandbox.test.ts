// A node whose pod CIDR is full: the next pod waits (FailedCreatePodSandBox) until an IP is free.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { eventually, startAgentCluster, type AgentCluster } from './cluster.js';

let c: AgentCluster | undefined;
after(async () => {
  await c?.stop();
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'kubesvc.io/host', command: ['sleep', '60'] }] },
});

test('a full pod CIDR: FailedCreatePodSandBox, then the freed IP goes to the waiting pod', async () => {
  // A /30 leaves one pod address (.2) besides network, gateway and broadcast.
  c = await startAgentCluster({ podCIDR: '127.244.9.0/30' });
  await c.client.create(R.pods, 'default', pod('a'));
  await eventually(async () => (await c!.client.get<Pod>(R.pods, 'default', 'a')).status?.phase === 'Running');
  await c.client.create(R.pods, 'default', pod('b'));
  const ev = await eventually(async () =>
    (await c!.client.list<Event>(R.events, 'default')).items.find((e) => e.involvedObject.name === 'b' && e.reason === 'FailedCreatePodSandBox'),
  );
  assert.equal(ev.message, 'Failed to create pod sandbox: no pod IP left in 127.244.9.0/30: 1 pods hold every address');
  const b = await c.client.get<Pod>(R.pods, 'default', 'b');
  assert.equal(b.status?.phase, 'Pending');
  assert.equal(b.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  await c.client.delete(R.pods, 'default', 'a');
  const ready = await eventually(async () => {
    const p = await c!.client.get<Pod>(R.pods, 'default', 'b');
    return p.status?.phase === 'Running' && p;
  }, 15_000);
  assert.equal(ready.status?.podIP, '127.244.9.2');
});
