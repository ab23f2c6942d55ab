// The node agent drives its PodNetwork as the kubelet drives CNI: setUp with the pod's IP before
// the first container starts (again after an agent restart), tearDown once every process of the
// pod is gone, and every process of the pod behind execPrefix. A fake network records the calls
// in one log with the runtime's starts and exits, so their order can be checked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import type { PodNetwork } from '../../src/node/pod-network.js';
import { ProcessRuntime } from '../../src/node/runtime/process.js';
import type { ContainerConfig, ContainerHandle } from '../../src/node/runtime/types.js';
import { eventually, startAgentCluster, type AgentCluster } from './cluster.js';

const node = process.execPath;
const prefix = ['/usr/bin/env', 'KUBESVC_TEST_PREFIX=1'];

/** Everything that happened, in order: "setUp <pod> <ip>", "start <pod> <prefix>", "exit <pod>", "tearDown <pod>". */
const calls: string[] = [];
const names = new Map<string, string>();
/** setUp rejects this many more times for a pod name. */
const failSetUp = new Map<string, number>();

class FakePodNetwork implements PodNetwork {
  readonly kind = 'netns' as const;
  async setUp(pod: Pod, ip: string): Promise<void> {
    const name = pod.metadata.name!;
    names.set(pod.metadata.uid!, name);
    calls.push(`setUp ${name} ${ip}`);
    const left = failSetUp.get(name) ?? 0;
    if (left > 0) {
      failSetUp.set(name, left - 1);
      throw new Error('veth: device busy');
    }
  }
  async tearDown(uid: string): Promise<void> {
    calls.push(`tearDown ${names.get(uid) ?? uid}`);
  }
  execPrefix(pod: Pod): string[] {
    return pod.spec.hostNetwork ? [] : prefix;
  }
}

/** The process runtime, recording starts and exits in the same log. */
class RecordingRuntime extends ProcessRuntime {
  override async start(config: ContainerConfig): Promise<ContainerHandle> {
    calls.push(`start ${config.podName} ${(config.execPrefix ?? []).join(' ')}`.trimEnd());
    const h = await super.start(config);
    void h.exited.then(() => calls.push(`exit ${config.podName}`));
    return h;
  }
}

let c: AgentCluster;
let dir: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'podnet-'));
  const dataDir = join(dir, 'node');
  c = await startAgentCluster({ dataDir, podNetwork: new FakePodNetwork(), runtime: new RecordingRuntime(dataDir) });
});
after(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function pod(name: string, container: Partial<Pod['spec']['containers'][0]>, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'kubesvc.io/host', command: [node, '-e', 'setInterval(() => {}, 1000)'], ...container }],
      ...spec,
    },
  };
}

const getPod = (name: string) => c.client.get<Pod>(R.pods, 'default', name);
const of = (name: string) => calls.filter((l) => l.split(' ')[1] === name);
const gone = (name: string) =>
  eventually(async () => {
    try {
      await getPod(name);
      return false;
    } catch {
      return true;
    }
  });

async function execOut(name: string, command: string[]): Promise<{ out: string; code: number | null }> {
  const s = await c.agent.streamingRuntime().exec({ namespace: 'default', pod: name, container: 'c', command, stdin: false, tty: false });
  let out = '';
  const drained = (r: NodeJS.ReadableStream | undefined) =>
    new Promise<void>((resolve) => {
      if (!r) return resolve();
      r.on('data', (d: Buffer) => (out += d.toString()));
      r.on('end', () => resolve());
    });
  const [{ code }] = await Promise.all([s.exit, drained(s.stdout), drained(s.stderr)]);
  return { out, code };
}

