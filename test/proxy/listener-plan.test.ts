import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListenerPlanner, planListeners, type PlanContext } from '../../src/proxy/userspace/listener-plan.js';
import { ServiceChangeTracker, applyServiceChanges } from '../../src/proxy/servicechangetracker.js';
import { EndpointsChangeTracker, applyEndpointsChanges } from '../../src/proxy/endpointschangetracker.js';
import type { EndpointsMap, ServicePortMap } from '../../src/proxy/types.js';
import { buildMaps, ep, slice, svc } from './fixtures.js';

const ctx: PlanContext = {
  nodeName: 'me',
  nodeAddresses: ['127.0.0.2', '127.0.0.1'],
  isLocalAddress: (ip) => ip.startsWith('127.'),
};
const port = (p: number, extra: object = {}) => ({ port: p, protocol: 'TCP' as const, ...extra });
const local = (ip: string) => ep(ip, { nodeName: 'me' });
const remote = (ip: string) => ep(ip, { nodeName: 'other' });

const cases: { name: string; services: ReturnType<typeof svc>[]; slices: ReturnType<typeof slice>[]; want: Record<string, string>; conflicts?: string[] }[] = [
  {
    name: 'ClusterIP Service with endpoints: one listener',
    services: [svc('ns', 'a', { clusterIP: '127.96.0.1', ports: [port(80)] })],
    slices: [slice('ns', 'a', 'a-1', [remote('127.244.0.2')], [port(8080)])],
    want: { 'TCP 127.96.0.1:80': 'ClusterIP ns/a/TCP|cluster' },
  },
  {
    name: 'no endpoints: nothing listens (the kernel refuses)',
    services: [svc('ns', 'a', { type: 'NodePort', clusterIP: '127.96.0.1', ports: [port(80, { nodePort: 30001 })] })],
    slices: [],
    want: {},
  },
  {
    name: 'NodePort on every node address; SCTP is not proxied',
    services: [svc('ns', 'a', { type: 'NodePort', clusterIP: '127.96.0.1', ports: [port(80, { nodePort: 30001 }), { name: 's', port: 81, protocol: 'SCTP' }] })],
    slices: [slice('ns', 'a', 'a-1', [remote('127.244.0.2')], [port(8080), { name: 's', port: 8081, protocol: 'SCTP' }])],
    want: {
      'TCP 127.96.0.1:80': 'ClusterIP ns/a/TCP|cluster',
      'TCP 127.0.0.2:30001': 'NodePort ns/a/TCP|cluster',
      'TCP 127.0.0.1:30001': 'NodePort ns/a/TCP|cluster',
    },
  },
  {
    name: 'LoadBalancer: local VIPs only, with source ranges; external IPs that are local',
    services: [
      svc(
        'ns',
        'lb',
        { type: 'LoadBalancer', clusterIP: '127.96.0.1', externalIPs: ['127.50.0.1', '192.0.2.9'], loadBalancerSourceRanges: ['127.0.0.0/8'], ports: [port(80, { nodePort: 30001 })] },
        { loadBalancer: { ingress: [{ ip: '127.240.0.1' }, { ip: '198.51.100.1' }] } },
      ),
    ],
    slices: [slice('ns', 'lb', 'lb-1', [remote('127.244.0.2')], [port(8080)])],
    want: {
      'TCP 127.96.0.1:80': 'ClusterIP ns/lb/TCP|cluster',
      'TCP 127.0.0.2:30001': 'NodePort ns/lb/TCP|cluster',
      'TCP 127.0.0.1:30001': 'NodePort ns/lb/TCP|cluster',
      'TCP 127.50.0.1:80': 'ExternalIP ns/lb/TCP|cluster',
      'TCP 127.240.0.1:80': 'LoadBalancer ns/lb/TCP|cluster 127.0.0.0/8',
    },
  },
  {
    name: 'externalTrafficPolicy Local: external listeners use local endpoints, and close without them',
    services: [
      svc('ns', 'l', { type: 'NodePort', clusterIP: '127.96.0.1', externalTrafficPolicy: 'Local', ports: [port(80, { nodePort: 30001 })] }),
      svc('ns', 'r', { type: 'NodePort', clusterIP: '127.96.0.2', externalTrafficPolicy: 'Local', ports: [port(80, { nodePort: 30002 })] }),
    ],
    slices: [
      slice('ns', 'l', 'l-1', [local('127.244.0.2'), remote('127.244.0.3')], [port(8080)]),
      slice('ns', 'r', 'r-1', [remote('127.244.0.4')], [port(8080)]),
    ],
    want: {
      'TCP 127.96.0.1:80': 'ClusterIP ns/l/TCP|cluster',
      'TCP 127.0.0.2:30001': 'NodePort ns/l/TCP|local',
      'TCP 127.0.0.1:30001': 'NodePort ns/l/TCP|local',
      'TCP 127.96.0.2:80': 'ClusterIP ns/r/TCP|cluster',
    },
  },
  {
    name: 'internalTrafficPolicy Local without local endpoints: the ClusterIP refuses',
    services: [svc('ns', 'i', { clusterIP: '127.96.0.1', internalTrafficPolicy: 'Local', ports: [port(80)] })],
    slices: [slice('ns', 'i', 'i-1', [remote('127.244.0.2')], [port(8080)])],
    want: {},
  },
  {
    name: 'two Services wanting one address: the first by name wins',
    services: [
      svc('ns', 'a', { clusterIP: '127.96.0.1', externalIPs: ['127.50.0.1'], ports: [port(80)] }),
      svc('ns', 'b', { clusterIP: '127.96.0.2', externalIPs: ['127.50.0.1'], ports: [port(80)] }),
    ],
    slices: [slice('ns', 'a', 'a-1', [remote('127.244.0.2')], [port(8080)]), slice('ns', 'b', 'b-1', [remote('127.244.0.3')], [port(8080)])],
    want: {
      'TCP 127.96.0.1:80': 'ClusterIP ns/a/TCP|cluster',
      'TCP 127.50.0.1:80': 'ExternalIP ns/a/TCP|cluster',
      'TCP 127.96.0.2:80': 'ClusterIP ns/b/TCP|cluster',
    },
    conflicts: ['TCP 127.50.0.1:80'],
  },
];

