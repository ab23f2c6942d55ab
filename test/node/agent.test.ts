import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Event, Node, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { isNotFound } from '../../src/machinery/status.js';
import { readLogs } from '../../src/node/agent.js';
import type { Lease } from '../../src/node/lease.js';
import { alive, eventually, startAgentCluster, type AgentCluster } from './cluster.js';

const node = process.execPath;

// A small HTTP server bound to POD_IP, as every kubesvc pod must bind its own address; /healthz
// answers 500 once HEALTHY_FOR ms have passed since it started.
const serverScript = `
const http = require('node:http');
const t0 = Date.now();
const healthyFor = Number(process.env.HEALTHY_FOR || 1e12);
http.createServer((req, res) => {
  if (req.url === '/healthz') { res.writeHead(Date.now() - t0 < healthyFor ? 200 : 500); return res.end(); }
  res.end(JSON.stringify({ host: process.env.HOSTNAME, ip: process.env.POD_IP, svc: process.env.KUBERNETES_SERVICE_HOST, node: process.env.NODE_NAME }));
}).listen(8080, process.env.POD_IP, () => console.log('listening on ' + process.env.POD_IP));
process.on('SIGTERM', () => { console.log('bye'); process.exit(0); });
`;

function podSpec(name: string, over: Partial<Pod['spec']['containers'][0]> = {}, spec: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 2,
      containers: [{ name: 'web', image: 'kubesvc.io/host:1', command: [node, '-e', serverScript], ports: [{ containerPort: 8080, name: 'http' }], ...over }],
      ...spec,
    },
  };
}

