import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceToServicePortMap, healthCheckNodePorts, usesClusterEndpoints, usesLocalEndpoints } from '../../src/proxy/serviceport.js';
import { servicePortNameString } from '../../src/proxy/types.js';
import { svc } from './fixtures.js';

const ports = [
  { name: 'http', port: 80, protocol: 'TCP' as const, targetPort: 9376, nodePort: 30080 },
  { name: 'dns', port: 53, protocol: 'UDP' as const, nodePort: 30053 },
];

test('ServicePorts: one per port name and protocol, with upstream keys', () => {
  const m = serviceToServicePortMap(svc('ns', 's', { clusterIP: '127.96.0.10', ports }));
  assert.deepEqual([...m.keys()], ['ns/s:http/TCP', 'ns/s:dns/UDP']);
  const http = m.get('ns/s:http/TCP')!;
  assert.equal(servicePortNameString(http.name), 'ns/s:http');
  assert.equal(http.clusterIP, '127.96.0.10');
  assert.equal(http.port, 80);
  assert.equal(http.nodePort, 0, 'a ClusterIP Service has no NodePort even if one is written');
  const unnamed = serviceToServicePortMap(svc('ns', 'u', { clusterIP: '127.96.0.11', ports: [{ port: 8080 }] }));
  assert.deepEqual([...unnamed.keys()], ['ns/u/TCP'], 'an unnamed port defaults to TCP and prints without a port name');
});

const cases: { name: string; service: Parameters<typeof svc>; check: (m: ReturnType<typeof serviceToServicePortMap>) => void }[] = [
  { name: 'headless Service is skipped', service: ['ns', 'h', { clusterIP: 'None', ports }], check: (m) => assert.equal(m.size, 0) },
  { name: 'ExternalName is skipped', service: ['ns', 'e', { type: 'ExternalName', externalName: 'x.example', ports }], check: (m) => assert.equal(m.size, 0) },
  { name: 'no ClusterIP yet is skipped', service: ['ns', 'n', { ports }], check: (m) => assert.equal(m.size, 0) },
  {
    name: 'NodePort keeps nodePorts',
    service: ['ns', 'np', { type: 'NodePort', clusterIP: '127.96.0.12', ports }],
    check: (m) => assert.deepEqual([...m.values()].map((p) => p.nodePort), [30080, 30053]),
  },
  {
    name: 'ClientIP affinity defaults to 10800 s, honours timeoutSeconds',
    service: ['ns', 'a', { clusterIP: '127.96.0.13', ports, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } }],
    check: (m) => {
      const p = m.get('ns/a:http/TCP')!;
      assert.equal(p.sessionAffinity, 'ClientIP');
      assert.equal(p.stickyMaxAgeSeconds, 5);
    },
  },
  {
    name: 'LoadBalancer: VIP ingress only (ipMode Proxy is not captured), source ranges, health check port with ETP Local',
    service: [
      'ns',
      'lb',
      {
        type: 'LoadBalancer',
        clusterIP: '127.96.0.14',
        ports,
        externalTrafficPolicy: 'Local',
        healthCheckNodePort: 32000,
        loadBalancerSourceRanges: [' 127.0.0.5/32 ', '::1/128'],
        externalIPs: ['127.50.0.1', 'fd00::1'],
      },
      { loadBalancer: { ingress: [{ ip: '127.240.0.1' }, { ip: '127.240.0.2', ipMode: 'Proxy' }, { hostname: 'lb.example' }] } },
    ],
    check: (m) => {
      const p = m.get('ns/lb:http/TCP')!;
      assert.deepEqual(p.loadBalancerVIPs, ['127.240.0.1']);
      assert.deepEqual(p.loadBalancerSourceRanges, ['127.0.0.5/32']);
      assert.deepEqual(p.externalIPs, ['127.50.0.1']);
      assert.equal(p.externalPolicyLocal, true);
      assert.equal(p.healthCheckNodePort, 32000);
      assert.deepEqual([...healthCheckNodePorts(m)], [['ns/lb', 32000]]);
      assert.equal(usesLocalEndpoints(p), true);
      assert.equal(usesClusterEndpoints(p), true, 'ClusterIP traffic still uses the cluster policy');
    },
  },
  {
    name: 'externalTrafficPolicy Local on a ClusterIP Service without external IPs means nothing',
    service: ['ns', 'c', { clusterIP: '127.96.0.15', ports, externalTrafficPolicy: 'Local', healthCheckNodePort: 32001 }],
    check: (m) => {
      const p = m.get('ns/c:http/TCP')!;
      assert.equal(p.externalPolicyLocal, false);
      assert.equal(p.healthCheckNodePort, 0);
    },
  },
  {
    name: 'internalTrafficPolicy Local on a ClusterIP Service uses only local endpoints',
    service: ['ns', 'i', { clusterIP: '127.96.0.16', ports, internalTrafficPolicy: 'Local' }],
    check: (m) => {
      const p = m.get('ns/i:http/TCP')!;
      assert.equal(usesLocalEndpoints(p), true);
      assert.equal(usesClusterEndpoints(p), false);
    },
  },
];

for (const c of cases) {
  test(`ServicePorts: ${c.name}`, () => c.check(serviceToServicePortMap(svc(...c.service))));
}
