// The cluster the DNS tests resolve: one Service of every shape the specification names, their
// EndpointSlices, and a pod. Addresses follow kubesvc's loopback address plan.
import type { Service, Pod } from '../../src/api/core.js';
import type { EndpointSlice, Endpoint } from '../../src/api/discovery.js';
import type { Request } from '../../src/dns/message.js';

type PortSpec = { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' };

export function svc(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec } as Service;
}

export function slice(ns: string, service: string, name: string, endpoints: Endpoint[], ports: PortSpec[], addressType: 'IPv4' | 'IPv6' = 'IPv4'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints,
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
  } as EndpointSlice;
}

export const ep = (ip: string, ready = true, hostname?: string): Endpoint => ({ addresses: [ip], conditions: { ready }, ...(hostname ? { hostname } : {}) });

export const services: Service[] = [
  svc('kube-system', 'kube-dns', { clusterIP: '127.96.0.10', clusterIPs: ['127.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
  svc('default', 'web', { clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
  // The seed's multi-port Service.
  svc('default', 'multi', {
    clusterIP: '127.96.0.21',
    clusterIPs: ['127.96.0.21'],
    ports: [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'https', port: 443, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'UDP' },
    ],
  }),
  svc('default', 'dual', { clusterIP: '127.96.0.22', clusterIPs: ['127.96.0.22', 'fd00::22'], ports: [{ name: 'http', port: 80 }] }),
  svc('default', 'unnamed', { clusterIP: '127.96.0.23', clusterIPs: ['127.96.0.23'], ports: [{ port: 8080, protocol: 'TCP' }] }),
  svc('default', 'headless', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }),
  svc('default', 'pnr', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ name: 'peer', port: 2380, protocol: 'TCP' }] }),
  svc('default', 'noports', { clusterIP: 'None' }),
  svc('default', 'empty', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
  svc('default', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
  svc('default', 'mid', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
  // The seed's ExternalName example, and one whose target is inside the zone.
  svc('prod', 'my-service', { type: 'ExternalName', externalName: 'my.database.example.com' }),
  svc('default', 'alias', { type: 'ExternalName', externalName: 'web.default.svc.cluster.local' }),
  svc('default', 'ext-ip', { type: 'ExternalName', externalName: '192.0.2.1' }),
];

export const BIG_ENDPOINTS = 100;
export const MID_ENDPOINTS = 20;

export const endpointSlices: EndpointSlice[] = [
  slice('default', 'web', 'web-abc', [ep('127.244.0.5')], [{ name: 'http', port: 8080 }]),
  slice('default', 'headless', 'headless-abc', [ep('127.244.0.11', true, 'web-0'), ep('127.244.0.12', true, 'web-1'), ep('127.244.0.13'), ep('127.244.0.14', false, 'web-3')], [
    { name: 'http', port: 8080 },
  ]),
  // A second slice repeating one endpoint, as happens while the controller moves endpoints.
  slice('default', 'headless', 'headless-def', [ep('127.244.0.13')], [{ name: 'http', port: 8080 }]),
  slice('default', 'headless', 'headless-v6', [ep('fd00::11', true, 'web-0')], [{ name: 'http', port: 8080 }], 'IPv6'),
  slice('default', 'pnr', 'pnr-abc', [ep('127.244.0.21', true), ep('127.244.0.22', false)], [{ name: 'peer', port: 2380 }]),
  slice('default', 'noports', 'noports-abc', [ep('127.244.0.31')], []),
  slice('default', 'empty', 'empty-abc', [ep('127.244.0.41', false)], [{ name: 'http', port: 80 }]),
  slice(
    'default',
    'big',
    'big-abc',
    Array.from({ length: BIG_ENDPOINTS }, (_, i) => ep(`127.244.1.${i + 1}`)),
    [{ name: 'http', port: 80 }],
  ),
  slice(
    'default',
    'mid',
    'mid-abc',
    Array.from({ length: MID_ENDPOINTS }, (_, i) => ep(`127.244.2.${i + 1}`)),
    [{ name: 'http', port: 80 }],
  ),
];

export const pods: Pod[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'web-0' }, spec: { containers: [] }, status: { podIP: '127.244.0.11', podIPs: [{ ip: '127.244.0.11' }] } } as unknown as Pod,
];

export const namespaces = ['default', 'prod', 'kube-system', 'quiet'];

export function request(qname: string, qtype: string, extra: Partial<Request> = {}): Request {
  return {
    qname,
    lname: qname.toLowerCase(),
    qtype,
    qclass: 'IN',
    rd: true,
    dnssecOK: false,
    transport: 'udp',
    remote: { address: '127.0.0.1', port: 5353 },
    packet: { id: 1, flag_qr: false, flag_aa: false, flag_tc: false, flag_rd: true, flag_ra: false, flag_z: false, flag_ad: false, flag_cd: false },
    ...extra,
  };
}
