// Service rows, upstream's TestPrintService* cases as data (server-side tables are always wide).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../../src/api/core.js';
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import { ago, cellsOf, NOW } from './helpers.js';

function svc(name: string, spec: Partial<Service['spec']>, status?: Service['status']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: spec as Service['spec'], ...(status ? { status } : {}) };
}
const tcp = (port: number, nodePort?: number) => ({ port, protocol: 'TCP' as const, ...(nodePort ? { nodePort } : {}) });

const cases: { name: string; svc: Service; want: unknown[] }[] = [
  {
    name: 'ClusterIP with one port',
    svc: svc('kubernetes', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [tcp(443)] }),
    want: ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '<unknown>', '<none>'],
  },
  {
    name: 'NodePort shows port:nodePort',
    svc: svc('web', { type: 'NodePort', clusterIPs: ['10.96.0.20'], ports: [tcp(80, 30080)], selector: { app: 'web' } }),
    want: ['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP', '<unknown>', 'app=web'],
  },
  {
    name: 'several ports and protocols, comma-joined in order',
    svc: svc('kube-dns', {
      type: 'ClusterIP',
      clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, tcp(9153)],
      selector: { 'k8s-app': 'kube-dns' },
    }),
    want: ['kube-dns', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '<unknown>', 'k8s-app=kube-dns'],
  },
  {
    name: 'no ports: <none>; headless: None',
    svc: svc('headless', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }),
    want: ['headless', 'ClusterIP', 'None', '<none>', '<none>', '<unknown>', '<none>'],
  },
  {
    name: 'externalIPs on a ClusterIP Service',
    svc: svc('ext', { type: 'ClusterIP', clusterIPs: ['10.0.0.5'], externalIPs: ['1.1.1.1', '2.2.2.2'], ports: [tcp(80)] }),
    want: ['ext', 'ClusterIP', '10.0.0.5', '1.1.1.1,2.2.2.2', '80/TCP', '<unknown>', '<none>'],
  },
  {
    name: 'ExternalName shows the name in EXTERNAL-IP',
    svc: svc('alias', { type: 'ExternalName', externalName: 'example.com' }),
    want: ['alias', 'ExternalName', '<none>', 'example.com', '<none>', '<unknown>', '<none>'],
  },
  {
    name: 'LoadBalancer with two ingress IPs',
    svc: svc('service1', { type: 'LoadBalancer', clusterIPs: ['1.2.3.4'], ports: [tcp(80)] }, {
      loadBalancer: { ingress: [{ ip: '2.3.4.5' }, { ip: '3.4.5.6' }] },
    }),
    want: ['service1', 'LoadBalancer', '1.2.3.4', '2.3.4.5,3.4.5.6', '80/TCP', '<unknown>', '<none>'],
  },
  {
    name: 'LoadBalancer without ingress: <pending>',
    svc: svc('service2', {
      type: 'LoadBalancer',
      clusterIPs: ['1.3.4.5'],
      ports: [tcp(80), { port: 8090, protocol: 'UDP' }, tcp(8000), { port: 7777, protocol: 'SCTP' }],
    }),
    want: ['service2', 'LoadBalancer', '1.3.4.5', '<pending>', '80/TCP,8090/UDP,8000/TCP,7777/SCTP', '<unknown>', '<none>'],
  },
  {
    name: 'LoadBalancer with one ingress IP and several ports',
    svc: svc('service3', { type: 'LoadBalancer', clusterIPs: ['1.4.5.6'], ports: [tcp(80), { port: 8090, protocol: 'UDP' }, tcp(8000)] }, {
      loadBalancer: { ingress: [{ ip: '2.3.4.5' }] },
    }),
    want: ['service3', 'LoadBalancer', '1.4.5.6', '2.3.4.5', '80/TCP,8090/UDP,8000/TCP', '<unknown>', '<none>'],
  },
  {
    // kubectl clips this to "2.3.4.5,3.4.5..." only when printing client-side; the server prints wide.
    name: 'long ingress lists are not clipped server-side; IP wins over hostname',
    svc: svc('service4', { type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], ports: [tcp(80)], selector: { foo: 'bar' } }, {
      loadBalancer: { ingress: [{ ip: '2.3.4.5' }, { ip: '3.4.5.6' }, { ip: '5.6.7.8', hostname: 'host5678' }] },
    }),
    want: ['service4', 'LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5.6,5.6.7.8', '80/TCP', '<unknown>', 'foo=bar'],
  },
  {
    name: 'ingress addresses come sorted, then externalIPs; hostnames when no IP',
    svc: svc('lb', { type: 'LoadBalancer', clusterIPs: ['10.0.0.9'], externalIPs: ['9.9.9.9'], ports: [tcp(443, 31443)] }, {
      loadBalancer: { ingress: [{ hostname: 'lb.example.com' }, { ip: '127.240.0.1' }] },
    }),
    want: ['lb', 'LoadBalancer', '10.0.0.9', '127.240.0.1,lb.example.com,9.9.9.9', '443:31443/TCP', '<unknown>', '<none>'],
  },
  {
    name: 'selector labels are sorted by key',
    svc: svc('sel', { type: 'ClusterIP', clusterIPs: ['10.0.0.7'], ports: [tcp(80)], selector: { tier: 'fe', app: 'web' } }),
    want: ['sel', 'ClusterIP', '10.0.0.7', '<none>', '80/TCP', '<unknown>', 'app=web,tier=fe'],
  },
];

for (const c of cases) {
  test(`service row: ${c.name}`, () => {
    assert.deepEqual(cellsOf('services', '', c.svc), c.want);
  });
}

test('service AGE', () => {
  const s = svc('aged', { type: 'ClusterIP', clusterIPs: ['10.0.0.1'], ports: [tcp(80)] });
  s.metadata.creationTimestamp = ago(2 * 86400 + 3 * 3600 + 100);
  assert.equal(cellsOf('services', '', s)[5], '2d3h');
});

test('service columns: SELECTOR is the only wide one', () => {
  const t = toTable(printerFor('services', ''), [], { now: NOW });
  assert.deepEqual(
    t.columnDefinitions.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
  );
});
