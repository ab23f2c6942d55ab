// The userspace proxy measured on loopback (not part of `npm test`):
//  1. HTTP requests/s and latency p50/p99 with wrk (Debian's `wrk`; a bounded Node loop if it
//     is missing), keep-alive and a new connection per request, directly to one pod, through the
//     proxy's ClusterIP (3 pods), and through HAProxy `mode tcp` (if installed) to the same pods;
//  2. UDP round trips/s through the proxy and directly;
//  3. network programming latency p50/p99 with 1,000 Services through a real API server
//     (EndpointSlice update → proxy serving the change), and the proxy's own metric;
//  4. proxy memory and full sync time per 1,000 Services.
// Run: npx tsc -p . && node --expose-gc dist/bench/proxy-userspace.js [seconds-per-wrk-run, default 3 (3 interleaved rounds)] [throughput,memory,programming]
import { reportComparison } from './report.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserspaceProvider } from '../src/proxy/userspace/provider.js';
import { Proxier } from '../src/proxy/proxier.js';
import { ProxyMetrics } from '../src/proxy/metrics/kubeproxy.js';
import { ProxyHealth } from '../src/proxy/healthcheck/proxy-health.js';
import { startProxy } from '../src/proxy/index.js';
import { R } from '../src/client/resources.js';
import type { Service } from '../src/api/core.js';
import type { EndpointSlice } from '../src/api/discovery.js';
import { setQuiet } from '../src/util/log.js';
import { buildMaps, ep, slice, svc } from '../test/proxy/fixtures.js';
import { startProxyTestCluster } from '../test/proxy/cluster.js';
import { runWrk, type LoadResult } from './wrk.js';

setQuiet(true);
const seconds = Number(process.argv[2] ?? 3);
const rounds = 3;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const hasCmd = (c: string) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
const haveWrk = hasCmd('wrk');


/** wrk in a child process, asynchronously: the proxy under test runs on this process's event loop. */
const wrk = (url: string, newConnection: boolean) => runWrk(url, { seconds, newConnection });

/** Fallback without wrk: 32 concurrent loops of raw HTTP requests, bounded by time and count. */
async function nodeLoad(ip: string, port: number, newConnection: boolean): Promise<LoadResult> {
  const lat: number[] = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const maxRequests = 200_000;
  const req = `GET / HTTP/1.1\r\nHost: x\r\n${newConnection ? 'Connection: close\r\n' : ''}\r\n`;
  const worker = async () => {
    let sock: ReturnType<typeof connect> | undefined;
    while (Date.now() < deadline && lat.length < maxRequests) {
      const t0 = performance.now();
      try {
        if (!sock || newConnection) sock = await new Promise((res, rej) => {
          const s = connect({ host: ip, port, noDelay: true }, () => res(s));
          s.once('error', rej);
        });
        await new Promise<void>((res, rej) => {
          const s = sock!;
          const onData = (d: Buffer) => {
            if (d.includes('ok\n')) {
              s.off('data', onData);
              res();
            }
          };
          s.on('data', onData);
          s.once('error', rej);
          s.write(req);
        });
        lat.push(performance.now() - t0);
        if (newConnection) sock?.destroy();
      } catch {
        errors++;
        sock?.destroy();
        sock = undefined;
      }
    }
    sock?.destroy();
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 32 }, worker));
  return { rps: lat.length / ((performance.now() - t0) / 1000), p50ms: pct(lat, 50), p99ms: pct(lat, 99), errors };
}

async function udpRoundTrips(ip: string, port: number): Promise<{ rtps: number; p50ms: number; p99ms: number; lost: number }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.connect(port, ip, () => r()));
  const lat: number[] = [];
  let lost = 0;
  const deadline = Date.now() + Math.min(seconds, 3) * 1000;
  const t0 = performance.now();
  while (Date.now() < deadline && lat.length < 100_000) {
    const t = performance.now();
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        s.off('message', on);
        resolve(false);
      }, 200);
      const on = () => {
        clearTimeout(timer);
        s.off('message', on);
        resolve(true);
      };
      s.on('message', on);
      s.send('x');
    });
    if (ok) lat.push(performance.now() - t);
    else lost++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  s.close();
  return { rtps: lat.length / elapsed, p50ms: pct(lat, 50), p99ms: pct(lat, 99), lost };
}

