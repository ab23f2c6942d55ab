// The agent's pull stage with a test ImagePuller (the boundary) and the real crun behind it: the
// image back-off's retries, recovery once the registry answers, the image config reaching the
// process, CreateContainerError, and the runtime chosen per image (kubesvc.io/host beside OCI).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Event, Pod } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { readLogs } from '../../../src/node/agent.js';
import { eventually, startAgentCluster, type AgentCluster } from '../cluster.js';
import { BusyboxPuller, busyboxConfig, busyboxRootfs, crunAvailable } from './busybox-image.js';

const skip = crunAvailable ? false : 'needs root, /usr/bin/crun and /bin/busybox (busybox-static)';
let c: AgentCluster;
let rootfs = '';
let puller: BusyboxPuller;

before(async () => {
  if (skip) return;
  rootfs = busyboxRootfs();
  puller = new BusyboxPuller(rootfs, { ...busyboxConfig, Env: [...busyboxConfig.Env!, 'GREETING=from-image'] });
  c = await startAgentCluster({ imagePuller: puller, imageBackoff: { initialMs: 400, maxMs: 1600 } });
});

after(async () => {
  if (skip) return;
  await c.stop();
  rmSync(rootfs, { recursive: true, force: true });
});

const getPod = (name: string) => c.client.get<Pod>(R.pods, 'default', name);
const events = async (name: string) => (await c.client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === name);
const waiting = (p: Pod) => p.status?.containerStatuses?.[0]?.state?.waiting;

function pod(name: string, container: Record<string, unknown>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox:1.36', ...container }] },
  } as Pod;
}

async function logsOf(name: string): Promise<string> {
  let out = '';
  for await (const chunk of await readLogs('default', name, undefined, {})) out += chunk.toString();
  return out;
}

test('a failing pull backs off (doubling), and the container starts once the registry answers', { skip }, async () => {
  const image = 'registry.test/flaky:1';
  puller.failing.set(image, 'registry.test: i/o timeout');
  await c.client.create(R.pods, 'default', pod('flaky', { image, args: ['echo started; sleep 600'] }));
  await eventually(async () => waiting(await getPod('flaky'))?.reason === 'ImagePullBackOff', 10_000);
  const p = await getPod('flaky');
  assert.equal(waiting(p)?.message, `Back-off pulling image "${image}"`);
  const evs = await events('flaky');
  assert.ok(evs.some((e) => e.reason === 'Failed' && e.message === `Failed to pull image "${image}": registry.test: i/o timeout`));
  assert.ok(evs.some((e) => e.reason === 'BackOff' && e.type === 'Normal' && e.message === `Back-off pulling image "${image}"`));
  // The back-off doubles: a few pulls in ~3 s (0.4 + 0.8 + 1.6), not one per sync.
  const calls0 = puller.calls;
  await new Promise((r) => setTimeout(r, 3000));
  const tries = puller.calls - calls0;
  assert.ok(tries >= 1 && tries <= 4, `${tries} pulls in 3 s`);
  puller.failing.delete(image);
  const running = await eventually(async () => {
    const q = await getPod('flaky');
    return q.status?.containerStatuses?.[0]?.state?.running && q;
  }, 10_000);
  assert.match(running.status!.containerStatuses![0]!.imageID, /@sha256:/);
  await eventually(async () => (await logsOf('flaky')) === 'started\n');
  await c.client.delete(R.pods, 'default', 'flaky');
});

test("the image's Env, Entrypoint and Cmd reach the process; a kubesvc.io/host pod runs beside it", { skip }, async () => {
  await c.client.create(R.pods, 'default', pod('merged', { env: [{ name: 'EXTRA', value: 'x' }], args: ['echo $GREETING $EXTRA; readlink /bin/sh; exec sleep 600'] }));
  await c.client.create(R.pods, 'default', pod('host', { image: 'kubesvc.io/host', command: ['sh', '-c', 'echo on-host; exec sleep 600'] }));
  await eventually(async () => (await logsOf('merged')) === 'from-image x\nbusybox\n', 15_000);
  await eventually(async () => (await logsOf('host')) === 'on-host\n', 15_000);
  const hostPod = await getPod('host');
  assert.equal(hostPod.status?.containerStatuses?.[0]?.imageID, `kubesvc://kubesvc.io/host`);
  await c.client.delete(R.pods, 'default', 'merged');
  await c.client.delete(R.pods, 'default', 'host');
});

test('an image with no command and a container without one waits with CreateContainerError', { skip }, async () => {
  puller.failing.clear();
  const saved = puller.config;
  puller.config = { Env: ['PATH=/bin'] };
  try {
    await c.client.create(R.pods, 'default', pod('nocmd', { image: 'registry.test/nocmd:1' }));
    const p = await eventually(async () => {
      const q = await getPod('nocmd');
      return waiting(q)?.reason === 'CreateContainerError' && q;
    }, 10_000);
    assert.equal(waiting(p)?.message, 'failed to generate container spec: no command specified');
    assert.equal(p.status?.containerStatuses?.[0]?.restartCount, 0);
  } finally {
    puller.config = saved;
  }
  await c.client.delete(R.pods, 'default', 'nocmd');
});
