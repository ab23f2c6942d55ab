// The userspace mode with real sockets: maps built from hand-made Services and EndpointSlices
// (no API server), real TCP/UDP echo servers on 127.x addresses. TCP bytes go through the
// tcp-relay addon where it is built; userspace-streams.test.ts runs this file again with Node's
// streams (KUBESVC_TEST_RELAY=streams).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserspaceProvider } from '../../src/proxy/userspace/provider.js';
import type { ProxyChanges } from '../../src/proxy/provider.js';
import type { Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import { setQuiet } from '../../src/util/log.js';
import { parsePrometheusText } from '../../src/util/prometheus-text.js';
import {
  buildMaps,
  ep,
  freePort,
  freshIP,
  slice,
  svc,
  tcpConnection,
  tcpEcho,
  tcpRequest,
  udpEcho,
  udpRequest,
  sleep,
  type EchoServer,
} from './fixtures.js';

setQuiet(true);
const node = 'node-a';
const changes: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
/** Polls a condition for up to a second (socket closes reach the proxy a moment after the client's). */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await sleep(10);
  assert.ok(ok());
}
const tcp = (name: string, port: number, extra: object = {}) => ({ name, port, protocol: 'TCP' as const, ...extra });

describe('userspace proxy', () => {
  const nodeIP = freshIP();
  const provider = new UserspaceProvider({ nodeName: node, nodeIP, dialTimeoutsMs: [250, 500, 1000, 2000], relayInC: process.env.KUBESVC_TEST_RELAY !== 'streams' });
  const backends: EchoServer[] = [];
  const services = new Map<string, Service>();
  const slices = new Map<string, EndpointSlice>();
  const sync = async () => {
    const { sm, em } = buildMaps(node, [...services.values()], [...slices.values()]);
    await provider.sync(sm, em, changes);
  };
  const backend = async (name: string, kind: 'tcp' | 'udp' = 'tcp') => {
    const b = kind === 'tcp' ? await tcpEcho(name, freshIP()) : await udpEcho(name, freshIP());
    backends.push(b);
    return b;
  };
  const put = (s: Service, sl?: EndpointSlice) => {
    services.set(s.metadata.name!, s);
    if (sl) slices.set(sl.metadata.name!, sl);
  };

  before(async () => provider.start());
  after(async () => {
    await provider.stop();
    await Promise.all(backends.map((b) => b.close()));
  });

  test('round-robin: 30 requests reach 3 endpoints 10 times each', async () => {
    const port = await freePort();
    const bs = await Promise.all(['a', 'b', 'c'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...bs);
    const ip = freshIP();
    put(svc('ns', 'rr', { clusterIP: ip, ports: [tcp('http', 8080)] }), slice('ns', 'rr', 'rr-1', bs.map((b) => ep(b.ip)), [tcp('http', port)]));
    await sync();
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await tcpRequest(ip, 8080, `r${i}`));
    const count = (n: string) => answers.filter((a) => a.startsWith(`${n}:`)).length;
    assert.deepEqual([count('a'), count('b'), count('c')], [10, 10, 10]);
    assert.equal(answers[7], `${answers[7]!.split(':')[0]}:r7`, 'the payload went through');
  });

  test('ClientIP affinity sticks', async () => {
    const port = await freePort();
    const bs = await Promise.all(['x', 'y', 'z'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...bs);
    const ip = freshIP();
    put(
      svc('ns', 'sticky', { clusterIP: ip, ports: [tcp('', 8080)], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
      slice('ns', 'sticky', 'sticky-1', bs.map((b) => ep(b.ip)), [tcp('', port)]),
    );
    await sync();
    const answers = new Set<string>();
    for (let i = 0; i < 10; i++) answers.add((await tcpRequest(ip, 8080)).split(':')[0]!);
    assert.equal(answers.size, 1);
    const other = new Set<string>();
    for (let i = 0; i < 10; i++) other.add((await tcpRequest(ip, 8080, 'p', { localAddress: '127.0.0.9' })).split(':')[0]!);
    assert.equal(other.size, 1, 'another client sticks too');
  });

  test('a failed connect retries the next endpoint', async () => {
    const port = await freePort();
    const up = await Promise.all(['up1', 'up2'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...up);
    const down = freshIP(); // nothing listens there: connect is refused
    const ip = freshIP();
    put(svc('ns', 'retry', { clusterIP: ip, ports: [tcp('', 8080)] }), slice('ns', 'retry', 'retry-1', [...up.map((b) => ep(b.ip)), ep(down)], [tcp('', port)]));
    await sync();
    const t0 = performance.now();
    for (let i = 0; i < 30; i++) assert.match(await tcpRequest(ip, 8080), /^up[12]:ping$/);
    assert.ok(performance.now() - t0 < 3000);
  });

  test('traffic counters: connections, open connections, bytes each way and failed dials per endpoint; clients turned away per Service port', async () => {
    const port = await freePort();
    const up = await Promise.all(['ca', 'cb'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...up);
    const down = freshIP();
    const ip = freshIP();
    put(svc('ns', 'counted', { clusterIP: ip, ports: [tcp('http', 8080)] }), slice('ns', 'counted', 'counted-1', [...up.map((b) => ep(b.ip)), ep(down)], [tcp('http', port)]));
    await sync();
    const served = new Map<string, number>();
    for (let i = 0; i < 12; i++) {
      const answer = await tcpRequest(ip, 8080, 'hello');
      served.set(answer.split(':')[0]!, (served.get(answer.split(':')[0]!) ?? 0) + 1);
    }
    const figures = () => parsePrometheusText(provider.traffic.expose(), (n) => n.startsWith('kubesvc_proxy_')).filter((s) => s.labels['service'] === 'counted');
    const value = (name: string, labels: Record<string, string>) =>
      figures().find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    for (const b of up) {
      const endpoint = `${b.ip}:${port}`;
      const labels = { namespace: 'ns', port: 'http', protocol: 'TCP', endpoint };
      const n = served.get(b.name) ?? 0;
      assert.equal(value('kubesvc_proxy_endpoint_connections_total', labels), n, `${endpoint} served ${n}`);
      // The clients closed; the proxy hears of it a moment later.
      await until(() => value('kubesvc_proxy_endpoint_open_connections', labels) === 0);
      // Each request is "hello\n" (6 bytes); each answer "<name>:hello\n".
      assert.equal(value('kubesvc_proxy_endpoint_bytes_total', { ...labels, direction: 'to_client' }), n * `${b.name}:hello\n`.length);
      assert.equal(value('kubesvc_proxy_endpoint_bytes_total', { ...labels, direction: 'to_endpoint' }), n * 6);
    }
    assert.equal((served.get('ca') ?? 0) + (served.get('cb') ?? 0), 12);
    assert.ok((value('kubesvc_proxy_endpoint_dial_failures_total', { endpoint: `${down}:${port}` }) ?? 0) >= 1, 'the refused endpoint counts its failed dials');
    assert.equal(value('kubesvc_proxy_endpoint_connections_total', { endpoint: `${down}:${port}` }), 0);

    // An open connection counts as open, and its bytes count before it closes.
    const conn = await tcpConnection(ip, 8080);
    assert.match(await conn.ask('a-long-message'), /^c[ab]:a-long-message$/);
    const openOn = () => figures().filter((s) => s.name === 'kubesvc_proxy_endpoint_open_connections' && s.value === 1);
    assert.equal(openOn().length, 1);
    const ep1 = openOn()[0]!.labels['endpoint'];
    const before = value('kubesvc_proxy_endpoint_bytes_total', { endpoint: ep1!, direction: 'to_endpoint' })!;
    assert.match(await conn.ask('more'), /:more$/);
    assert.equal(value('kubesvc_proxy_endpoint_bytes_total', { endpoint: ep1!, direction: 'to_endpoint' }), before + 5);
    conn.close();
    await until(() => openOn().length === 0);

    // A Service port whose every endpoint refuses turns the client away after its attempts, and counts it.
    put(svc('ns', 'counted-none', { clusterIP: freshIP(), ports: [tcp('http', 8080)] }), slice('ns', 'counted-none', 'counted-none-1', [ep(freshIP())], [tcp('http', port)]));
    await sync();
    const none = services.get('counted-none')!.spec!.clusterIP!;
    await assert.rejects(tcpRequest(none, 8080));
    const unserved = parsePrometheusText(provider.traffic.expose(), (n) => n === 'kubesvc_proxy_service_unserved_connections_total').find((s) => s.labels['service'] === 'counted-none');
    assert.deepEqual(unserved?.labels, { namespace: 'ns', service: 'counted-none', port: 'http', protocol: 'TCP' });
    assert.equal(unserved?.value, 1);
  });

  test('no endpoints: TCP connections are refused at once, UDP gets port unreachable', async () => {
    const ip = freshIP();
    put(svc('ns', 'empty', { clusterIP: ip, ports: [tcp('t', 8080), { name: 'u', port: 8053, protocol: 'UDP' }] }));
    await sync();
    const t0 = performance.now();
    await assert.rejects(tcpRequest(ip, 8080), { code: 'ECONNREFUSED' });
    const ms = performance.now() - t0;
    assert.ok(ms < 100, `refused after ${ms.toFixed(1)} ms`);
    await assert.rejects(udpRequest(ip, 8053, 'x', 1000), { code: 'ECONNREFUSED' });
  });

  test('UDP round trip, sessions spread over endpoints', async () => {
    const a = await backend('ua', 'udp');
    const b = await udpEcho('ub', freshIP(), a.port);
    backends.push(b);
    const bs = [a, b];
    const ip = freshIP();
    put(
      svc('ns', 'udp', { clusterIP: ip, ports: [{ name: 'dns', port: 8053, protocol: 'UDP' }] }),
      slice('ns', 'udp', 'udp-1', bs.map((x) => ep(x.ip)), [{ name: 'dns', port: a.port, protocol: 'UDP' }]),
    );
    await sync();
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await udpRequest(ip, 8053, `q${i}`));
    assert.ok(answers.every((x, i) => x === `ua:q${i}` || x === `ub:q${i}`), answers.join(' '));
    assert.ok(answers.some((x) => x.startsWith('ua')) && answers.some((x) => x.startsWith('ub')), 'each new client session takes the next endpoint');
  });

  test('UDP sessions end after the idle timeout', async () => {
    const p2 = new UserspaceProvider({ nodeName: node, nodeIP, udpIdleTimeoutMs: 100 });
    try {
      const a = await backend('ia', 'udp');
      const ip = freshIP();
      const { sm, em } = buildMaps(
        node,
        [svc('ns', 'idle', { clusterIP: ip, ports: [{ port: 8053, protocol: 'UDP' }] })],
        [slice('ns', 'idle', 'idle-1', [ep(a.ip)], [{ port: a.port, protocol: 'UDP' }])],
      );
      await p2.sync(sm, em, changes);
      const { createSocket } = await import('node:dgram');
      const client = createSocket('udp4');
      await new Promise<void>((r) => client.connect(8053, ip, () => r()));
      const answers: string[] = [];
      client.on('message', (m) => answers.push(m.toString()));
      for (let i = 0; i < 3; i++) {
        client.send(`m${i}`);
        await sleep(20);
      }
      assert.deepEqual(answers, ['ia:m0', 'ia:m1', 'ia:m2']);
      assert.equal(p2.connections(`UDP ${ip}:8053`), 1, 'one session for one client');
      await sleep(250);
      assert.equal(p2.connections(`UDP ${ip}:8053`), 0, 'closed after 100 ms idle');
      client.close();
    } finally {
      await p2.stop();
    }
  });

  test('a Service losing all endpoints refuses new connections, keeps open ones until stop', async () => {
    const p2 = new UserspaceProvider({ nodeName: node, nodeIP });
    const b = await backend('dr');
    const ip = freshIP();
    const s = svc('ns', 'drain', { clusterIP: ip, ports: [tcp('', 8080)] });
    let maps = buildMaps(node, [s], [slice('ns', 'drain', 'drain-1', [ep(b.ip)], [tcp('', b.port)])]);
    await p2.sync(maps.sm, maps.em, changes);
    const conn = await tcpConnection(ip, 8080);
    assert.equal(await conn.ask('1'), 'dr:1');
    maps = buildMaps(node, [s], []);
    await p2.sync(maps.sm, maps.em, changes);
    await assert.rejects(tcpRequest(ip, 8080), { code: 'ECONNREFUSED' });
    assert.equal(await conn.ask('2'), 'dr:2', 'the open connection carries on');
    const closed = new Promise<void>((r) => conn.socket.once('close', () => r()));
    await p2.stop();
    await closed;
  });

  test('NodePort answers on the node IP and on 127.0.0.1', async () => {
    const b = await backend('np');
    const nodePort = await freePort();
    put(
      svc('ns', 'np', { type: 'NodePort', clusterIP: freshIP(), ports: [tcp('', 8080, { nodePort })] }),
      slice('ns', 'np', 'np-1', [ep(b.ip)], [tcp('', b.port)]),
    );
    await sync();
    assert.equal(await tcpRequest(nodeIP, nodePort), 'np:ping');
    assert.equal(await tcpRequest('127.0.0.1', nodePort), 'np:ping');
  });

  test('LoadBalancer IP with loadBalancerSourceRanges; local external IPs', async () => {
    const b = await backend('lb');
    const lbIP = freshIP();
    const extIP = freshIP();
    const allowed = freshIP();
    put(
      svc(
        'ns',
        'lb',
        { type: 'LoadBalancer', clusterIP: freshIP(), externalIPs: [extIP, '192.0.2.1'], loadBalancerSourceRanges: [`${allowed}/32`], ports: [tcp('', 8080, { nodePort: await freePort() })] },
        { loadBalancer: { ingress: [{ ip: lbIP, ipMode: 'VIP' }] } },
      ),
      slice('ns', 'lb', 'lb-1', [ep(b.ip)], [tcp('', b.port)]),
    );
    await sync();
    assert.equal(await tcpRequest(lbIP, 8080, 'ok', { localAddress: allowed }), 'lb:ok');
    await assert.rejects(tcpRequest(lbIP, 8080, 'no', { localAddress: freshIP() }), 'a source outside the ranges is reset');
    assert.equal(await tcpRequest(extIP, 8080, 'ext', { localAddress: freshIP() }), 'lb:ext', 'external IPs are not limited by LB source ranges');
    assert.ok(!provider.listenerKeys().some((k) => k.includes('192.0.2.1')), 'an external IP that is not local is not listened on');
  });

  test('externalTrafficPolicy Local: NodePort uses this node’s endpoints, ClusterIP all; hairpin works', async () => {
    const port = await freePort();
    const local = await tcpEcho('local', freshIP(), port);
    const remote = await tcpEcho('remote', freshIP(), port);
    backends.push(local, remote);
    const clusterIP = freshIP();
    const nodePort = await freePort();
    put(
      svc('ns', 'etp', { type: 'NodePort', clusterIP, externalTrafficPolicy: 'Local', ports: [tcp('', 8080, { nodePort })] }),
      slice('ns', 'etp', 'etp-1', [ep(local.ip, { nodeName: node }), ep(remote.ip, { nodeName: 'node-b' })], [tcp('', port)]),
    );
    await sync();
    for (let i = 0; i < 6; i++) assert.equal(await tcpRequest('127.0.0.1', nodePort), 'local:ping');
    const viaCluster = new Set<string>();
    for (let i = 0; i < 6; i++) viaCluster.add((await tcpRequest(clusterIP, 8080)).split(':')[0]!);
    assert.deepEqual([...viaCluster].sort(), ['local', 'remote']);
    // Hairpin: a pod reaching its own Service from its own address can land on itself.
    const self = new Set<string>();
    for (let i = 0; i < 4; i++) self.add((await tcpRequest(clusterIP, 8080, 'me', { localAddress: local.ip })).split(':')[0]!);
    assert.ok(self.has('local'));
  });

  test('a client that half-closes still gets its answer', async () => {
    const b = await backend('hc');
    const ip = freshIP();
    put(svc('ns', 'hc', { clusterIP: ip, ports: [tcp('', 8080)] }), slice('ns', 'hc', 'hc-1', [ep(b.ip)], [tcp('', b.port)]));
    await sync();
    const { connect } = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: ip, port: 8080, allowHalfOpen: true });
      const t = setTimeout(() => (s.destroy(), reject(new Error('timeout'))), 2000);
      let buf = '';
      s.on('connect', () => s.end('bye\n')); // write, then FIN at once
      s.on('data', (d) => (buf += d));
      s.on('end', () => (clearTimeout(t), s.destroy(), resolve(buf)));
      s.on('error', reject);
    });
    assert.equal(answer, 'hc:bye\n');
  });

  test('serving-but-terminating endpoints are used when none is ready', async () => {
    const b = await backend('term');
    const ip = freshIP();
    put(
      svc('ns', 'term', { clusterIP: ip, ports: [tcp('', 8080)] }),
      slice('ns', 'term', 'term-1', [ep(b.ip, { conditions: { ready: false, serving: true, terminating: true } })], [tcp('', b.port)]),
    );
    await sync();
    assert.equal(await tcpRequest(ip, 8080), 'term:ping');
  });

  test('an endpoint removed gets no new connection; a kept Service keeps its open connection across syncs', async () => {
    const port = await freePort();
    const bs = await Promise.all(['k1', 'k2', 'k3'].map((n) => tcpEcho(n, freshIP(), port)));
    backends.push(...bs);
    const ip = freshIP();
    const mk = (list: EchoServer[]) => slice('ns', 'keep', 'keep-1', list.map((b) => ep(b.ip)), [tcp('', port)]);
    put(svc('ns', 'keep', { clusterIP: ip, ports: [tcp('', 8080)] }), mk(bs));
    await sync();
    const conn = await tcpConnection(ip, 8080);
    const first = (await conn.ask('hello')).split(':')[0]!;

    // Another Service changes: this one's listener and connection are untouched.
    put(svc('ns', 'other', { clusterIP: freshIP(), ports: [tcp('', 8080)] }), slice('ns', 'other', 'other-1', [ep(bs[0]!.ip)], [tcp('', port)]));
    await sync();
    assert.equal(await conn.ask('again'), `${first}:again`);

    // This Service loses an endpoint it is not connected to: the connection carries on, and no
    // new connection reaches the removed endpoint.
    const removed = bs.find((b) => b.name !== first)!;
    slices.set('keep-1', mk(bs.filter((b) => b !== removed)));
    await sync();
    const hitsBefore = removed.hits;
    for (let i = 0; i < 20; i++) assert.notEqual((await tcpRequest(ip, 8080)).split(':')[0], removed.name);
    assert.equal(removed.hits, hitsBefore);
    assert.equal(await conn.ask('still'), `${first}:still`);
    conn.close();
  });
});