function get(url: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

let c: AgentCluster;
before(async () => {
  c = await startAgentCluster();
});
after(async () => {
  await c?.stop();
});

const getPod = (name: string) => c.client.get<Pod>(R.pods, 'default', name);
const events = async (name: string) =>
  (await c.client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === name);

test('registers its Node (Ready, addresses, podCIDR, capacity) and renews its Lease', async () => {
  const n = await c.client.get<Node>(R.nodes, undefined, 'node-1');
  assert.equal(n.spec?.podCIDR, '127.244.1.0/24');
  assert.deepEqual(n.spec?.podCIDRs, ['127.244.1.0/24']);
  const ready = n.status?.conditions?.find((x) => x.type === 'Ready');
  assert.equal(ready?.status, 'True');
  assert.equal(ready?.reason, 'KubeletReady');
  assert.equal(ready?.message, 'kubelet is posting ready status');
  assert.deepEqual(n.status?.addresses, [
    { type: 'InternalIP', address: '127.0.0.1' },
    { type: 'Hostname', address: 'node-1' },
  ]);
  assert.equal(n.status?.capacity?.pods, '110');
  assert.ok(Number(n.status?.allocatable?.cpu) >= 1);
  // Where the agent's kubelet API listens (a free port in tests), so the API server can reach it.
  assert.equal((n.status?.daemonEndpoints as { kubeletEndpoint: { Port: number } }).kubeletEndpoint.Port, c.agent.kubeletEndpoint!.port);
  assert.notEqual(c.agent.kubeletEndpoint!.port, 0);
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.0');
  const lease = await c.client.get<Lease>(R.leases, 'kube-node-lease', 'node-1');
  assert.equal(lease.spec?.holderIdentity, 'node-1');
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  assert.match(lease.spec?.renewTime ?? '', /\.\d{6}Z$/);
  assert.equal(lease.metadata.ownerReferences?.[0]?.uid, n.metadata.uid);
});

test('a bound pod becomes Running and Ready with its own 127.244.1.x IP; its process serves on it', async () => {
  await c.client.create(R.pods, 'default', podSpec('web-1', { readinessProbe: { httpGet: { port: 'http', path: '/healthz' }, periodSeconds: 1 } }));
  const p = await eventually(async () => {
    const p = await getPod('web-1');
    return p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'True' && p;
  });
  assert.equal(p.status?.phase, 'Running');
  assert.match(p.status?.podIP ?? '', /^127\.244\.1\.\d+$/);
  assert.deepEqual(p.status?.podIPs, [{ ip: p.status?.podIP }]);
  assert.equal(p.status?.hostIP, '127.0.0.1');
  assert.ok(p.status?.startTime);
  assert.deepEqual(
    p.status?.conditions?.map((x) => [x.type, x.status]),
    [
      ['PodReadyToStartContainers', 'True'],
      ['Initialized', 'True'],
      ['Ready', 'True'],
      ['ContainersReady', 'True'],
      ['PodScheduled', 'True'],
    ],
  );
  for (const cond of p.status?.conditions ?? []) assert.ok(cond.lastTransitionTime, `${cond.type} has lastTransitionTime`);
  const cs = p.status!.containerStatuses![0]!;
  assert.equal(cs.ready, true);
  assert.equal(cs.started, true);
  assert.equal(cs.restartCount, 0);
  assert.ok(cs.state?.running?.startedAt);
  assert.match(cs.containerID ?? '', /^kubesvc:\/\//);
  const res = await get(`http://${p.status!.podIP}:8080/`);
  assert.deepEqual(JSON.parse(res.body), { host: 'web-1', ip: p.status!.podIP, svc: '127.96.0.1', node: 'node-1' });
  const reasons = (await eventually(async () => {
    const evs = await events('web-1');
    return evs.length >= 3 && evs;
  })).map((e) => e.reason);
  for (const r of ['Pulled', 'Created', 'Started']) assert.ok(reasons.includes(r), `event ${r} in ${reasons.join(',')}`);
  const started = (await events('web-1')).find((e) => e.reason === 'Started')!;
  assert.equal(started.message, 'Started container web');
  assert.equal(started.involvedObject.fieldPath, 'spec.containers{web}');
  assert.equal(started.source?.component, 'kubelet');
  // Logs, as pods/log serves them.
  const logs = await eventually(async () => {
    let out = '';
    for await (const chunk of readLogs('default', 'web-1', 'web', {})) out += chunk.toString();
    return out.includes('listening') && out;
  });
  assert.equal(logs, `listening on ${p.status!.podIP}\n`);
  assert.throws(() => readLogs('default', 'web-1', 'web', { previous: true }), /previous terminated container "web" in pod "web-1" not found/);
  assert.throws(() => readLogs('default', 'web-1', 'nope', {}), /container nope is not valid for pod web-1/);
});

test('deleting the pod stops its process (SIGTERM) and removes the pod; its IP is freed', async () => {
  const w = c.agent.podWorker('default', 'web-1')!;
  const pid = w.handles[0]!.pid;
  const ip = w.ip!;
  assert.ok(alive(pid));
  await c.client.delete(R.pods, 'default', 'web-1');
  await eventually(async () => {
    try {
      await getPod('web-1');
      return false;
    } catch (e) {
      return isNotFound(e);
    }
  });
  assert.equal(alive(pid), false);
  assert.equal(c.agent.ipam.ipOf(w.uid), undefined);
  assert.ok(!c.agent.ipam.ipOf(w.uid) && ip);
  const killing = (await events('web-1')).find((e) => e.reason === 'Killing');
  assert.equal(killing?.message, 'Stopping container web');
});

test('a failing liveness probe restarts the container (Unhealthy, Killing, restartCount, lastState)', async () => {
  await c.client.create(
    R.pods,
    'default',
    podSpec('live-1', {
      env: [{ name: 'HEALTHY_FOR', value: '300' }],
      // The delay lets the server start (probe seconds are 100 ms in these tests).
      livenessProbe: { httpGet: { port: 8080, path: '/healthz' }, initialDelaySeconds: 3, periodSeconds: 1, failureThreshold: 2 },
    }),
  );
  const p = await eventually(async () => {
    const p = await getPod('live-1');
    const cs = p.status?.containerStatuses?.[0];
    return cs && cs.restartCount >= 1 && cs.state?.running && p;
  });
  const cs = p.status!.containerStatuses![0]!;
  assert.ok(cs.lastState?.terminated, 'lastState holds the killed run');
  // 0 when the server's SIGTERM handler ran, 143 if the signal beat its start-up.
  assert.ok([0, 143].includes(cs.lastState.terminated!.exitCode), `exit code ${cs.lastState.terminated!.exitCode}`);
  const evs = await events('live-1');
  const unhealthy = evs.find((e) => e.reason === 'Unhealthy');
  assert.equal(unhealthy?.type, 'Warning');
  assert.equal(unhealthy?.message, 'Liveness probe failed: HTTP probe failed with statuscode: 500');
  assert.equal(evs.find((e) => e.reason === 'Killing')?.message, 'Container web failed liveness probe, will be restarted');
  // The previous run's log is kept.
  let prev = '';
  for await (const chunk of readLogs('default', 'live-1', undefined, { previous: true })) prev += chunk.toString();
  assert.match(prev, /^listening on 127\.244\.1\.\d+\n/);
  await c.client.delete(R.pods, 'default', 'live-1', { gracePeriodSeconds: 1 });
});

test('crash loop: restarts with back-off and CrashLoopBackOff; Never ends Failed; OnFailure success ends Succeeded', async () => {
  await c.client.create(R.pods, 'default', podSpec('crash-1', { command: [node, '-e', 'console.log("boom"); process.exit(3)'] }));
  const looping = await eventually(async () => {
    const p = await getPod('crash-1');
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.waiting?.reason === 'CrashLoopBackOff' && p;
  });
  const cs = looping.status!.containerStatuses![0]!;
  assert.match(cs.state!.waiting!.message!, /^back-off \d+s restarting failed container=web pod=crash-1_default\(/);
  assert.equal(cs.lastState?.terminated?.exitCode, 3);
  assert.equal(cs.lastState?.terminated?.reason, 'Error');
  assert.equal(looping.status?.phase, 'Running');
  await eventually(async () => (await events('crash-1')).some((e) => e.reason === 'BackOff'));
  await c.client.delete(R.pods, 'default', 'crash-1');

  await c.client.create(R.pods, 'default', podSpec('never-1', { command: [node, '-e', 'process.exit(2)'] }, { restartPolicy: 'Never' }));
  const failed = await eventually(async () => {
    const p = await getPod('never-1');
    return p.status?.phase === 'Failed' && p;
  });
  assert.equal(failed.status!.containerStatuses![0]!.state?.terminated?.reason, 'Error');
  assert.equal(failed.status!.containerStatuses![0]!.restartCount, 0);
  assert.equal(failed.status!.conditions!.find((x) => x.type === 'Ready')?.reason, 'PodCompleted');

  await c.client.create(R.pods, 'default', podSpec('job-1', { command: [node, '-e', 'console.log("done")'] }, { restartPolicy: 'OnFailure' }));
  const ok = await eventually(async () => {
    const p = await getPod('job-1');
    return p.status?.phase === 'Succeeded' && p;
  });
  assert.equal(ok.status!.containerStatuses![0]!.state?.terminated?.reason, 'Completed');
  await c.client.delete(R.pods, 'default', 'never-1');
  await c.client.delete(R.pods, 'default', 'job-1');
});

test('without image pulling, an OCI image waits with ImageNotRunnable saying so', async () => {
  await c.client.create(R.pods, 'default', podSpec('nginx-1', { image: 'nginx:1.27', command: undefined }));
  const p = await eventually(async () => {
    const p = await getPod('nginx-1');
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImageNotRunnable' && p;
  });
  assert.equal(p.status?.phase, 'Pending');
  assert.match(p.status!.containerStatuses![0]!.state!.waiting!.message!, /kubesvc was started without image pulling, so image "nginx:1.27" cannot run/);
  await c.client.delete(R.pods, 'default', 'nginx-1');
});

test('agent stop leaves no process behind; a restarted agent runs the pod again with the same IP', async () => {
  await c.client.create(R.pods, 'default', podSpec('keep-1'));
  const p = await eventually(async () => {
    const p = await getPod('keep-1');
    return p.status?.phase === 'Running' && p;
  });
  const pid = c.agent.podWorker('default', 'keep-1')!.handles[0]!.pid;
  await c.agent.stop();
  assert.equal(alive(pid), false);
  const agent = await c.restartAgent();
  const again = await eventually(async () => {
    const q = await getPod('keep-1');
    const cs = q.status?.containerStatuses?.[0];
    return cs?.state?.running && cs.restartCount === 1 && q;
  });
  assert.equal(again.status?.podIP, p.status?.podIP);
  const pid2 = agent.podWorker('default', 'keep-1')!.handles[0]!.pid;
  assert.notEqual(pid2, pid);
  await c.client.delete(R.pods, 'default', 'keep-1');
  await eventually(() => !alive(pid2));
});

test('built-in image: agnhost netexec serves on the pod IP; service env vars from Services that existed at start', async () => {
  await c.client.create(R.services, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-service', namespace: 'default' },
    spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  const svc = await eventually(async () => {
    const s = await c.client.get<import('../../src/api/core.js').Service>(R.services, 'default', 'my-service');
    return s.spec.clusterIP ? s : false;
  });
  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'netexec-1', namespace: 'default' },
    spec: {
      nodeName: 'node-1',
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'agnhost',
          image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
          args: ['netexec', '--http-port=8080'],
          readinessProbe: { httpGet: { port: 8080, path: '/healthz' }, periodSeconds: 1 },
        },
      ],
    },
  });
  const p = await eventually(async () => {
    const p = await getPod('netexec-1');
    return p.status?.containerStatuses?.[0]?.ready && p;
  }, 15_000);
  const res = await get(`http://${p.status!.podIP}:8080/hostname`);
  assert.equal(res.body, 'netexec-1');
  const shell = await c.agent.streamingRuntime().exec({ namespace: 'default', pod: 'netexec-1', container: 'agnhost', command: ['printenv', 'MY_SERVICE_SERVICE_HOST', 'MY_SERVICE_PORT_80_TCP', 'KUBERNETES_SERVICE_PORT'], stdin: false, tty: false });
  let out = '';
  for await (const chunk of shell.stdout) out += chunk.toString();
  assert.equal((await shell.exit).code, 0);
  assert.equal(out, `${svc.spec.clusterIP}\ntcp://${svc.spec.clusterIP}:80\n443\n`);
  // Port-forward: a connection to the pod's IP and port.
  const sock = await c.agent.streamingRuntime().portForward('default', 'netexec-1', 8080);
  sock.end('GET /hostname HTTP/1.0\r\n\r\n');
  let reply = '';
  for await (const chunk of sock) reply += chunk.toString();
  assert.match(reply, /^HTTP\/1\.[01] 200[\s\S]*\r\n\r\nnetexec-1$/);
  await assert.rejects(c.agent.streamingRuntime().portForward('default', 'netexec-1', 9), /connection refused/);
  await c.client.delete(R.pods, 'default', 'netexec-1');
  await c.client.delete(R.services, 'default', 'my-service');
});

