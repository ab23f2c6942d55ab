// Legacy Endpoints, the pure parts: desired subsets from pods, RepackSubsets' canonical layout,
// the 1000-address cap, and comparison that ignores pods' resourceVersions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, EndpointSubset } from '../../../src/api/core.js';
import { repackSubsets } from '../../../src/controllers/endpoints/repack.js';
import { capacityAnnotationSetCorrectly, maxCapacity, truncateEndpoints } from '../../../src/controllers/endpoints/truncate.js';
import { desiredSubsets, subsetsEqualIgnoreResourceVersion } from '../../../src/controllers/endpoints/desired.js';
import { pod, pods, svc } from '../endpointslice/fixtures.js';

const a = (ip: string, uid = `u-${ip}`): EndpointAddress => ({ ip, targetRef: { kind: 'Pod', namespace: 'default', name: uid, uid } });
const http = { name: 'http', port: 80, protocol: 'TCP' as const };
const https = { name: 'https', port: 443, protocol: 'TCP' as const };

describe('repackSubsets', () => {
  const cases: { name: string; in: EndpointSubset[]; want: EndpointSubset[] }[] = [
    { name: 'empty', in: [], want: [] },
    {
      name: 'one address per subset merges by port',
      in: [
        { addresses: [a('10.0.0.2')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [http] }],
    },
    {
      name: 'addresses serving the same ports share a subset with both ports',
      in: [
        { addresses: [a('10.0.0.1')], ports: [https] },
        { addresses: [a('10.0.0.1')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1')], ports: [http, https] }],
    },
    {
      name: 'different port sets give different subsets',
      in: [
        { addresses: [a('10.0.0.1')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [https] },
        { addresses: [a('10.0.0.2')], ports: [http] },
      ],
      want: [
        { addresses: [a('10.0.0.1'), a('10.0.0.2')], ports: [http] },
        { addresses: [a('10.0.0.1')], ports: [https] },
      ],
    },
    {
      name: 'not ready addresses beside ready ones',
      in: [
        { addresses: [a('10.0.0.1')], ports: [http] },
        { notReadyAddresses: [a('10.0.0.2')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1')], notReadyAddresses: [a('10.0.0.2')], ports: [http] }],
    },
    {
      name: 'not ready wins when an address is both',
      in: [
        { addresses: [a('10.0.0.1')], ports: [http] },
        { notReadyAddresses: [a('10.0.0.1')], ports: [http] },
      ],
      want: [{ notReadyAddresses: [a('10.0.0.1')], ports: [http] }],
    },
    {
      name: 'same IP, two pods: two addresses',
      in: [
        { addresses: [a('10.0.0.1', 'p1')], ports: [http] },
        { addresses: [a('10.0.0.1', 'p2')], ports: [http] },
      ],
      want: [{ addresses: [a('10.0.0.1', 'p1'), a('10.0.0.1', 'p2')], ports: [http] }],
    },
    { name: 'a subset without ports disappears', in: [{ addresses: [a('10.0.0.1')], ports: [] }], want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(repackSubsets(structuredClone(c.in)), c.want));

  it('is independent of input order', () => {
    const x = [
      { addresses: [a('10.0.0.3')], ports: [http] },
      { addresses: [a('10.0.0.1')], ports: [https] },
      { notReadyAddresses: [a('10.0.0.2')], ports: [http, https] },
    ];
    assert.deepEqual(repackSubsets(structuredClone(x)), repackSubsets(structuredClone(x).reverse()));
  });
});

describe('desiredSubsets', () => {
  it('three ready pods: one subset with three addresses', () => {
    const d = desiredSubsets(svc('web'), pods('web', 3));
    assert.equal(d.subsets.length, 1);
    assert.deepEqual(d.subsets[0]!.addresses!.map((x) => x.ip), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.deepEqual(d.subsets[0]!.ports, [{ name: 'http', port: 9376, protocol: 'TCP' }]);
    assert.equal(d.ready, 3);
  });

  it('a not ready pod is a notReadyAddress; a terminating one is left out', () => {
    const d = desiredSubsets(svc('web'), [
      pod('a', 'web', { ip: '10.0.0.1' }),
      pod('b', 'web', { ip: '10.0.0.2', ready: false }),
      pod('c', 'web', { ip: '10.0.0.3', deleting: true }),
    ]);
    assert.deepEqual(d.subsets, [
      {
        addresses: [{ ip: '10.0.0.1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }],
        notReadyAddresses: [{ ip: '10.0.0.2', targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' } }],
        ports: [{ name: 'http', port: 9376, protocol: 'TCP' }],
      },
    ]);
  });

  it('publishNotReadyAddresses: not ready and terminating pods are ready addresses', () => {
    const d = desiredSubsets(svc('web', { publishNotReadyAddresses: true }), [pod('b', 'web', { ip: '10.0.0.2', ready: false }), pod('c', 'web', { ip: '10.0.0.3', deleting: true })]);
    assert.deepEqual(d.subsets[0]!.addresses!.map((x) => x.ip), ['10.0.0.2', '10.0.0.3']);
    assert.equal(d.subsets[0]!.notReadyAddresses, undefined);
  });

  it('named targetPort: a pod without the name is left out of that port', () => {
    const s = svc('web', { ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    const d = desiredSubsets(s, [pod('a', 'web', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] }), pod('b', 'web', { ip: '10.0.0.2' })]);
    assert.deepEqual(d.subsets.map((x) => [x.addresses!.map((y) => y.ip), x.ports]), [[['10.0.0.1'], [{ name: 'http', port: 8080, protocol: 'TCP' }]]]);
  });

  it('headless Service without ports lists addresses without ports; hostname and nodeName set', () => {
    const s = { ...svc('db', { clusterIP: 'None' }), spec: { ...svc('db', { clusterIP: 'None' }).spec, ports: [] } };
    const d = desiredSubsets(s, [pod('a', 'db', { ip: '10.0.0.1', hostname: 'a', subdomain: 'db', node: 'n1' })]);
    assert.deepEqual(d.subsets, [{ addresses: [{ ip: '10.0.0.1', hostname: 'a', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } }] }]);
  });

  it('comparison ignores targets’ resourceVersions and key order', () => {
    const d = desiredSubsets(svc('web'), pods('web', 2)).subsets;
    const fromServer = JSON.parse(JSON.stringify(d)) as EndpointSubset[];
    for (const x of fromServer[0]!.addresses!) {
      x.targetRef = { uid: x.targetRef!.uid, name: x.targetRef!.name, namespace: 'default', kind: 'Pod', resourceVersion: '77' };
    }
    assert.ok(subsetsEqualIgnoreResourceVersion(d, fromServer));
    fromServer[0]!.addresses!.pop();
    assert.ok(!subsetsEqualIgnoreResourceVersion(d, fromServer));
  });
});

describe('truncateEndpoints', () => {
  const many = (n: number, from = 0) => Array.from({ length: n }, (_, i) => a(`10.${Math.floor((from + i) / 250)}.0.${((from + i) % 250) + 1}`));
  it('under capacity: untouched', () => {
    const s = [{ addresses: many(1000), ports: [http] }];
    assert.equal(truncateEndpoints(s), false);
    assert.equal(s[0]!.addresses.length, 1000);
  });
  it('ready over capacity: ready ones kept in proportion, not ready dropped', () => {
    const s: EndpointSubset[] = [
      { addresses: many(900), notReadyAddresses: many(10, 2000), ports: [http] },
      { addresses: many(300, 1000), ports: [https] },
    ];
    assert.equal(truncateEndpoints(s), true);
    assert.equal(s[0]!.addresses!.length, 750);
    assert.equal(s[0]!.notReadyAddresses!.length, 0);
    assert.equal(s[1]!.addresses!.length, 250);
  });
  it('only not ready addresses are cut when ready ones fit', () => {
    const s: EndpointSubset[] = [{ addresses: many(990), notReadyAddresses: many(50, 2000), ports: [http] }];
    assert.equal(truncateEndpoints(s), true);
    assert.equal(s[0]!.addresses!.length, 990);
    assert.equal(s[0]!.notReadyAddresses!.length, 10);
    assert.equal(maxCapacity, 1000);
  });
  it('capacity annotation check', () => {
    assert.equal(capacityAnnotationSetCorrectly({}, [{ addresses: many(10) }]), true);
    assert.equal(capacityAnnotationSetCorrectly({ 'endpoints.kubernetes.io/over-capacity': 'truncated' }, [{ addresses: many(10) }]), false);
    assert.equal(capacityAnnotationSetCorrectly({ 'endpoints.kubernetes.io/over-capacity': 'truncated' }, [{ addresses: many(1001) }]), false);
  });
});