for (const c of cases) {
  test(`listener plan: ${c.name}`, () => {
    const { sm, em } = buildMaps('me', c.services, c.slices);
    const plan = planListeners(sm, em, ctx);
    const got = Object.fromEntries(
      [...plan.listeners].map(([k, l]) => [k, `${l.kind} ${l.balancer}${l.sourceRanges.length ? ` ${l.sourceRanges.join(',')}` : ''}`]),
    );
    assert.deepEqual(got, c.want);
    assert.deepEqual(plan.conflicts, c.conflicts ?? []);
  });
}

test('listener planner: unchanged Service ports reuse their specs; changed ones are planned anew', () => {
  const sct = new ServiceChangeTracker();
  const ect = new EndpointsChangeTracker('me', 0);
  const sm: ServicePortMap = new Map();
  const em: EndpointsMap = new Map();
  const a = svc('ns', 'a', { clusterIP: '127.96.0.1', ports: [port(80)] });
  const b = svc('ns', 'b', { clusterIP: '127.96.0.2', ports: [port(80)] });
  sct.update(undefined, a);
  sct.update(undefined, b);
  ect.endpointSliceUpdate(slice('ns', 'a', 'a-1', [remote('127.244.0.2')], [port(8080)]), false);
  ect.endpointSliceUpdate(slice('ns', 'b', 'b-1', [remote('127.244.0.3')], [port(8080)]), false);
  applyServiceChanges(sm, sct);
  applyEndpointsChanges(em, ect);
  const planner = new ListenerPlanner();
  const p1 = planner.plan(sm, em, ctx);
  ect.endpointSliceUpdate(slice('ns', 'b', 'b-1', [remote('127.244.0.4')], [port(8080)]), false);
  applyEndpointsChanges(em, ect);
  const p2 = planner.plan(sm, em, ctx);
  assert.equal(p2.listeners.get('TCP 127.96.0.1:80'), p1.listeners.get('TCP 127.96.0.1:80'));
  assert.equal(p2.balancers.get('ns/a/TCP|cluster'), p1.balancers.get('ns/a/TCP|cluster'));
  assert.notEqual(p2.balancers.get('ns/b/TCP|cluster'), p1.balancers.get('ns/b/TCP|cluster'));
  assert.deepEqual(p2.balancers.get('ns/b/TCP|cluster')!.endpoints, ['127.244.0.4:8080']);
  assert.deepEqual(p2, planListeners(sm, em, ctx), 'the same result as planning from scratch');
});