test('init containers run in order before the containers; a failing one under Never fails the pod', async () => {
  await c.client.create(
    R.pods,
    'default',
    podSpec('init-1', {}, {
      initContainers: [
        { name: 'first', image: 'kubesvc.io/host', command: [node, '-e', 'console.log("first")'] },
        { name: 'second', image: 'kubesvc.io/host', command: [node, '-e', 'setTimeout(() => console.log("second"), 300)'] },
      ],
    }),
  );
  const pending = await eventually(async () => {
    const p = await getPod('init-1');
    return p.status?.initContainerStatuses?.[1]?.state?.running && p;
  });
  assert.equal(pending.status?.phase, 'Pending');
  const init = pending.status!.conditions!.find((x) => x.type === 'Initialized')!;
  assert.equal(init.status, 'False');
  assert.equal(init.reason, 'ContainersNotInitialized');
  assert.equal(init.message, 'containers with incomplete status: [second]');
  assert.equal(pending.status!.initContainerStatuses![0]!.state?.terminated?.reason, 'Completed');
  assert.equal(pending.status!.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  const running = await eventually(async () => {
    const p = await getPod('init-1');
    return p.status?.phase === 'Running' && p;
  });
  assert.equal(running.status!.conditions!.find((x) => x.type === 'Initialized')!.status, 'True');
  assert.deepEqual(running.status!.initContainerStatuses!.map((s) => s.name), ['first', 'second']);
  await c.client.delete(R.pods, 'default', 'init-1');

  await c.client.create(
    R.pods,
    'default',
    podSpec('init-2', {}, { restartPolicy: 'Never', initContainers: [{ name: 'fails', image: 'kubesvc.io/host', command: [node, '-e', 'process.exit(1)'] }] }),
  );
  const failed = await eventually(async () => {
    const p = await getPod('init-2');
    return p.status?.phase === 'Failed' && p;
  });
  assert.equal(failed.status!.containerStatuses![0]!.state?.waiting?.reason, 'PodInitializing');
  await c.client.delete(R.pods, 'default', 'init-2');
});

test('FallbackToLogsOnError puts the log tail into the terminated message', async () => {
  await c.client.create(
    R.pods,
    'default',
    // The two lines go to two streams, merged by time: written apart, so their order is the writes' (two
    // writes in the same instant could come back either way, as their timestamps tie).
    podSpec('msg-1', { command: [node, '-e', 'console.log("line 1"); setTimeout(() => { console.error("fatal: no config"); process.exit(4); }, 20)'], terminationMessagePolicy: 'FallbackToLogsOnError' }, { restartPolicy: 'Never' }),
  );
  const p = await eventually(async () => {
    const p = await getPod('msg-1');
    return p.status?.phase === 'Failed' && p;
  });
  assert.equal(p.status!.containerStatuses![0]!.state?.terminated?.message, 'line 1\nfatal: no config\n');
  await c.client.delete(R.pods, 'default', 'msg-1');
});

test('activeDeadlineSeconds fails the pod with DeadlineExceeded', async () => {
  await c.client.create(R.pods, 'default', podSpec('deadline-1', {}, { activeDeadlineSeconds: 1 }));
  const p = await eventually(async () => {
    const p = await getPod('deadline-1');
    return p.status?.phase === 'Failed' && p;
  });
  assert.equal(p.status?.reason, 'DeadlineExceeded');
  assert.equal(p.status?.message, 'Pod was active on the node longer than the specified deadline');
  assert.ok(p.status!.containerStatuses![0]!.state?.terminated);
  assert.equal(c.agent.podWorker('default', 'deadline-1')!.handles.length, 0);
  await c.client.delete(R.pods, 'default', 'deadline-1');
});

test('a changed image restarts the container; an unchanged pod gets no status writes', async () => {
  await c.client.create(R.pods, 'default', podSpec('img-1'));
  const p = await eventually(async () => {
    const p = await getPod('img-1');
    return p.status?.phase === 'Running' && p;
  });
  await new Promise((r) => setTimeout(r, 500));
  const rv = (await getPod('img-1')).metadata.resourceVersion;
  await new Promise((r) => setTimeout(r, 700));
  assert.equal((await getPod('img-1')).metadata.resourceVersion, rv, 'no status churn');
  await c.client.patch(R.pods, 'default', 'img-1', 'strategic', { spec: { containers: [{ name: 'web', image: 'kubesvc.io/host:2' }] } });
  const q = await eventually(async () => {
    const q = await getPod('img-1');
    const cs = q.status?.containerStatuses?.[0];
    return cs?.restartCount === 1 && cs.state?.running && q;
  });
  assert.equal(q.status!.containerStatuses![0]!.image, 'kubesvc.io/host:2');
  assert.ok(p);
  const evs = await events('img-1');
  assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'Container web definition changed, will be restarted'));
  await c.client.delete(R.pods, 'default', 'img-1');
});

