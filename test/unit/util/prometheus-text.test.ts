// Reading the text exposition format back: what TrafficCounters writes, the API server's traffic
// view parses (escaped label values, families it did not ask for, malformed lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from '../../../src/util/prometheus-text.js';
import { liveEndpoints, TrafficCounters, servicePortLabels } from '../../../src/proxy/metrics/traffic.js';
import { trafficOfNode } from '../../../src/apiserver/ui/traffic.js';

test('samples with labels, escaped values and no labels; other families and malformed lines skipped', () => {
  const text = [
    '# HELP a_total x',
    '# TYPE a_total counter',
    'a_total{x="1",y="q\\"uo\\\\te\\nnl"} 5',
    'a_total 7',
    'b_total{x="1"} 9',
    'a_total{x="unterminated} 3',
    'a_total{x="1"} not-a-number',
    'a_total{x="1",} 11',
    '',
  ].join('\n');
  assert.deepEqual(parsePrometheusText(text, (n) => n === 'a_total'), [
    { name: 'a_total', labels: { x: '1', y: 'q"uo\\te\nnl' }, value: 5 },
    { name: 'a_total', labels: {}, value: 7 },
    { name: 'a_total', labels: { x: '1' }, value: 11 },
  ]);
});

test('servicePortLabels reads servicePortKey, named and unnamed ports', () => {
  assert.deepEqual(servicePortLabels('prod/web:http/TCP'), { namespace: 'prod', service: 'web', port: 'http', protocol: 'TCP' });
  assert.deepEqual(servicePortLabels('kube-system/kube-dns/UDP'), { namespace: 'kube-system', service: 'kube-dns', port: '', protocol: 'UDP' });
});

test('what TrafficCounters exposes is what the traffic view reads, open flows included', () => {
  const t = new TrafficCounters();
  let live = { toEndpoint: 10, toClient: 20 };
  const closeA = t.opened('prod/web:http/TCP', '10.0.0.1:8080', { toEndpoint: () => 100, toClient: () => 2000 });
  t.opened('prod/web:http/TCP', '10.0.0.1:8080', { toEndpoint: () => live.toEndpoint, toClient: () => live.toClient });
  t.dialFailed('prod/web:http/TCP', '10.0.0.2:8080');
  t.unservedConnection('prod/web:http/TCP');
  closeA();
  closeA(); // ending twice counts once
  live = { toEndpoint: 15, toClient: 25 };
  const out = trafficOfNode('n1', t.expose());
  assert.deepEqual(out.endpoints.sort((a, b) => a.endpoint.localeCompare(b.endpoint)), [
    { node: 'n1', namespace: 'prod', service: 'web', port: 'http', protocol: 'TCP', endpoint: '10.0.0.1:8080', connections: 2, open: 1, bytesToEndpoint: 115, bytesToClient: 2025, dialFailures: 0 },
    { node: 'n1', namespace: 'prod', service: 'web', port: 'http', protocol: 'TCP', endpoint: '10.0.0.2:8080', connections: 0, open: 0, bytesToEndpoint: 0, bytesToClient: 0, dialFailures: 1 },
  ]);
  assert.deepEqual(out.unserved, [{ node: 'n1', namespace: 'prod', service: 'web', port: 'http', protocol: 'TCP', connections: 1 }]);
  // A Service port gone from the proxy is forgotten once nothing of it is open.
  t.retain(new Set());
  assert.equal(trafficOfNode('n1', t.expose()).endpoints.length, 1, 'the open connection keeps its record');
  assert.deepEqual(trafficOfNode('n1', t.expose()).unserved, []);
});

test('endpoints that left their Service are forgotten once nothing of theirs is open; the rest stay', () => {
  const t = new TrafficCounters();
  const f = { toEndpoint: () => 1, toClient: () => 2 };
  t.opened('prod/web:http/TCP', '10.0.0.1:8080', f)();
  t.opened('prod/web:http/TCP', '10.0.0.2:8080', f)();
  t.opened('prod/web:http/TCP', '10.0.0.3:8080', f); // still open
  const live = liveEndpoints(new Map([['prod/web:http/TCP', [{ endpoint: '10.0.0.1:8080' }]]]));
  t.retain(new Set(['prod/web:http/TCP']), live);
  assert.deepEqual(trafficOfNode('n', t.expose()).endpoints.map((e) => e.endpoint).sort(), ['10.0.0.1:8080', '10.0.0.3:8080']);
});