test('setUp with the pod IP before the first container; container, exec probe, hook and exec session behind the prefix; tearDown after exit on delete', async () => {
  const marker = join(dir, 'web.out');
  const hook = join(dir, 'hook.out');
  const script = `require('fs').writeFileSync(${JSON.stringify(marker)}, process.env.KUBESVC_TEST_PREFIX + ' ' + process.env.KUBESVC_POD_NETWORK); setInterval(() => {}, 1000)`;
  await c.client.create(
    R.pods,
    'default',
    pod('web', {
      command: [node, '-e', script],
      // Ready only if the probe ran behind the prefix.
      readinessProbe: { exec: { command: [node, '-e', 'process.exit(process.env.KUBESVC_TEST_PREFIX === "1" ? 0 : 1)'] }, periodSeconds: 1 },
      lifecycle: { postStart: { exec: { command: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(hook)}, String(process.env.KUBESVC_TEST_PREFIX))`] } } },
    }),
  );
  const running = await eventually(async () => {
    const p = await getPod('web');
    return p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' && p;
  });
  const ip = running.status!.podIP!;
  assert.match(ip, /^127\.244\.1\.\d+$/);
  assert.deepEqual(of('web'), [`setUp web ${ip}`, `start web ${prefix.join(' ')}`]);
  await eventually(() => readFileSync(marker, 'utf8') === '1 netns');
  await eventually(() => readFileSync(hook, 'utf8') === '1');
  assert.deepEqual(await execOut('web', [node, '-e', 'console.log(process.env.KUBESVC_TEST_PREFIX)']), { out: '1\n', code: 0 });
  // A missing command is named as it would be without the prefix.
  const missing = await execOut('web', ['no-such-program-xyz']);
  assert.equal(missing.code, 126);
  assert.match(missing.out, /exec: "no-such-program-xyz": executable file not found in \$PATH/);

  await c.client.delete(R.pods, 'default', 'web');
  await gone('web');
  await eventually(() => of('web').includes('tearDown web'));
  assert.deepEqual(of('web'), [`setUp web ${ip}`, `start web ${prefix.join(' ')}`, 'exit web', 'tearDown web']);
  assert.equal(c.agent.ipam.ipOf(running.metadata.uid!), undefined, 'its IP went back to the pool');
});

test('a pod that ends (restartPolicy Never) has its network torn down after its process exited', async () => {
  await c.client.create(R.pods, 'default', pod('job', { command: [node, '-e', 'process.exit(0)'] }, { restartPolicy: 'Never' }));
  await eventually(async () => (await getPod('job')).status?.phase === 'Succeeded');
  await eventually(() => of('job').includes('tearDown job'));
  const log = of('job');
  assert.equal(log.length, 4, log.join('\n'));
  assert.match(log[0]!, /^setUp job 127\.244\.1\.\d+$/);
  assert.deepEqual(log.slice(1), [`start job ${prefix.join(' ')}`, 'exit job', 'tearDown job']);
  // Deleting the finished pod does not tear it down again.
  await c.client.delete(R.pods, 'default', 'job');
  await gone('job');
  assert.equal(of('job').filter((l) => l.startsWith('tearDown')).length, 1);
});

test('a failed setUp is FailedCreatePodSandBox; the retry succeeds and only then the container starts', async () => {
  failSetUp.set('flaky', 1);
  await c.client.create(R.pods, 'default', pod('flaky', {}));
  const ev = await eventually(async () =>
    (await c.client.list<Event>(R.events, 'default')).items.find((e) => e.involvedObject.name === 'flaky' && e.reason === 'FailedCreatePodSandBox'),
  );
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, 'Failed to create pod sandbox: veth: device busy');
  const pending = await getPod('flaky');
  assert.equal(pending.status?.phase, 'Pending');
  assert.equal(pending.status?.containerStatuses?.[0]?.state?.waiting?.reason, 'ContainerCreating');
  assert.equal(pending.status?.conditions?.find((x) => x.type === 'PodReadyToStartContainers')?.status, 'False');
  assert.ok(!of('flaky').some((l) => l.startsWith('start')), 'no container before the network is up');
  const p = await eventually(async () => {
    const q = await getPod('flaky');
    return q.status?.phase === 'Running' && q;
  }, 15_000);
  const ip = p.status!.podIP!;
  assert.deepEqual(of('flaky'), [`setUp flaky ${ip}`, `setUp flaky ${ip}`, `start flaky ${prefix.join(' ')}`]);
  await c.client.delete(R.pods, 'default', 'flaky');
  await gone('flaky');
});

test('a hostNetwork pod gets no setUp or tearDown and starts without the prefix', async () => {
  await c.client.create(R.pods, 'default', pod('host', {}, { hostNetwork: true }));
  const p = await eventually(async () => {
    const q = await getPod('host');
    return q.status?.phase === 'Running' && q;
  });
  assert.equal(p.status?.podIP, '127.0.0.1');
  await c.client.delete(R.pods, 'default', 'host');
  await gone('host');
  assert.deepEqual(of('host'), ['start host', 'exit host']);
});

test('after an agent restart a running pod is set up again (same IP) before its container starts again', async () => {
  await c.client.create(R.pods, 'default', pod('keep', {}));
  const p = await eventually(async () => {
    const q = await getPod('keep');
    return q.status?.phase === 'Running' && q;
  });
  const ip = p.status!.podIP!;
  await c.agent.stop();
  // Stopping the agent keeps the pod's network for the next agent.
  assert.deepEqual(of('keep'), [`setUp keep ${ip}`, `start keep ${prefix.join(' ')}`, 'exit keep']);
  await c.restartAgent();
  await eventually(async () => (await getPod('keep')).status?.containerStatuses?.[0]?.restartCount === 1);
  assert.deepEqual(of('keep'), [`setUp keep ${ip}`, `start keep ${prefix.join(' ')}`, 'exit keep', `setUp keep ${ip}`, `start keep ${prefix.join(' ')}`]);
  await c.client.delete(R.pods, 'default', 'keep');
  await gone('keep');
  await eventually(() => of('keep').at(-1) === 'tearDown keep');
});