test('lifecycle hooks: preStop runs before SIGTERM on delete; a failing postStart kills and restarts', async () => {
  const { mkdtempSync, existsSync, readFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'hooks-'));
  const marker = join(dir, 'prestop');
  const order = join(dir, 'order');
  const main = `
    const fs = require('node:fs');
    process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(order)}, 'sigterm\\n'); process.exit(0); });
    fs.writeFileSync(${JSON.stringify(order + '.ready')}, 'x');
    setInterval(() => {}, 1000);`;
  await c.client.create(
    R.pods,
    'default',
    podSpec('hooks-1', {
      command: [node, '-e', main],
      lifecycle: { preStop: { exec: { command: [node, '-e', `require('node:fs').appendFileSync(${JSON.stringify(order)}, 'prestop\\n'); require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] } } },
    }),
  );
  await eventually(async () => (await getPod('hooks-1')).status?.phase === 'Running');
  // Running means the process started, not that its SIGTERM handler is in place yet (a loaded machine shows the gap).
  await eventually(async () => existsSync(order + '.ready'));
  await c.client.delete(R.pods, 'default', 'hooks-1');
  await eventually(async () => {
    try {
      await getPod('hooks-1');
      return false;
    } catch (e) {
      return isNotFound(e);
    }
  });
  assert.ok(existsSync(marker));
  assert.equal(readFileSync(order, 'utf8'), 'prestop\nsigterm\n');
  rmSync(dir, { recursive: true, force: true });

  await c.client.create(
    R.pods,
    'default',
    podSpec('hooks-2', { lifecycle: { postStart: { exec: { command: [node, '-e', 'process.exit(1)'] } } } }),
  );
  await eventually(async () => (await getPod('hooks-2')).status?.containerStatuses?.[0]?.restartCount! >= 1);
  const evs = await events('hooks-2');
  const failed = evs.find((e) => e.reason === 'FailedPostStartHook');
  assert.match(failed?.message ?? '', /^Exec lifecycle hook \(\[.* -e process\.exit\(1\)\]\) for Container "web" in Pod "hooks-2_default\(.*\)" failed - error: /);
  assert.ok(evs.some((e) => e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
  await c.client.delete(R.pods, 'default', 'hooks-2', { gracePeriodSeconds: 1 });
});

test('a pod bound later (pods/binding, as the scheduler does) is picked up', async () => {
  const p = podSpec('bound-later');
  delete p.spec.nodeName;
  await c.client.create(R.pods, 'default', p);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.agent.podWorker('default', 'bound-later'), undefined);
  await c.client.create(
    R.pods,
    'default',
    { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound-later', namespace: 'default' }, target: { kind: 'Node', name: 'node-1' } },
    { subresource: 'binding' },
  );
  const q = await eventually(async () => {
    const q = await getPod('bound-later');
    return q.status?.phase === 'Running' && q;
  });
  assert.match(q.status!.podIP!, /^127\.244\.1\./);
  await c.client.delete(R.pods, 'default', 'bound-later');
});
