// The agent as a separate node process would run it: over HTTPS with the HTTP client; and the
// API server's pods/log, exec and port-forward reaching it, driven by kubectl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Node, Pod } from '../../src/api/core.js';
import type { Lease } from '../../src/node/lease.js';
import { R } from '../../src/client/resources.js';
import { isNotFound } from '../../src/machinery/status.js';
import { alive, eventually, startAgentCluster, type AgentCluster } from './cluster.js';

const node = process.execPath;
let c: AgentCluster;
before(async () => {
  // Its own pod CIDR: test files run in parallel, and pods bind fixed ports on their IPs.
  c = await startAgentCluster({ leaseRenewMs: 200, nodeStatusUpdateMs: 200, podCIDR: '127.244.2.0/24' }, 'http');
});
after(async () => {
  await c?.stop();
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', c.kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const script = `
console.log('hello from ' + process.env.HOSTNAME);
require('node:http').createServer((q, s) => { console.log('request ' + q.url); console.error('served ' + q.url); s.end('pong'); }).listen(8080, process.env.POD_IP);
process.on('SIGTERM', () => process.exit(0));
`;

test('over HTTP: the lease is renewed; a pod runs; kubectl logs, exec and a forced delete', async () => {
  const first = await c.client.get<Lease>(R.leases, 'kube-node-lease', 'node-1');
  await eventually(async () => (await c.client.get<Lease>(R.leases, 'kube-node-lease', 'node-1')).spec?.renewTime !== first.spec?.renewTime);

  await c.client.create<Pod>(R.pods, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'hello', namespace: 'default' },
    spec: { nodeName: 'node-1', containers: [{ name: 'main', image: 'kubesvc.io/host', command: [node, '-e', script] }] },
  });
  const p = await eventually(async () => {
    const p = await c.client.get<Pod>(R.pods, 'default', 'hello');
    return p.status?.phase === 'Running' && p;
  });
  assert.match(p.status!.podIP!, /^127\.244\.2\./);
  if (!existsSync('/usr/bin/kubectl')) return;
  const logs = await eventually(async () => {
    const r = await kubectl('logs', 'hello');
    if (!r.stdout.includes('hello')) console.error('kubectl logs:', r);
    return r.stdout.includes('hello') && r;
    // kubectl's first run in a fresh home builds its discovery cache: give it time.
  }, 60_000);
  assert.equal(logs.stdout, 'hello from hello\n');
  const ex = await kubectl('exec', 'hello', '--', 'printenv', 'POD_IP');
  assert.equal(ex.stdout.trim(), p.status!.podIP, ex.stderr);
  // kubectl attach: what the container writes from now on, until kubectl goes away.
  const attach = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'attach', 'hello'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let attached = '';
  let attachedErr = '';
  attach.stdout.on('data', (d: Buffer) => (attached += d.toString()));
  attach.stderr.on('data', (d: Buffer) => (attachedErr += d.toString()));
  try {
    await eventually(async () => {
      await fetch(`http://${p.status!.podIP}:8080/attached`).then((r) => r.text());
      return attached.includes('request /attached\n') && attachedErr.includes('served /attached\n');
    }, 15_000, 'kubectl attach shows what the container writes, each stream on its own');
    assert.doesNotMatch(attached, /served/);
  } finally {
    attach.kill('SIGKILL');
  }
  // The kubelet API through nodes/proxy: the pod and its container's CPU and memory from /proc.
  const listed = await kubectl('get', '--raw', '/api/v1/nodes/node-1/proxy/pods');
  assert.deepEqual((JSON.parse(listed.stdout) as { items: Pod[] }).items.map((x) => x.metadata.name), ['hello'], listed.stderr);
  type Summary = { pods: { podRef: { name: string }; containers: { name: string; cpu: { usageCoreNanoSeconds: number }; memory: { rssBytes: number } }[] }[] };
  const stats = await kubectl('get', '--raw', '/api/v1/nodes/node-1/proxy/stats/summary');
  const podStats = (JSON.parse(stats.stdout) as Summary).pods.find((x) => x.podRef.name === 'hello');
  assert.equal(podStats?.containers[0]?.name, 'main', stats.stdout);
  assert.ok(podStats.containers[0].memory.rssBytes > 1 << 20, 'a node process holds more than 1 MiB');
  assert.ok(podStats.containers[0].cpu.usageCoreNanoSeconds > 0);
  const pid = c.agent.podWorker('default', 'hello')!.handles[0]!.pid;
  const del = await kubectl('delete', 'pod', 'hello', '--force', '--grace-period=0');
  assert.equal(del.code, 0, del.stderr);
  await eventually(() => !alive(pid), 10_000, 'process gone after a forced delete');
  await assert.rejects(c.client.get(R.pods, 'default', 'hello'), (e) => isNotFound(e));
});

test("the kubelet API passes its node's kube-proxy metrics on at /metrics/proxy, and says why when it cannot", async () => {
  const raw = (path: string) => kubectl('get', '--raw', `/api/v1/nodes/node-1/proxy${path}`);
  // No kube-proxy on this node yet.
  const none = await raw('/metrics/proxy');
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /no kube-proxy runs on this node|NotFound/);
  // A stand-in kube-proxy metrics endpoint on 127.0.0.1 (the agent reads it over HTTP, as any scraper would).
  let answer = { code: 200, text: '# TYPE kubesvc_proxy_endpoint_connections_total counter\nkubesvc_proxy_endpoint_connections_total{namespace="d",service="s",port="",protocol="TCP",endpoint="10.0.0.1:80"} 3\n' };
  const { createServer } = await import('node:http');
  const server = createServer((_q, s) => s.writeHead(answer.code).end(answer.text));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    c.agent.setProxyMetricsPort((server.address() as { port: number }).port);
    const ok = await raw('/metrics/proxy');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, answer.text);
    answer = { code: 500, text: 'broken' };
    const failing = await raw('/metrics/proxy');
    assert.notEqual(failing.code, 0);
    assert.match(failing.stderr, /not available|ServiceUnavailable|503/);
    // Odd paths under it are not it.
    for (const p of ['/metrics/proxy/x', '/metrics/proxy/..', '/metrics/proxyx']) assert.notEqual((await raw(p)).code, 0, p);
  } finally {
    server.close();
  }
  // The port gone: the answer says so, and the kubelet API goes on.
  c.agent.setProxyMetricsPort(1);
  assert.match((await raw('/metrics/proxy')).stderr, /not available|ServiceUnavailable|503/);
  assert.equal((await raw('/healthz')).stdout, 'ok');
});

test('a Node status changed by someone else is put right; a deleted Node registers again', async () => {
  const n = await c.client.get<Node>(R.nodes, undefined, 'node-1');
  const conditions = n.status!.conditions!.map((x) => (x.type === 'Ready' ? { ...x, status: 'Unknown' as const, reason: 'NodeStatusUnknown' } : x));
  await c.client.update<Node>(R.nodes, undefined, { ...n, status: { ...n.status, conditions } }, { subresource: 'status' });
  await eventually(async () => {
    const m = await c.client.get<Node>(R.nodes, undefined, 'node-1');
    return m.status?.conditions?.find((x) => x.type === 'Ready')?.reason === 'KubeletReady';
  });
  await c.client.delete(R.nodes, undefined, 'node-1');
  const again = await eventually(async () => {
    try {
      const m = await c.client.get<Node>(R.nodes, undefined, 'node-1');
      return m.metadata.uid !== n.metadata.uid && m;
    } catch {
      return false;
    }
  });
  assert.equal(again.spec?.podCIDR, '127.244.2.0/24');
});
