// Endpoints and EndpointSlice rows: the "first three, then + N more..." summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { ago, cellsOf } from './helpers.js';

function ep(name: string, subsets: Endpoints['subsets']): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default' }, ...(subsets ? { subsets } : {}) };
}
const addrs = (...ips: string[]) => ips.map((ip) => ({ ip }));

const endpointCases: { name: string; ep: Endpoints; want: string }[] = [
  { name: 'no subsets', ep: ep('empty', undefined), want: '<none>' },
  { name: 'one address, one port', ep: ep('one', [{ addresses: addrs('10.0.0.1'), ports: [{ port: 80 }] }]), want: '10.0.0.1:80' },
  {
    name: 'exactly three shown in full',
    ep: ep('three', [{ addresses: addrs('10.0.0.1', '10.0.0.2', '10.0.0.3'), ports: [{ port: 80 }] }]),
    want: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80',
  },
  {
    name: 'more than three',
    ep: ep('many', [{ addresses: addrs('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'), ports: [{ port: 80 }] }]),
    want: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...',
  },
  {
    // The kube-dns Endpoints as kubectl shows them on a two-replica cluster.
    name: 'addresses times ports, ports outermost',
    ep: ep('kube-dns', [{
      addresses: addrs('10.1.0.20', '10.1.0.21'),
      ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }, { name: 'metrics', port: 9153 }],
    }]),
    want: '10.1.0.20:53,10.1.0.21:53,10.1.0.20:53 + 3 more...',
  },
  {
    name: 'a subset without ports lists bare IPs',
    ep: ep('headless', [{ addresses: addrs('10.0.0.1', '10.0.0.2') }]),
    want: '10.0.0.1,10.0.0.2',
  },
  {
    name: 'not-ready addresses are left out',
    ep: ep('warming', [{ addresses: addrs('10.0.0.1'), notReadyAddresses: addrs('10.0.0.2'), ports: [{ port: 8080 }] }]),
    want: '10.0.0.1:8080',
  },
  {
    name: 'a subset with only not-ready addresses prints empty',
    ep: ep('cold', [{ notReadyAddresses: addrs('10.0.0.2'), ports: [{ port: 8080 }] }]),
    want: '',
  },
  { name: 'IPv6 addresses get brackets', ep: ep('v6', [{ addresses: addrs('fd00::1'), ports: [{ port: 80 }] }]), want: '[fd00::1]:80' },
  {
    name: 'counting spans subsets',
    ep: ep('split', [
      { addresses: addrs('10.0.0.1', '10.0.0.2'), ports: [{ port: 80 }] },
      { addresses: addrs('10.0.1.1', '10.0.1.2'), ports: [{ port: 81 }] },
    ]),
    want: '10.0.0.1:80,10.0.0.2:80,10.0.1.1:81 + 1 more...',
  },
];

for (const c of endpointCases) {
  test(`endpoints row: ${c.name}`, () => {
    assert.deepEqual(cellsOf('endpoints', '', c.ep), [c.ep.metadata.name, c.want, '<unknown>']);
  });
}

function slice(name: string, ports: EndpointSlice['ports'], endpoints: EndpointSlice['endpoints'], created?: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', ...(created ? { creationTimestamp: created } : {}) },
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

// Upstream's TestPrintEndpointSlice, row by row.
test('endpointslice row: one port, two addresses, created just now', () => {
  const s = slice('abcslice.123', [{ name: 'http', port: 80, protocol: 'TCP' }], [{ addresses: ['10.1.2.3', '2001:db8::1234:5678'] }], ago(-1.9));
  assert.deepEqual(cellsOf('endpointslices', 'discovery.k8s.io', s), ['abcslice.123', 'IPv4', '80', '10.1.2.3,2001:db8::1234:5678', '0s']);
});

test('endpointslice row: addresses across endpoints, + 1 more...', () => {
  const s = slice(
    'longerslicename.123',
    [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'https', port: 443, protocol: 'TCP' }],
    [{ addresses: ['10.1.2.3', '2001:db8::1234:5678'] }, { addresses: ['10.2.3.4', '2001:db8::2345:6789'] }],
    ago(300),
  );
  assert.deepEqual(cellsOf('endpointslices', 'discovery.k8s.io', s), [
    'longerslicename.123', 'IPv4', '80,443', '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...', '5m',
  ]);
});

test('endpointslice row: four ports, + 1 more... in both columns', () => {
  const s = slice(
    'multiportslice.123',
    [80, 443, 3000, 3001].map((port) => ({ port, protocol: 'TCP' as const })),
    [{ addresses: ['10.1.2.3', '2001:db8::1234:5678'] }, { addresses: ['10.2.3.4', '2001:db8::2345:6789'] }],
    ago(300),
  );
  assert.deepEqual(cellsOf('endpointslices', 'discovery.k8s.io', s).slice(2, 4), [
    '80,443,3000 + 1 more...', '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...',
  ]);
});

test('endpointslice row: empty slice prints <unset>; a port without number prints its name or *', () => {
  assert.deepEqual(cellsOf('endpointslices', 'discovery.k8s.io', slice('empty', [], [])).slice(2, 4), ['<unset>', '<unset>']);
  assert.deepEqual(cellsOf('endpointslices', 'discovery.k8s.io', slice('named', [{ name: 'http' }, {}], [])).slice(2, 3), ['http,*']);
});
