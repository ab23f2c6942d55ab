// The proxy end to end through a real API server: Services and EndpointSlices written with
// the client, informers feeding startProxy, traffic through the userspace listeners, metrics
// and health served over HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import { R } from '../../src/client/resources.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { startProxyTestCluster, type ProxyTestCluster } from './cluster.js';
import { ep, freshIP, sleep, slice, svc, tcpEcho, tcpRequest, udpEcho, udpRequest, type EchoServer } from './fixtures.js';

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

async function until<T>(fn: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(10);
    }
  }
}

for (const clientKind of ['local', 'http'] as const) describe(`proxy through a real API server (${clientKind} client)`, () => {
  let cluster: ProxyTestCluster;
  let proxy: RunningProxy;
  const backends: EchoServer[] = [];

  before(async () => {
    cluster = await startProxyTestCluster(clientKind);
    proxy = await startProxy(cluster.client, cluster.informers, {
      nodeName: 'node-a',
      nodeIP: '127.0.0.1',
      mode: 'userspace',
      metricsPort: 0,
      healthzPort: 0,
    });
    await until(async () => assert.ok(proxy.ready()));
  });
  after(async () => {
    await proxy?.stop();
    await cluster?.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('a ClusterIP Service reaches its 3 endpoints, refuses once they are gone; latency and health exported', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const bs = await Promise.all(['p1', 'p2', 'p3'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...bs);
    const created = await cluster.client.create<Service>(R.services, 'default', svc('default', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }));
    const clusterIP = created.spec.clusterIP!;
    assert.match(clusterIP, /^127\.96\./);
    const t0 = Date.now();
    await cluster.client.create<EndpointSlice>(
      R.endpointslices,
      'default',
      slice('default', 'web', 'web-abc', bs.map((b) => ep(b.ip, { nodeName: 'node-a' })), [{ name: 'http', port, protocol: 'TCP' }], {
        'endpoints.kubernetes.io/last-change-trigger-time': new Date(t0).toISOString(),
      }),
    );
    await until(() => tcpRequest(clusterIP, 8080));
    const programmed = Date.now() - t0;
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push((await tcpRequest(clusterIP, 8080)).split(':')[0]!);
    for (const b of bs) assert.equal(answers.filter((a) => a === b.name).length, 10, `${b.name} got 10 of 30`);
    assert.ok(programmed < 1000, `programmed in ${programmed} ms`);

    const metrics = await get(proxy.metricsPort, '/metrics');
    assert.equal(metrics.status, 200);
    const count = Number(/^kubeproxy_network_programming_duration_seconds_count (\d+)$/m.exec(metrics.body)?.[1]);
    assert.ok(count >= 1, 'network programming latency observed');
    assert.match(metrics.body, /^kubeproxy_sync_proxy_rules_endpoint_changes_total [1-9]/m);
    const healthz = await get(proxy.healthzPort, '/healthz');
    assert.equal(healthz.status, 200);
    assert.match(healthz.body, /^\{"lastUpdated": "[^"]+","currentTime": "[^"]+", "nodeEligible": true\}$/);
    assert.equal((await get(proxy.metricsPort, '/proxyMode')).body, 'userspace');

    await cluster.client.delete(R.endpointslices, 'default', 'web-abc');
    const t1 = Date.now();
    await until(() => tcpRequest(clusterIP, 8080).then(
      () => Promise.reject(new Error('still answering')),
      (e: NodeJS.ErrnoException) => assert.equal(e.code, 'ECONNREFUSED'),
    ));
    assert.ok(Date.now() - t1 < 1000);
  });

  test('a Service labelled service.kubernetes.io/service-proxy-name belongs to another proxy: its ClusterIP is not answered until the label goes, and again not once it is back', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const b = await tcpEcho('other', freshIP(), port);
    backends.push(b);
    const refused = () => tcpRequest(clusterIP, 8082).then(
      () => Promise.reject(new Error('answered')),
      (e: NodeJS.ErrnoException) => assert.equal(e.code, 'ECONNREFUSED'),
    );
    const labelled = svc('default', 'elsewhere', { ports: [{ port: 8082, protocol: 'TCP' }] });
    labelled.metadata.labels = { 'service.kubernetes.io/service-proxy-name': 'some-other-proxy' };
    const created = await cluster.client.create<Service>(R.services, 'default', labelled);
    const clusterIP = created.spec.clusterIP!;
    await cluster.client.create<EndpointSlice>(R.endpointslices, 'default', slice('default', 'elsewhere', 'elsewhere-1', [ep(b.ip, { nodeName: 'node-a' })], [{ port, protocol: 'TCP' }]));
    // An unlabelled Service created after it is programmed: by then the labelled one would be too.
    const twin = await cluster.client.create<Service>(R.services, 'default', svc('default', 'twin', { ports: [{ port: 8082, protocol: 'TCP' }] }));
    await cluster.client.create<EndpointSlice>(R.endpointslices, 'default', slice('default', 'twin', 'twin-1', [ep(b.ip, { nodeName: 'node-a' })], [{ port, protocol: 'TCP' }]));
    assert.equal(await until(() => tcpRequest(twin.spec.clusterIP!, 8082)), 'other:ping');
    await refused();
    // The label removed: the Service enters the proxy's selector and is programmed.
    await cluster.client.patch(R.services, 'default', 'elsewhere', 'merge', { metadata: { labels: { 'service.kubernetes.io/service-proxy-name': null } } });
    assert.equal(await until(() => tcpRequest(clusterIP, 8082)), 'other:ping');
    // Labelled again: it leaves the selector (a DELETED event to the proxy) and is unprogrammed.
    await cluster.client.patch(R.services, 'default', 'elsewhere', 'merge', { metadata: { labels: { 'service.kubernetes.io/service-proxy-name': 'x' } } });
    await until(refused);
  });

  test('one port number on UDP and TCP shares one nodePort (upstream\'s initNodePorts), and the proxy serves both protocols on it', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const ip = freshIP();
    const tcp = await tcpEcho('dns-tcp', ip, port);
    const udp = await udpEcho('dns-udp', ip, port);
    backends.push(tcp, udp);
    const created = await cluster.client.create<Service>(
      R.services,
      'default',
      svc('default', 'dns-np', { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
    );
    const [u, t] = created.spec.ports!;
    assert.ok(u!.nodePort! >= 30000);
    assert.equal(t!.nodePort, u!.nodePort, 'both protocols got the same nodePort');
    await cluster.client.create<EndpointSlice>(
      R.endpointslices,
      'default',
      slice('default', 'dns-np', 'dns-np-1', [ep(ip, { nodeName: 'node-a' })], [{ name: 'dns', port, protocol: 'UDP' }, { name: 'dns-tcp', port, protocol: 'TCP' }]),
    );
    assert.equal(await until(() => tcpRequest('127.0.0.1', u!.nodePort!)), 'dns-tcp:ping');
    assert.equal(await until(() => udpRequest('127.0.0.1', u!.nodePort!)), 'dns-udp:ping');
    assert.equal(await until(() => udpRequest(created.spec.clusterIP!, 53)), 'dns-udp:ping');
    await cluster.client.delete(R.services, 'default', 'dns-np');
  });

  test('a LoadBalancer Service with externalTrafficPolicy Local: NodePort, LB IP and health check node port', async () => {
    const b = await tcpEcho('lb', freshIP());
    backends.push(b);
    const created = await cluster.client.create<Service>(
      R.services,
      'default',
      svc('default', 'lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 8081, protocol: 'TCP' }] }),
    );
    const nodePort = created.spec.ports![0]!.nodePort!;
    const hcPort = created.spec.healthCheckNodePort!;
    assert.ok(nodePort >= 30000 && hcPort >= 30000);
    const lbIP = `127.240.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
    await cluster.client.update<Service>(R.services, 'default', { ...created, status: { loadBalancer: { ingress: [{ ip: lbIP, ipMode: 'VIP' }] } } }, { subresource: 'status' });
    await cluster.client.create<EndpointSlice>(R.endpointslices, 'default', slice('default', 'lb', 'lb-1', [ep(b.ip, { nodeName: 'node-a' })], [{ port: b.port, protocol: 'TCP' }]));
    assert.equal(await until(() => tcpRequest('127.0.0.1', nodePort)), 'lb:ping');
    assert.equal(await until(() => tcpRequest(lbIP, 8081)), 'lb:ping');
    const hc = await until(() => get(hcPort, '/'));
    assert.equal(hc.status, 200);
    assert.match(hc.body, /"localEndpoints": 1/);

    // The endpoint moves to another node: this node has none, so the health check says 503 and NodePort refuses.
    await cluster.client.patch(R.endpointslices, 'default', 'lb-1', 'merge', { endpoints: [ep(b.ip, { nodeName: 'node-b' })] });
    await until(async () => assert.equal((await get(hcPort, '/')).status, 503));
    await until(() => tcpRequest('127.0.0.1', nodePort).then(
      () => Promise.reject(new Error('still answering')),
      (e: NodeJS.ErrnoException) => assert.equal(e.code, 'ECONNREFUSED'),
    ));
  });
});
