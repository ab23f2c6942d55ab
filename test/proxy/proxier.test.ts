// The framework with a recording Provider: no sync before initialization, one sync per batch,
// partial vs full syncs, retry after failure, metrics and health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Proxier } from '../../src/proxy/proxier.js';
import { ProxyMetrics } from '../../src/proxy/metrics/kubeproxy.js';
import { ProxyHealth } from '../../src/proxy/healthcheck/proxy-health.js';
import { ServiceHealthServer } from '../../src/proxy/healthcheck/service-health.js';
import { listenHttp } from '../../src/proxy/http-server.js';
import type { Provider, ProxyChanges } from '../../src/proxy/provider.js';
import type { EndpointsMap, ServicePortMap } from '../../src/proxy/types.js';
import { setQuiet } from '../../src/util/log.js';
import { ep, freePort, sleep, slice, svc } from './fixtures.js';

setQuiet(true);

class RecordingProvider implements Provider {
  readonly mode = 'recording';
  syncs: { services: string[]; endpoints: string[]; full: boolean; ports: string[]; eps: number }[] = [];
  resyncs: boolean[] = [];
  failNext = 0;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async sync(sm: ServicePortMap, em: EndpointsMap, c: ProxyChanges): Promise<void> {
    this.syncs.push({
      services: [...c.services].sort(),
      endpoints: [...c.endpoints].sort(),
      full: c.full,
      ports: [...sm.keys()].sort(),
      eps: [...em.values()].reduce((n, l) => n + l.length, 0),
    });
    this.resyncs.push(c.resync === true);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected failure');
    }
  }
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const a = svc('ns', 'a', { clusterIP: '127.96.0.1', ports: [{ name: 'p', port: 80, protocol: 'TCP' }] });
const b = svc('ns', 'b', { clusterIP: '127.96.0.2', ports: [{ port: 81, protocol: 'TCP' }] });

test('proxier: nothing syncs before the informers synced; then one sync per batch, partial after the first', async () => {
  const provider = new RecordingProvider();
  const metrics = new ProxyMetrics();
  const p = new Proxier({ nodeName: 'n', provider, metrics, health: new ProxyHealth(60_000), minSyncMs: 0, maxSyncMs: 0 });
  p.start();
  p.onServiceUpdate(undefined, a);
  p.onServiceUpdate(undefined, b);
  p.onEndpointSliceUpdate(slice('ns', 'a', 'a-1', [ep('127.244.0.2')], [{ name: 'p', port: 8080, protocol: 'TCP' }]), false);
  await sleep(30);
  assert.equal(provider.syncs.length, 0);
  assert.equal(p.hasSynced(), false);
  p.setInitialized();
  await sleep(30);
  assert.deepEqual(provider.syncs, [{ services: ['ns/a', 'ns/b'], endpoints: ['ns/a'], full: true, ports: ['ns/a:p/TCP', 'ns/b/TCP'], eps: 1 }]);
  assert.equal(p.hasSynced(), true);

  p.onServiceUpdate(b, undefined);
  p.onServiceUpdate(a, a); // no real change
  await sleep(30);
  assert.deepEqual(provider.syncs[1], { services: ['ns/b'], endpoints: [], full: false, ports: ['ns/a:p/TCP'], eps: 1 });
  assert.equal(metrics.serviceChangesTotal.get(), 4);
  assert.equal(metrics.endpointChangesTotal.get(), 1);
  assert.equal(metrics.syncProxyRulesLatency.sampleCount, 2);
  assert.equal(metrics.syncFullProxyRulesLatency.sampleCount, 1);
  assert.equal(metrics.syncPartialProxyRulesLatency.sampleCount, 1);
  await p.stop();
});

