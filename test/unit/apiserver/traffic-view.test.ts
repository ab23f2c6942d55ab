// The traffic view's reading of ingress controllers: which pods it asks (kube-system only, as
// announced by prometheus.io annotations) and what it takes from their metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestsOfController, scrapeTarget } from '../../../src/apiserver/ui/traffic.js';
import type { Pod } from '../../../src/api/core.js';

const pod = (o: { ns?: string; annotations?: Record<string, string>; phase?: string; ip?: string }): Pod =>
  ({ metadata: { name: 'ctl', namespace: o.ns ?? 'kube-system', annotations: o.annotations ?? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '10254' } }, spec: { containers: [] }, status: { phase: o.phase ?? 'Running', podIP: o.ip ?? '127.244.1.9' } }) as unknown as Pod;

test('scrapeTarget: running kube-system pods that announce metrics, with a sane port and path', () => {
  assert.equal(scrapeTarget(pod({})), 'http://127.244.1.9:10254/metrics');
  assert.equal(scrapeTarget(pod({ annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9113', 'prometheus.io/path': '/stats/prometheus' } })), 'http://127.244.1.9:9113/stats/prometheus');
  assert.equal(scrapeTarget(pod({ ip: 'fd00::5' })), 'http://[fd00::5]:10254/metrics');
  // Anyone may create pods elsewhere: the API server dials only kube-system's.
  assert.equal(scrapeTarget(pod({ ns: 'default' })), undefined);
  assert.equal(scrapeTarget(pod({ phase: 'Pending' })), undefined);
  assert.equal(scrapeTarget(pod({ annotations: {} })), undefined);
  for (const port of ['0', '70000', '80a', '-1']) assert.equal(scrapeTarget(pod({ annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': port } })), undefined, port);
  for (const path of ['metrics', '/a?b', '/../x y', '//host/x@']) {
    const t = scrapeTarget(pod({ annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/path': path } }));
    if (t) assert.equal(new URL(t).host, '127.244.1.9:10254', path);
  }
});

test('requestsOfController sums nginx_ingress_controller_requests over the labels the view does not show', () => {
  const text = [
    '# TYPE nginx_ingress_controller_requests counter',
    'nginx_ingress_controller_requests{ingress="web",namespace="prod",service="web",status="200",method="GET"} 7',
    'nginx_ingress_controller_requests{ingress="web",namespace="prod",service="web",status="200",method="POST"} 3',
    'nginx_ingress_controller_requests{ingress="web",namespace="prod",service="web",status="502",method="GET"} 1',
    'nginx_ingress_controller_request_duration_seconds_count 11',
  ].join('\n');
  assert.deepEqual(requestsOfController('kube-system/ctl', text), [
    { controller: 'kube-system/ctl', namespace: 'prod', ingress: 'web', service: 'web', status: '200', requests: 10 },
    { controller: 'kube-system/ctl', namespace: 'prod', ingress: 'web', service: 'web', status: '502', requests: 1 },
  ]);
});
