import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../../src/api/core.js';
import { buildContainerEnv, dnsEnv, expand, expandCommand, serviceEnvVars, servicesForPod } from '../../src/node/env.js';

const svc = (ns: string, name: string, ip: string, ports: Service['spec']['ports']): Service => ({
  metadata: { name, namespace: ns },
  spec: { clusterIP: ip, ports },
});

test('service env vars in upstream format (FromServices)', () => {
  const env = serviceEnvVars([
    svc('default', 'my-service', '127.96.0.20', [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'dns-udp', port: 53, protocol: 'UDP' },
    ]),
  ]);
  assert.deepEqual(env, [
    ['MY_SERVICE_SERVICE_HOST', '127.96.0.20'],
    ['MY_SERVICE_SERVICE_PORT', '80'],
    ['MY_SERVICE_SERVICE_PORT_HTTP', '80'],
    ['MY_SERVICE_SERVICE_PORT_DNS_UDP', '53'],
    ['MY_SERVICE_PORT', 'tcp://127.96.0.20:80'],
    ['MY_SERVICE_PORT_80_TCP', 'tcp://127.96.0.20:80'],
    ['MY_SERVICE_PORT_80_TCP_PROTO', 'tcp'],
    ['MY_SERVICE_PORT_80_TCP_PORT', '80'],
    ['MY_SERVICE_PORT_80_TCP_ADDR', '127.96.0.20'],
    ['MY_SERVICE_PORT_53_UDP', 'udp://127.96.0.20:53'],
    ['MY_SERVICE_PORT_53_UDP_PROTO', 'udp'],
    ['MY_SERVICE_PORT_53_UDP_PORT', '53'],
    ['MY_SERVICE_PORT_53_UDP_ADDR', '127.96.0.20'],
  ]);
});

test('headless and ExternalName services get no variables', () => {
  assert.deepEqual(serviceEnvVars([svc('a', 'h', 'None', [{ port: 80 }]), { metadata: { name: 'x', namespace: 'a' }, spec: { type: 'ExternalName', externalName: 'e.com' } }]), []);
});

const pod = (over: Partial<Pod['spec']> = {}, ns = 'team'): Pod => ({
  metadata: { name: 'web-1', namespace: ns, uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }], ...over },
  status: { podIP: '127.244.0.7', hostIP: '127.0.0.1' },
});

test('servicesForPod: own namespace when enableServiceLinks, kubernetes always', () => {
  const all = [
    svc('default', 'kubernetes', '127.96.0.1', [{ name: 'https', port: 443 }]),
    svc('team', 'api', '127.96.0.5', [{ port: 8080 }]),
    svc('other', 'db', '127.96.0.6', [{ port: 5432 }]),
  ];
  assert.deepEqual(servicesForPod(pod(), all).map((s) => s.metadata.name), ['api', 'kubernetes']);
  assert.deepEqual(servicesForPod(pod({ enableServiceLinks: false }), all).map((s) => s.metadata.name), ['kubernetes']);
  const env = buildContainerEnv({ pod: pod(), container: pod().spec.containers[0]!, nodeName: 'node-1', services: servicesForPod(pod(), all) });
  assert.equal(env.KUBERNETES_SERVICE_HOST, '127.96.0.1');
  assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  assert.equal(env.KUBERNETES_SERVICE_PORT_HTTPS, '443');
  assert.equal(env.API_SERVICE_HOST, '127.96.0.5');
  assert.equal(env.DB_SERVICE_HOST, undefined);
});

test('pod identity, fieldRefs, $(VAR) expansion and overrides', () => {
  const p = pod();
  p.spec.containers[0]!.env = [
    { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'MY_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
    { name: 'GREETING', value: 'hello $(MY_NAME) $$(MY_NAME) $(UNKNOWN)' },
    { name: 'POD_IP', value: 'overridden' },
  ];
  const env = buildContainerEnv({ pod: p, container: p.spec.containers[0]!, nodeName: 'node-1', services: [] }, { PATH: '/bin' });
  assert.equal(env.PATH, '/bin');
  assert.equal(env.HOSTNAME, 'web-1');
  assert.equal(env.POD_NAME, 'web-1');
  assert.equal(env.POD_NAMESPACE, 'team');
  assert.equal(env.NODE_NAME, 'node-1');
  assert.equal(env.MY_NAME, 'web-1');
  assert.equal(env.MY_NS, 'team');
  assert.equal(env.MY_IP, '127.244.0.7');
  assert.equal(env.MY_NODE, 'node-1');
  assert.equal(env.APP, 'web');
  assert.equal(env.GREETING, 'hello web-1 $(MY_NAME) $(UNKNOWN)');
  assert.equal(env.POD_IP, 'overridden');
  assert.equal(env.KUBESVC_POD_NETWORK, 'loopback', 'loopback unless told');
});

test('KUBESVC_POD_NETWORK tells the images which pod network they run in', () => {
  const p = pod();
  const ctx = { pod: p, container: p.spec.containers[0]!, nodeName: 'node-1', services: [] };
  assert.equal(buildContainerEnv({ ...ctx, podNetwork: 'netns' }).KUBESVC_POD_NETWORK, 'netns');
  assert.equal(buildContainerEnv({ ...ctx, podNetwork: 'loopback' }).KUBESVC_POD_NETWORK, 'loopback');
});

test('expand and command expansion', () => {
  assert.equal(expand('$(A)-$(B', (n) => (n === 'A' ? 'x' : undefined)), 'x-$(B');
  assert.equal(expand('$A $$ $', () => 'no'), '$A $ $');
  const out = expandCommand({ name: 'c', command: ['echo', '$(POD_IP)'], args: ['$(X)'] }, { POD_IP: '1.2.3.4' });
  assert.deepEqual(out, { command: ['echo', '1.2.3.4'], args: ['$(X)'] });
});

test('DNS settings for built-in images', () => {
  assert.deepEqual(dnsEnv(pod(), '127.96.0.10', 'cluster.local'), {
    KUBESVC_DNS_SERVER: '127.96.0.10',
    KUBESVC_DNS_SEARCH: 'team.svc.cluster.local,svc.cluster.local,cluster.local',
  });
  assert.deepEqual(dnsEnv(pod({ dnsPolicy: 'Default' }), '127.96.0.10'), {});
  assert.deepEqual(dnsEnv(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.b'] } }), '127.96.0.10'), {
    KUBESVC_DNS_SERVER: '1.1.1.1',
    KUBESVC_DNS_SEARCH: 'a.b',
  });
});
