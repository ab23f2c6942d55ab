import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorizeEndpoints } from '../../src/proxy/topology.js';
import { newEndpointInfo } from '../../src/proxy/endpoint.js';
import { serviceToServicePortMap } from '../../src/proxy/serviceport.js';
import type { EndpointInfo, ServicePortInfo } from '../../src/proxy/types.js';
import { svc } from './fixtures.js';

function e(ip: string, o: Partial<Omit<EndpointInfo, 'endpoint'>> = {}): EndpointInfo {
  return newEndpointInfo({
    ip,
    port: 80,
    isLocal: false,
    ready: true,
    serving: true,
    terminating: false,
    nodeName: '',
    zone: '',
    zoneHints: [],
    nodeHints: [],
    ...o,
  });
}
const terminating = { ready: false, serving: true, terminating: true };
const port = (spec: Parameters<typeof svc>[2]): ServicePortInfo =>
  serviceToServicePortMap(svc('ns', 's', { clusterIP: '127.96.0.1', ports: [{ port: 80, nodePort: 30000 }], ...spec })).get('ns/s/TCP')!;
const names = (l: EndpointInfo[] | undefined) => (l === undefined ? undefined : l.map((x) => x.ip).sort());

const cases: {
  name: string;
  sp: ServicePortInfo;
  eps: EndpointInfo[];
  zone?: string;
  cluster: string[] | undefined;
  local: string[] | undefined;
  all: string[];
  any: boolean;
}[] = [
  {
    name: 'Cluster: ready endpoints only',
    sp: port({}),
    eps: [e('10.0.0.1'), e('10.0.0.2', { ready: false, serving: false }), e('10.0.0.3', terminating)],
    cluster: ['10.0.0.1'],
    local: undefined,
    all: ['10.0.0.1'],
    any: true,
  },
  {
    name: 'Cluster: falls back to serving-terminating when nothing is ready',
    sp: port({}),
    eps: [e('10.0.0.2', { ready: false, serving: false, terminating: true }), e('10.0.0.3', terminating)],
    cluster: ['10.0.0.3'],
    local: undefined,
    all: ['10.0.0.3'],
    any: true,
  },
  {
    name: 'Cluster: not ready and not serving means no endpoints',
    sp: port({}),
    eps: [e('10.0.0.2', { ready: false, serving: false })],
    cluster: [],
    local: undefined,
    all: [],
    any: false,
  },
  {
    name: 'internalTrafficPolicy Local: only this node, even when remote ones are ready',
    sp: port({ internalTrafficPolicy: 'Local' }),
    eps: [e('10.0.0.1'), e('10.0.0.2', { isLocal: true })],
    cluster: undefined,
    local: ['10.0.0.2'],
    all: ['10.0.0.2'],
    any: true,
  },
  {
    name: 'internalTrafficPolicy Local with no local endpoints: none reachable, but some exist',
    sp: port({ internalTrafficPolicy: 'Local' }),
    eps: [e('10.0.0.1')],
    cluster: undefined,
    local: [],
    all: [],
    any: true,
  },
  {
    name: 'externalTrafficPolicy Local: local falls back to local terminating on its own',
    sp: port({ type: 'NodePort', externalTrafficPolicy: 'Local' }),
    eps: [e('10.0.0.1'), e('10.0.0.2', { isLocal: true, ...terminating })],
    cluster: ['10.0.0.1'],
    local: ['10.0.0.2'],
    all: ['10.0.0.1', '10.0.0.2'],
    any: true,
  },
  {
    name: 'zone hints used when every ready endpoint has one and one names our zone',
    sp: port({}),
    eps: [e('10.0.0.1', { zoneHints: ['a'] }), e('10.0.0.2', { zoneHints: ['b'] })],
    zone: 'a',
    cluster: ['10.0.0.1'],
    local: undefined,
    all: ['10.0.0.1'],
    any: true,
  },
  {
    name: 'zone hints ignored when one ready endpoint lacks them',
    sp: port({}),
    eps: [e('10.0.0.1', { zoneHints: ['a'] }), e('10.0.0.2')],
    zone: 'a',
    cluster: ['10.0.0.1', '10.0.0.2'],
    local: undefined,
    all: ['10.0.0.1', '10.0.0.2'],
    any: true,
  },
];

for (const c of cases) {
  test(`categorizeEndpoints: ${c.name}`, () => {
    const r = categorizeEndpoints(c.eps, c.sp, 'me', c.zone ? { 'topology.kubernetes.io/zone': c.zone } : {});
    assert.deepEqual(names(r.clusterEndpoints), c.cluster);
    assert.deepEqual(names(r.localEndpoints), c.local);
    assert.deepEqual(names(r.allReachableEndpoints), c.all);
    assert.equal(r.hasAnyEndpoints, c.any);
  });
}
