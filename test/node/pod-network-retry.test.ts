// The pod network's failure paths in the agent: a failed tearDown keeps the pod's IP reserved until
// a retried tearDown succeeds (the old veth may still answer ARP for it on cni0), and a failed setUp
// is retried even when a status write fails in between (its 1 s retry must not swallow the 5 s
// sandbox retry).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodStatus } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { CrashBackoff } from '../../src/node/backoff.js';
import { PodIPAllocator } from '../../src/node/ipam.js';
import { NetworkReleaser } from '../../src/node/network-release.js';
import type { PodNetwork } from '../../src/node/pod-network.js';
import { PodWorker } from '../../src/node/pod-worker.js';
import { ProcessRuntime } from '../../src/node/runtime/process.js';
import { eventually, startAgentCluster, type AgentCluster } from './cluster.js';

const node = process.execPath;

/** Records "setUp <name> <ip>", "tearDown <name> failed|ok"; fails the next N calls per pod name. */
class FlakyPodNetwork implements PodNetwork {
  readonly kind = 'netns' as const;
  readonly calls: string[] = [];
  readonly failSetUp = new Map<string, number>();
  readonly failTearDown = new Map<string, number>();
  private readonly names = new Map<string, string>();
  async setUp(pod: Pod, ip: string): Promise<void> {
    const name = pod.metadata.name!;
    this.names.set(pod.metadata.uid!, name);
    this.calls.push(`setUp ${name} ${ip}`);
    if (this.take(this.failSetUp, name)) throw new Error('veth: device busy');
  }
  async tearDown(uid: string): Promise<void> {
    const name = this.names.get(uid) ?? uid;
    const fail = this.take(this.failTearDown, name);
    this.calls.push(`tearDown ${name} ${fail ? 'failed' : 'ok'}`);
    if (fail) throw new Error('ip netns del: device or resource busy');
  }
  execPrefix(): string[] {
    return [];
  }
  private take(m: Map<string, number>, name: string): boolean {
    const left = m.get(name) ?? 0;
    if (left > 0) m.set(name, left - 1);
    return left > 0;
  }
}

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'kubesvc.io/host', command: [node, '-e', 'setInterval(() => {}, 1000)'] }] },
});

let c: AgentCluster | undefined;
after(async () => {
  await c?.stop();
});

test('a failed tearDown keeps the IP reserved until a retried tearDown succeeds; only then the next pod gets it', async () => {
  const net = new FlakyPodNetwork();
  // A /30 has one pod address (.2): pod b can only get the IP pod a had.
  c = await startAgentCluster({ podCIDR: '127.244.9.0/30', podNetwork: net, networkRelease: { initialMs: 1500, maxMs: 1500 } });
  const cl = c;
  const get = (name: string) => cl.client.get<Pod>(R.pods, 'default', name);
  await cl.client.create(R.pods, 'default', pod('a'));
  const a = await eventually(async () => {
    const p = await get('a');
    return p.status?.phase === 'Running' && p;
  });
  const uid = a.metadata.uid!;
  assert.equal(a.status?.podIP, '127.244.9.2');
  await cl.client.create(R.pods, 'default', pod('b'));
  await eventually(async () => (await get('b')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating');

  net.failTearDown.set('a', 1);
  await cl.client.delete(R.pods, 'default', 'a');
  await eventually(() => net.calls.includes('tearDown a failed'));
  // The pod is gone from the API and its worker from the agent, but not its IP.
  await eventually(async () => {
    try {
      await get('a');
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(cl.agent.ipam.ipOf(uid), '127.244.9.2', 'the IP stays with the pod whose network is still there');
  assert.ok(cl.agent.releaser.retrying(uid));
  assert.ok(!net.calls.some((l) => l.startsWith('setUp b')), 'b got no IP while a still held it');

  const b = await eventually(async () => {
    const p = await get('b');
    return p.status?.phase === 'Running' && p;
  }, 20_000);
  assert.equal(b.status?.podIP, '127.244.9.2');
  const retried = net.calls.indexOf('tearDown a ok');
  assert.ok(retried > net.calls.indexOf('tearDown a failed'), net.calls.join('\n'));
  assert.ok(net.calls.indexOf('setUp b 127.244.9.2') > retried, `b was set up before a's network was gone:\n${net.calls.join('\n')}`);
  assert.ok(!cl.agent.releaser.retrying(uid));
});

test('setUp fails once and the next status write fails once: the pod still starts after the sandbox retry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retry-'));
  const runtime = new ProcessRuntime(dir);
  await runtime.init();
  const net = new FlakyPodNetwork();
  net.failSetUp.set('w', 1);
  const ipam = new PodIPAllocator('127.244.3.0/24');
  const writes: string[] = [];
  let failNextWrite = false;
  const p = pod('w');
  p.metadata.uid = '00000000-0000-4000-8000-000000000001';
  const worker = new PodWorker(p, {
    nodeName: 'node-1',
    nodeIP: '127.0.0.1',
    dataDir: dir,
    runtime,
    ipam,
    podNetwork: net,
    releaser: new NetworkReleaser(net, ipam),
    backoff: new CrashBackoff({ initialMs: 300, maxMs: 2000 }),
    imageBackoff: new CrashBackoff(),
    pullSecrets: async () => [],
    events: {
      podEvent: (_pod, _c, _type, reason) => {
        // The status write right after the failed setUp fails (API server briefly unavailable).
        if (reason === 'FailedCreatePodSandBox') failNextWrite = true;
      },
    },
    services: () => [],
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    writeStatus: async (pod: Pod, status: PodStatus) => {
      if (failNextWrite) {
        failNextWrite = false;
        writes.push('failed');
        throw new Error('connection refused');
      }
      writes.push(status.containerStatuses?.[0]?.state?.running ? 'running' : 'waiting');
      return { ...pod, status };
    },
    deletePod: async () => {},
    probeSecondMs: 100,
    onFinished: () => {},
  });
  try {
    worker.kick();
    await eventually(() => writes.includes('failed'));
    // The sandbox retry comes 5 s after the failure.
    await eventually(() => worker.handles.length === 1, 12_000, 'the container to start');
    assert.deepEqual(net.calls, ['setUp w 127.244.3.2', 'setUp w 127.244.3.2']);
    assert.equal(writes[0], 'failed');
    await eventually(() => writes.at(-1) === 'running');
  } finally {
    await worker.shutdown(1000);
    rmSync(dir, { recursive: true, force: true });
  }
});
