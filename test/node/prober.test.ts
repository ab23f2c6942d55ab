import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpProbe } from '../../src/node/prober/http.js';
import { tcpProbe } from '../../src/node/prober/tcp.js';
import { execProbe } from '../../src/node/prober/exec.js';
import { runProbe, resolvePort } from '../../src/node/prober/prober.js';
import { ProbeWorker } from '../../src/node/prober/worker.js';
import type { ProbeOutcome, ProbeResult } from '../../src/node/prober/types.js';

async function server(handler: http.RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => new Promise((r) => s.close(() => r())),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

test('httpGet: 2xx and 3xx succeed, 4xx/5xx fail with the status code; headers and User-Agent sent', async () => {
  let seen: http.IncomingHttpHeaders = {};
  const s = await server((req, res) => {
    seen = req.headers;
    const code = Number(req.url!.slice(1));
    res.writeHead(code, code === 302 ? { location: '/elsewhere' } : {});
    res.end('ok');
  });
  try {
    const t = (path: string) => ({ scheme: 'HTTP' as const, host: '127.0.0.1', port: s.port, path, headers: [{ name: 'X-Probe', value: 'yes' }] });
    assert.equal((await httpProbe(t('/200'), 1000)).result, 'success');
    assert.equal(seen['user-agent'], 'kube-probe/1.32');
    assert.equal(seen['x-probe'], 'yes');
    assert.equal((await httpProbe(t('/302'), 1000)).result, 'success');
    assert.deepEqual(await httpProbe(t('/500'), 1000), { result: 'failure', output: 'HTTP probe failed with statuscode: 500' });
    assert.equal((await httpProbe(t('/404'), 1000)).result, 'failure');
  } finally {
    await s.close();
  }
});

test('httpGet: connection refused and timeout read like upstream', async () => {
  const port = await freePort();
  const refused = await httpProbe({ scheme: 'HTTP', host: '127.0.0.1', port, path: '/healthz', headers: [] }, 1000);
  assert.equal(refused.result, 'failure');
  assert.equal(refused.output, `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  const s = await server(() => {
    /* never answers */
  });
  try {
    const slow = await httpProbe({ scheme: 'HTTP', host: '127.0.0.1', port: s.port, path: '/', headers: [] }, 200);
    assert.equal(slow.result, 'failure');
    assert.match(slow.output, /context deadline exceeded \(Client.Timeout exceeded while awaiting headers\)/);
  } finally {
    s.close().catch(() => {});
  }
});

test('tcpSocket: open port succeeds, closed port fails', async () => {
  const s = await server((_q, r) => r.end());
  try {
    assert.equal((await tcpProbe('127.0.0.1', s.port, 1000)).result, 'success');
  } finally {
    await s.close();
  }
  const port = await freePort();
  assert.deepEqual(await tcpProbe('127.0.0.1', port, 1000), { result: 'failure', output: `dial tcp 127.0.0.1:${port}: connect: connection refused` });
});

test('exec: exit 0 succeeds, output of a failure is kept, env passed, timeout', async () => {
  const node = process.execPath;
  assert.equal((await execProbe({ command: [node, '-e', 'process.exit(0)'], env: {} }, 5000)).result, 'success');
  const fail = await execProbe({ command: [node, '-e', 'console.log(process.env.WHO); process.exit(3)'], env: { WHO: 'pod-a' } }, 5000);
  assert.deepEqual(fail, { result: 'failure', output: 'pod-a\n' });
  const slow = await execProbe({ command: [node, '-e', 'setTimeout(()=>{}, 10000)'], env: {} }, 300);
  assert.equal(slow.result, 'failure');
  assert.match(slow.output, /timed out/);
  const missing = await execProbe({ command: ['/no/such/program'], env: {} }, 1000);
  assert.equal(missing.result, 'failure');
});

test('runProbe: named ports resolve against the container; host defaults to the pod IP', async () => {
  const s = await server((_q, r) => r.end('fine'));
  try {
    const container = { name: 'c', ports: [{ name: 'http', containerPort: s.port }] };
    assert.equal(resolvePort('http', container), s.port);
    assert.equal(resolvePort('8080', container), 8080);
    const r = await runProbe({ httpGet: { port: 'http', path: '/' } }, { podIP: '127.0.0.1', container, env: {} });
    assert.equal(r.result, 'success');
    const bad = await runProbe({ tcpSocket: { port: 'nope' } }, { podIP: '127.0.0.1', container, env: {} });
    assert.equal(bad.result, 'failure');
  } finally {
    await s.close();
  }
});

function scripted(outcomes: ProbeResult[]): () => Promise<ProbeOutcome> {
  let i = 0;
  return async () => ({ result: outcomes[Math.min(i++, outcomes.length - 1)]!, output: 'x' });
}

const until = async (f: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('worker: readiness starts not ready, needs successThreshold successes and failureThreshold failures', async () => {
  const changes: ProbeResult[] = [];
  const w = new ProbeWorker({
    type: 'readiness',
    probe: { periodSeconds: 1, successThreshold: 2, failureThreshold: 2 },
    startedAt: Date.now(),
    secondMs: 10,
    started: () => true,
    run: scripted(['success', 'success', 'failure', 'success', 'failure', 'failure', 'failure']),
    onResult: (r) => changes.push(r),
    onFailure: () => {},
  });
  assert.equal(w.result, 'failure');
  w.start();
  await until(() => changes.length >= 2);
  w.stop();
  assert.deepEqual(changes, ['success', 'failure']);
});

test('worker: liveness failure past the threshold is reported once, then holds', async () => {
  const changes: ProbeResult[] = [];
  let failures = 0;
  const w = new ProbeWorker({
    type: 'liveness',
    probe: { periodSeconds: 1, failureThreshold: 3 },
    startedAt: Date.now(),
    secondMs: 5,
    started: () => true,
    run: scripted(['failure']),
    onResult: (r) => changes.push(r),
    onFailure: () => failures++,
  });
  w.start();
  await until(() => changes.length === 1);
  await new Promise((r) => setTimeout(r, 60));
  w.stop();
  assert.deepEqual(changes, ['failure']);
  assert.equal(failures, 3, 'an Unhealthy event per failed probe, none while holding');
});

test('worker: liveness and readiness wait for startup; startup stops once started; initial delay', async () => {
  let started = false;
  let livenessRuns = 0;
  let startupRuns = 0;
  const live = new ProbeWorker({
    type: 'liveness',
    probe: { periodSeconds: 1 },
    startedAt: Date.now(),
    secondMs: 5,
    started: () => started,
    run: async () => (livenessRuns++, { result: 'success', output: '' }),
    onResult: () => {},
    onFailure: () => {},
  });
  const startup = new ProbeWorker({
    type: 'startup',
    probe: { periodSeconds: 1, initialDelaySeconds: 6 },
    startedAt: Date.now(),
    secondMs: 5,
    started: () => started,
    run: async () => (startupRuns++, { result: 'success', output: '' }),
    onResult: (r) => {
      if (r === 'success') started = true;
    },
    onFailure: () => {},
  });
  const t0 = Date.now();
  live.start();
  startup.start();
  await until(() => started);
  assert.ok(Date.now() - t0 >= 25, 'startup waited for initialDelaySeconds');
  assert.equal(livenessRuns, 0);
  await until(() => livenessRuns > 2);
  const s = startupRuns;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(startupRuns, s, 'startup probe stopped after success');
  live.stop();
  startup.stop();
});