test('proxier: a failed sync is retried as a full sync with the same changes; latency measured from the trigger time', async () => {
  const provider = new RecordingProvider();
  const metrics = new ProxyMetrics();
  const health = new ProxyHealth(60_000);
  const p = new Proxier({ nodeName: 'n', provider, metrics, health, minSyncMs: 0, maxSyncMs: 0 });
  p.start();
  p.setInitialized();
  await sleep(80); // trigger times from before the proxy started are not measured
  provider.failNext = 1;
  const trigger = new Date(Date.now() - 40).toISOString();
  p.onEndpointSliceUpdate(
    slice('ns', 'a', 'a-1', [ep('127.244.0.2')], [{ name: 'p', port: 8080, protocol: 'TCP' }], {
      'endpoints.kubernetes.io/last-change-trigger-time': trigger,
    }),
    false,
  );
  await sleep(450);
  assert.equal(provider.syncs.length, 3, 'initial, failed, retried');
  assert.deepEqual(provider.syncs[1]!.endpoints, ['ns/a']);
  assert.deepEqual(provider.syncs[2]!.endpoints, ['ns/a'], 'the retry still knows what changed');
  assert.equal(provider.syncs[2]!.full, true);
  assert.equal(metrics.networkProgrammingLatency.sampleCount, 1, 'observed once, after the successful sync');
  assert.ok(metrics.networkProgrammingLatency.sampleSum >= 0.04);
  const text = metrics.registry.expose();
  assert.match(text, /^# HELP kubeproxy_network_programming_duration_seconds \[ALPHA\] In Cluster Network Programming Latency in seconds$/m);
  assert.match(text, /^kubeproxy_network_programming_duration_seconds_bucket\{le="0.25"\} 1$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_endpoint_changes_total 1$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_duration_seconds_count 3$/m);
  assert.match(text, /^kubeproxy_sync_proxy_rules_no_local_endpoints_total\{traffic_policy="internal"\} 0$/m);
  assert.ok(health.isHealthy());
  await p.stop();
});

test('proxier: the periodic sync is a partial resync (full: false, resync: true); requested ones are not resyncs', async () => {
  const provider = new RecordingProvider();
  const metrics = new ProxyMetrics();
  const p = new Proxier({ nodeName: 'n', provider, metrics, health: new ProxyHealth(60_000), minSyncMs: 0, maxSyncMs: 150 });
  p.start();
  p.onServiceUpdate(undefined, a);
  p.setInitialized();
  await sleep(30);
  assert.equal(provider.syncs.length, 1);
  assert.equal(provider.syncs[0]!.full, true);
  assert.equal(provider.resyncs[0], false);
  await sleep(200); // one max interval passes with no event
  assert.ok(provider.syncs.length >= 2, `${provider.syncs.length} syncs`);
  assert.equal(provider.syncs[1]!.full, false, 'the periodic sync leaves the full/partial choice to the provider');
  assert.equal(provider.resyncs[1], true);
  p.onServiceUpdate(undefined, b);
  await sleep(30);
  const last = provider.syncs.length - 1;
  assert.deepEqual(provider.syncs[last]!.services, ['ns/b']);
  assert.equal(provider.resyncs[last], false);
  await p.stop();
});

test('healthz: 200 with upstream body while changes are applied in time, 503 when one is late or the node is going away', async () => {
  let now = Date.parse('2026-11-27T10:00:00.5Z');
  const health = new ProxyHealth(1000, () => now);
  const metrics = new ProxyMetrics();
  const srv = await listenHttp('127.0.0.1', 0, (req, res) => health.handle(req, res, metrics));
  try {
    let r = await get(srv.port, '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.body, /^\{"lastUpdated": "2026-11-27 10:00:00\.5 \+0000 UTC m=\+[0-9.]+","currentTime": "2026-11-27 10:00:00\.5 \+0000 UTC m=\+[0-9.]+", "nodeEligible": true\}$/);
    health.queuedUpdate();
    now += 999;
    assert.equal((await get(srv.port, '/healthz')).status, 200, 'pending but not late');
    now += 1;
    r = await get(srv.port, '/healthz');
    assert.equal(r.status, 503);
    assert.match(r.body, /^\{"lastUpdated": "0001-01-01 00:00:00 \+0000 UTC","currentTime": "2026-11-27 10:00:01\.5 \+0000 UTC m=\+[0-9.]+", "nodeEligible": true\}$/);
    assert.equal((await get(srv.port, '/livez')).status, 503);
    health.updated();
    assert.equal((await get(srv.port, '/healthz')).status, 200);
    health.setNodeEligible(false);
    r = await get(srv.port, '/healthz');
    assert.equal(r.status, 503);
    assert.match(r.body, /"nodeEligible": false/);
    assert.equal((await get(srv.port, '/livez')).status, 200, 'livez ignores the node');
    assert.equal(metrics.proxyHealthzTotal.get({ code: '503' }), 2);
  } finally {
    await srv.close();
  }
});

test('service health check: 200 with local endpoints (upstream JSON), 503 without; closed when no longer needed', async () => {
  const port = await freePort();
  const shs = new ServiceHealthServer(['127.0.0.1'], () => true);
  try {
    await shs.syncServices(new Map([['ns/lb', port]]));
    shs.syncEndpoints(new Map([['ns/lb', 2]]));
    let r = await get(port, '/');
    assert.equal(r.status, 200);
    assert.equal(r.body, '{\n\t"service": {\n\t\t"namespace": "ns",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
    shs.syncEndpoints(new Map());
    r = await get(port, '/anything');
    assert.equal(r.status, 503);
    assert.match(r.body, /"localEndpoints": 0/);
    await shs.syncServices(new Map());
    await assert.rejects(get(port, '/'), { code: 'ECONNREFUSED' });
  } finally {
    await shs.stop();
  }
});