async function throughput(): Promise<Record<string, unknown>> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const pods = ['127.201.0.11', '127.201.0.12', '127.201.0.13'];
  const child: ChildProcess = spawn(process.execPath, [new URL('./proxy-backends.js', import.meta.url).pathname, String(port), ...pods], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => child.stdout!.once('data', () => r()));
  const provider = new UserspaceProvider({ nodeName: 'bench', nodeIP: '127.0.0.1' });
  await provider.start();
  const clusterIP = '127.96.250.1';
  const { sm, em } = buildMaps(
    'bench',
    [svc('bench', 'web', { clusterIP, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'udp', port: 8053, protocol: 'UDP' }] })],
    [slice('bench', 'web', 'web-1', pods.map((ip) => ep(ip)), [{ name: 'http', port, protocol: 'TCP' }, { name: 'udp', port, protocol: 'UDP' }])],
  );
  await provider.sync(sm, em, { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });

  let haproxy: ChildProcess | undefined;
  const haIP = '127.202.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-'));
  if (hasCmd('haproxy')) {
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(
      cfg,
      [
        'global',
        '  nbthread 1',
        '  maxconn 4000',
        'defaults',
        '  mode tcp',
        '  timeout connect 5s',
        '  timeout client 60s',
        '  timeout server 60s',
        'frontend fe',
        `  bind ${haIP}:8080`,
        '  default_backend pods',
        'backend pods',
        '  balance roundrobin',
        ...pods.map((ip, i) => `  server p${i} ${ip}:${port}`),
        '',
      ].join('\n'),
    );
    haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'inherit'] });
    await sleep(500);
  }

  // The runtime's floor: a bare Node `pipe` proxy in a process of its own, in front of the same pods.
  const floorIP = '127.202.0.2';
  const floor: ChildProcess = spawn(process.execPath, [new URL('./node-tcp-floor.js', import.meta.url).pathname, floorIP, '8080', ...pods.map((ip) => `${ip}:${port}`)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => floor.stdout!.once('data', () => r()));
  // The same proxy in a process of its own, as the floor and HAProxy run.
  const ownIP = '127.96.250.2';
  const own: ChildProcess = spawn(process.execPath, [new URL('./userspace-proxy-process.js', import.meta.url).pathname, ownIP, String(port), ...pods], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((r) => own.stdout!.once('data', () => r()));

  const load = async (ip: string, p: number, nc: boolean) => (haveWrk ? wrk(`http://${ip}:${p}/`, nc) : nodeLoad(ip, p, nc));
  const targets: [string, string, number][] = [
    ['direct', pods[0]!, port],
    ['proxyClusterIP', clusterIP, 8080],
    ...(haproxy ? ([['haproxy', haIP, 8080]] as [string, string, number][]) : []),
    ['proxyOwnProcess', ownIP, 8080],
    ['nodeFloor', floorIP, 8080],
  ];
  // This machine is shared: runs are interleaved over several rounds and the median reported, so a
  // burst of someone else's load does not land on one target only.
  const samples = new Map<string, LoadResult[]>();
  for (let round = 0; round < rounds; round++) {
    for (const nc of [false, true]) {
      for (const [name, ip, p] of targets) {
        const key = `${nc ? 'newConnection' : 'keepAlive'}.${name}`;
        samples.set(key, [...(samples.get(key) ?? []), await load(ip, p, nc)]);
      }
    }
  }
  const out: Record<string, unknown> = {
    tool: haveWrk ? 'wrk -t1 -c32' : 'node loop (32 concurrent)',
    secondsPerRun: seconds,
    rounds,
    loadAverage: loadavg().map((x) => +x.toFixed(1)),
  };
  for (const [key, rs] of samples) {
    out[key] = {
      rps: Math.round(pct(rs.map((r) => r.rps), 50)),
      p50ms: pct(rs.map((r) => r.p50ms), 50),
      p99ms: pct(rs.map((r) => r.p99ms), 50),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      rpsPerRound: rs.map((r) => Math.round(r.rps)),
    };
  }
  // The figures: the proxy's ClusterIP next to HAProxy (one thread) in front of the same pods.
  const fig = (k: string) => out[k] as { rps: number; p99ms: number } | undefined;
  for (const nc of [false, true]) {
    const mode = nc ? 'newConnection' : 'keepAlive';
    const ours = fig(`${mode}.proxyClusterIP`);
    const ha = fig(`${mode}.haproxy`);
    const bare = fig(`${mode}.nodeFloor`);
    const words = nc ? 'new connection per request' : 'keep-alive';
    if (ours && bare) {
      reportComparison({ figure: `userspace proxy, ${words}, requests/s`, unit: 'req/s', kubesvc: ours.rps, peer: 'a bare Node pipe proxy (the runtime floor)', peerValue: bare.rps, higherIsBetter: true });
    }
    if (!ours || !ha) continue;
    reportComparison({ figure: `userspace proxy, ${words}, requests/s`, unit: 'req/s', kubesvc: ours.rps, peer: 'HAProxy', peerValue: ha.rps, higherIsBetter: true, ...(nc ? { goal: '≥ 0.95×' } : {}) });
    reportComparison({ figure: `userspace proxy, ${words}, p99`, unit: 'ms', kubesvc: ours.p99ms, peer: 'HAProxy', peerValue: ha.p99ms, higherIsBetter: false, ...(nc ? {} : { goal: '≤ 1.2×' }) });
  }
  out['udp.direct'] = await udpRoundTrips(pods[0]!, port);
  out['udp.proxyClusterIP'] = await udpRoundTrips(clusterIP, 8053);

  haproxy?.kill('SIGTERM');
  floor.stdin!.end();
  own.stdin!.end();
  floor.kill('SIGTERM');
  own.kill('SIGTERM');
  await provider.stop();
  child.stdin!.end();
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** Proxy memory and full sync time for 1,000 Services × 3 endpoints, without an API server in the process. */
async function memoryPer1000(): Promise<Record<string, unknown>> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const provider = new UserspaceProvider({ nodeName: 'bench', nodeIP: '127.0.0.1' });
  const metrics = new ProxyMetrics();
  const p = new Proxier({ nodeName: 'bench', provider, metrics, health: new ProxyHealth(60_000), minSyncMs: 0, maxSyncMs: 0 });
  await provider.start();
  p.start();
  for (let i = 0; i < 1000; i++) {
    const ip = `127.97.${i >> 7}.${(i & 127) + 1}`;
    p.onServiceUpdate(undefined, svc('mem', `s${i}`, { clusterIP: ip, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
    p.onEndpointSliceUpdate(
      slice('mem', `s${i}`, `s${i}-1`, [1, 2, 3].map((k) => ep(`127.244.${i >> 8}.${((i * 3 + k) & 255) + 1}`)), [{ name: 'http', port: 9376, protocol: 'TCP' }]),
      false,
    );
  }
  const synced = new Promise<void>((r) => (p.onSynced = r));
  p.setInitialized();
  await synced;
  gc?.();
  const after = process.memoryUsage();
  const syncSeconds = metrics.syncProxyRulesLatency.sampleSum;
  await p.stop();
  await provider.stop();
  return {
    services: 1000,
    listeners: 1000,
    heapMB: +((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(1),
    firstFullSyncMs: +(syncSeconds * 1000).toFixed(1),
    gcExposed: gc !== undefined,
  };
}

/** Network programming latency with 1,000 Services through a real API server and informers. */
async function programmingLatency(): Promise<Record<string, unknown>> {
  const cluster = await startProxyTestCluster();
  const proxy = await startProxy(cluster.client, cluster.informers, { nodeName: 'bench', nodeIP: '127.0.0.1', mode: 'userspace', metricsPort: 0, healthzPort: 0 });
  const provider = proxy.provider as UserspaceProvider;
  const n = 1000;
  const t0 = performance.now();
  const batch = 50;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, async (_, k) => {
        const j = i + k;
        await cluster.client.create<Service>(R.services, 'default', svc('default', `s${j}`, { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
        await cluster.client.create<EndpointSlice>(
          R.endpointslices,
          'default',
          slice('default', `s${j}`, `s${j}-1`, [ep(`127.244.${j >> 7}.${(j & 127) + 1}`), ep(`127.245.${j >> 7}.${(j & 127) + 1}`)], [{ name: 'http', port: 9376, protocol: 'TCP' }]),
        );
      }),
    );
  }
  const createMs = performance.now() - t0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && provider.listenerKeys().length < n) await sleep(20);
  const allProgrammedMs = performance.now() - t0;

  // Pod deleted → its endpoint leaves the slice → measure until the proxy's balancer no longer has it.
  const lat: number[] = [];
  const rounds = 200;
  const stopAt = Date.now() + 60_000;
  for (let r = 0; r < rounds && Date.now() < stopAt; r++) {
    const j = Math.floor(Math.random() * n);
    const key = `default/s${j}:http/TCP|cluster`;
    const gone = `127.245.${j >> 7}.${(j & 127) + 1}:9376`;
    const t = performance.now();
    await cluster.client.patch(R.endpointslices, 'default', `s${j}-1`, 'merge', {
      metadata: { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() } },
      endpoints: [ep(`127.244.${j >> 7}.${(j & 127) + 1}`)],
    });
    while (provider.balancers.endpoints(key).includes(gone) && performance.now() - t < 5000) await new Promise((res) => setImmediate(res));
    lat.push(performance.now() - t);
    // Put it back for a later round.
    await cluster.client.patch(R.endpointslices, 'default', `s${j}-1`, 'merge', {
      endpoints: [ep(`127.244.${j >> 7}.${(j & 127) + 1}`), ep(`127.245.${j >> 7}.${(j & 127) + 1}`)],
    });
    while (!provider.balancers.endpoints(key).includes(gone) && performance.now() - t < 5000) await new Promise((res) => setImmediate(res));
  }
  const m = proxy.metrics;
  const out = {
    services: n,
    createServicesAndSlicesMs: Math.round(createMs),
    allListenersOpenMs: Math.round(allProgrammedMs),
    updates: lat.length,
    p50ms: +pct(lat, 50).toFixed(2),
    p99ms: +pct(lat, 99).toFixed(2),
    maxms: +Math.max(...lat).toFixed(2),
    metric: {
      networkProgrammingCount: m.networkProgrammingLatency.sampleCount,
      networkProgrammingMeanMs: +((m.networkProgrammingLatency.sampleSum / Math.max(1, m.networkProgrammingLatency.sampleCount)) * 1000).toFixed(2),
      syncs: m.syncProxyRulesLatency.sampleCount,
      syncMeanMs: +((m.syncProxyRulesLatency.sampleSum / Math.max(1, m.syncProxyRulesLatency.sampleCount)) * 1000).toFixed(2),
    },
  };
  await proxy.stop();
  await cluster.stop();
  return out;
}

async function main(): Promise<void> {
  // Each part prints as soon as it is done, so a late failure keeps the earlier figures.
  const parts = (process.argv[3] ?? 'throughput,memory,programming').split(',');
  if (parts.includes('throughput')) console.log(JSON.stringify({ throughput: await throughput() }, null, 2));
  if (parts.includes('memory')) console.log(JSON.stringify({ memory: await memoryPer1000() }, null, 2));
  if (parts.includes('programming')) console.log(JSON.stringify({ networkProgramming: await programmingLatency() }, null, 2));
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