test('two Service ports wanting one external address: the one left without it is reported once (an Event on that Service), again if it comes back', async () => {
  const reports: { namespace: string; name: string; reason: string; message: string }[] = [];
  const p = new UserspaceProvider({ nodeName: 'node-a', nodeIP: freshIP(), report: (r) => reports.push(r) });
  await p.start();
  const shared = freshIP();
  const b = await tcpEcho('x', freshIP());
  try {
    const services = [
      svc('ns', 'first', { clusterIP: freshIP(), externalIPs: [shared], ports: [tcp('http', 8080)] }),
      svc('ns', 'second', { clusterIP: freshIP(), externalIPs: [shared], ports: [tcp('web', 8080)] }),
    ];
    const slices = ['first', 'second'].map((n) => slice('ns', n, `${n}-1`, [ep(b.ip)], [tcp(n === 'first' ? 'http' : 'web', b.port)]));
    const syncWith = async (ss: typeof services) => {
      const { sm, em } = buildMaps('node-a', ss, slices);
      await p.sync(sm, em, changes);
    };
    await syncWith(services);
    assert.deepEqual(reports.map((r) => [r.namespace, r.name, r.reason]), [['ns', 'second', 'PortConflict']]);
    assert.match(reports[0]!.message, new RegExp(`^TCP ${shared.replaceAll('.', '\\.')}:8080 is already served for ns/first:http; port web of this Service gets no listener there on node node-a$`));
    assert.equal(await tcpRequest(shared, 8080, 'who'), 'x:who', 'the first (by name) is served');
    await syncWith(services);
    assert.equal(reports.length, 1, 'not again while it lasts');
    await syncWith([services[0]!]);
    await syncWith(services);
    assert.equal(reports.length, 2, 'again once it comes back');
  } finally {
    await p.stop();
    await b.close();
  }
});
