// Traffic figures of the kernel modes, from conntrack listings (a fake executor stands for the
// `conntrack` tool; test/proxy/netns.test.ts reads a real table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConntrackTraffic, parseConntrackLine } from '../../src/proxy/metrics/conntrack-traffic.js';
import { parsePrometheusText } from '../../src/util/prometheus-text.js';
import { buildMaps, ep, slice, svc } from './fixtures.js';

const line = (o: { id: string; state?: string; proto?: string; csport?: number; dst?: string; dport?: number; ep?: string; epPort?: number; up?: number; down?: number }) =>
  `${o.proto ?? 'tcp'}      ${o.proto === 'udp' ? 17 : 6} 119 ${o.state ?? 'ESTABLISHED'} src=10.244.1.9 dst=${o.dst ?? '10.96.0.20'} sport=${o.csport ?? 40000} dport=${o.dport ?? 80} packets=7 bytes=${o.up ?? 100} src=${o.ep ?? '10.244.2.5'} dst=10.244.1.9 sport=${o.epPort ?? 8080} dport=${o.csport ?? 40000} packets=6 bytes=${o.down ?? 1000} [ASSURED] mark=0 use=1 id=${o.id}`;

test('parses conntrack -L -o id lines, with and without extended fields and accounting', () => {
  assert.deepEqual(parseConntrackLine(line({ id: '7' })), {
    id: '7', protocol: 'TCP', state: 'ESTABLISHED', origDst: '10.96.0.20:80', origKey: '10.244.1.9:40000>10.96.0.20:80', replySrc: '10.244.2.5:8080', bytesToEndpoint: 100, bytesToClient: 1000,
  });
  const udp = parseConntrackLine('ipv4     2 udp      17 29 src=10.244.1.9 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.244.2.7 dst=10.244.1.9 sport=53 dport=5353 mark=0 use=1 id=9');
  assert.equal(udp?.protocol, 'UDP');
  assert.equal(udp?.replySrc, '10.244.2.7:53');
  assert.equal(udp?.bytesToClient, 0);
  for (const bad of ['', 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.', 'icmp 1 29 src=1.1.1.1 dst=2.2.2.2 type=8 code=0 id=3', 'tcp 6 1 ESTABLISHED src=1.1.1.1 dst=2.2.2.2']) {
    assert.equal(parseConntrackLine(bad), undefined, bad);
  }
});

test('counts each DNATed flow of a Service once, open while ESTABLISHED, bytes as the table says', async () => {
  const listings: string[] = [];
  const runs: string[][] = [];
  const t = new ConntrackTraffic({ run: async (argv) => (runs.push(argv), argv[0] === 'conntrack' ? { code: 0, stdout: listings.shift() ?? '', stderr: '' } : { code: 0, stdout: '', stderr: '' }) }, true);
  const s = svc('prod', 'web', { clusterIP: '10.96.0.20', type: 'NodePort', ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30080 }] });
  const { sm } = buildMaps('node-a', [s], [slice('prod', 'web', 'web-1', [ep('10.244.2.5')], [{ name: 'http', port: 8080, protocol: 'TCP' }])]);
  t.setServices(sm);
  assert.deepEqual(runs[0], ['sysctl', '-qw', 'net.netfilter.nf_conntrack_acct=1']);
  const read = (l: string) => {
    t.observe(l);
    return Object.fromEntries(parsePrometheusText(t.counters.expose(), () => true).filter((x) => x.labels['endpoint'] === '10.244.2.5:8080').map((x) => [`${x.name}${x.labels['direction'] ? `/${x.labels['direction']}` : ''}`, x.value]));
  };
  const other = 'tcp 6 100 ESTABLISHED src=10.244.1.9 dst=10.244.2.5 sport=1 dport=8080 src=10.244.2.5 dst=10.244.1.9 sport=8080 dport=1 mark=0 use=1 id=99';
  let f = read([line({ id: '1' }), line({ id: '2', csport: 40001, dst: '172.30.0.11', dport: 30080 }), other].join('\n'));
  assert.equal(f['kubesvc_proxy_endpoint_connections_total'], 2, 'the ClusterIP flow and the NodePort flow; a direct pod-to-pod flow is not a Service\'s');
  assert.equal(f['kubesvc_proxy_endpoint_open_connections'], 2);
  assert.equal(f['kubesvc_proxy_endpoint_bytes_total/to_client'], 2000);
  // The first flow grows then closes (TIME_WAIT); the second leaves the table; a third begins.
  f = read([line({ id: '1', state: 'TIME_WAIT', down: 5000 }), line({ id: '3', csport: 40002 })].join('\n'));
  assert.equal(f['kubesvc_proxy_endpoint_connections_total'], 3);
  assert.equal(f['kubesvc_proxy_endpoint_open_connections'], 1);
  assert.equal(f['kubesvc_proxy_endpoint_bytes_total/to_client'], 5000 + 1000 + 1000);
  assert.equal(f['kubesvc_proxy_endpoint_bytes_total/to_endpoint'], 300);
  // Seen again in TIME_WAIT: not counted twice.
  f = read([line({ id: '1', state: 'TIME_WAIT', down: 5000 }), line({ id: '3', csport: 40002 })].join('\n'));
  assert.equal(f['kubesvc_proxy_endpoint_connections_total'], 3);
  // A failing conntrack (not installed) leaves the figures as they were.
  const broken = new ConntrackTraffic({ run: async () => ({ code: 127, stdout: '', stderr: 'not found' }) }, false);
  broken.setServices(sm);
  assert.match(await broken.expose(), /# TYPE kubesvc_proxy_endpoint_connections_total counter/);
});
