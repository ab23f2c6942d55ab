import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointsChangeTracker, applyEndpointsChanges } from '../../src/proxy/endpointschangetracker.js';
import { localReadyEndpoints } from '../../src/proxy/endpoint.js';
import type { EndpointsMap } from '../../src/proxy/types.js';
import { ep, slice } from './fixtures.js';

const eps = (em: EndpointsMap, key: string) => (em.get(key) ?? []).map((e) => e.endpoint);

test('endpoints: slices merge per Service (service-name label); named ports resolve per slice', () => {
  const ect = new EndpointsChangeTracker('node-a', 0);
  const em: EndpointsMap = new Map();
  // One named port ("http") that pods number differently: each slice carries its own number.
  ect.endpointSliceUpdate(slice('ns', 'web', 'web-1', [ep('127.244.0.2'), ep('127.244.0.3')], [{ name: 'http', port: 8080, protocol: 'TCP' }]), false);
  ect.endpointSliceUpdate(slice('ns', 'web', 'web-2', [ep('127.244.0.4', { nodeName: 'node-a' })], [{ name: 'http', port: 9090, protocol: 'TCP' }]), false);
  ect.endpointSliceUpdate(slice('ns', 'dns', 'dns-1', [ep('127.244.0.9')], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }]), false);
  const r = applyEndpointsChanges(em, ect);
  assert.deepEqual([...r.updatedServices].sort(), ['ns/dns', 'ns/web']);
  assert.deepEqual(eps(em, 'ns/web:http/TCP'), ['127.244.0.2:8080', '127.244.0.3:8080', '127.244.0.4:9090']);
  assert.deepEqual(eps(em, 'ns/dns:dns/UDP'), ['127.244.0.9:53']);
  assert.deepEqual(eps(em, 'ns/dns:dns-tcp/TCP'), ['127.244.0.9:53']);
  assert.equal(em.get('ns/web:http/TCP')![2]!.isLocal, true);
  assert.deepEqual([...localReadyEndpoints(em)], [['ns/web', 1]]);
});

test('endpoints: conditions default as the API says; families and slices the proxy cannot use are ignored', () => {
  const ect = new EndpointsChangeTracker('n', 0);
  const em: EndpointsMap = new Map();
  const s = slice('ns', 's', 's-1', [
    { addresses: ['127.244.0.2'] },
    { addresses: ['127.244.0.3'], conditions: { ready: false, serving: true, terminating: true } },
    { addresses: ['fd00::1'] },
    { addresses: [] },
  ], [{ name: '', port: 80, protocol: 'TCP' }, { name: 'noport', protocol: 'TCP' }]);
  ect.endpointSliceUpdate(s, false);
  assert.equal(ect.endpointSliceUpdate({ ...slice('ns', 's', 's-fqdn', [ep('a.example')], [{ port: 1 }]), addressType: 'FQDN' }, false), false);
  const noLabel = slice('ns', 's', 's-x', [ep('127.244.0.7')], [{ port: 1 }]);
  noLabel.metadata.labels = {};
  assert.equal(ect.endpointSliceUpdate(noLabel, false), false);
  applyEndpointsChanges(em, ect);
  assert.deepEqual([...em.keys()], ['ns/s/TCP']);
  const [a, b] = em.get('ns/s/TCP')!;
  assert.deepEqual([a!.ready, a!.serving, a!.terminating], [true, true, false]);
  assert.deepEqual([b!.ready, b!.serving, b!.terminating], [false, true, true]);
});

test('endpoints: an endpoint moving between slices is never lost; changes that cancel out are dropped', () => {
  const ect = new EndpointsChangeTracker('n', 0);
  const em: EndpointsMap = new Map();
  const port = [{ name: 'p', port: 80, protocol: 'TCP' as const }];
  const one = slice('ns', 's', 's-1', [ep('127.244.0.2'), ep('127.244.0.3')], port);
  ect.endpointSliceUpdate(one, false);
  applyEndpointsChanges(em, ect);

  // .3 moves from s-1 to s-2 (two events): the merged endpoints are unchanged, so no change at all.
  ect.endpointSliceUpdate(slice('ns', 's', 's-1', [ep('127.244.0.2')], port), false);
  ect.endpointSliceUpdate(slice('ns', 's', 's-2', [ep('127.244.0.3')], port), false);
  assert.equal(applyEndpointsChanges(em, ect).updatedServices.size, 0);
  assert.deepEqual(eps(em, 'ns/s:p/TCP'), ['127.244.0.2:80', '127.244.0.3:80']);

  // Update and revert before a sync: nothing pending.
  const two = slice('ns', 's', 's-2', [ep('127.244.0.3')], port);
  assert.equal(ect.endpointSliceUpdate(slice('ns', 's', 's-2', [ep('127.244.0.4')], port), false), true);
  assert.equal(ect.pending, 1);
  assert.equal(ect.endpointSliceUpdate(two, false), true, 'reverting changes what is pending');
  assert.equal(ect.pending, 0);
  assert.equal(ect.endpointSliceUpdate(two, false), false, 'the same state again is no change');

  // Deleting every slice removes the Service's endpoints.
  ect.endpointSliceUpdate(slice('ns', 's', 's-1', [], port), true);
  ect.endpointSliceUpdate(two, true);
  assert.deepEqual([...applyEndpointsChanges(em, ect).updatedServices], ['ns/s']);
  assert.equal(em.size, 0);
  assert.equal(ect.endpointSliceUpdate(two, true), false, 'deleting an unknown slice is no change');
});

test('endpoints: a duplicate endpoint prefers the copy that is local', () => {
  const ect = new EndpointsChangeTracker('me', 0);
  const em: EndpointsMap = new Map();
  const port = [{ port: 80, protocol: 'TCP' as const }];
  ect.endpointSliceUpdate(slice('ns', 's', 'a', [ep('127.244.0.2', { nodeName: 'me' })], port), false);
  ect.endpointSliceUpdate(slice('ns', 's', 'b', [ep('127.244.0.2', { nodeName: 'other' })], port), false);
  applyEndpointsChanges(em, ect);
  assert.equal(em.get('ns/s/TCP')!.length, 1);
  assert.equal(em.get('ns/s/TCP')![0]!.isLocal, true);
});

test('endpoints: last-change-trigger-time is collected after start, forgotten on delete', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const ect = new EndpointsChangeTracker('n', start);
  const em: EndpointsMap = new Map();
  const port = [{ port: 80, protocol: 'TCP' as const }];
  const at = (t: string) => ({ 'endpoints.kubernetes.io/last-change-trigger-time': t });
  ect.endpointSliceUpdate(slice('ns', 'old', 'o', [ep('127.244.0.2')], port, at('2025-12-31T23:59:59Z')), false);
  ect.endpointSliceUpdate(slice('ns', 's', 'a', [ep('127.244.0.2')], port, at('2026-01-01T00:00:01.5Z')), false);
  ect.endpointSliceUpdate(slice('ns', 's', 'b', [ep('127.244.0.3')], port, at('2026-01-01T00:00:02Z')), false);
  ect.endpointSliceUpdate(slice('ns', 'd', 'd', [ep('127.244.0.4')], port, at('2026-01-01T00:00:03Z')), false);
  ect.endpointSliceUpdate(slice('ns', 'd', 'd', [ep('127.244.0.4')], port, at('2026-01-01T00:00:03Z')), true);
  ect.endpointSliceUpdate(slice('ns', 'bad', 'x', [ep('127.244.0.5')], port, at('yesterday')), false);
  const r = applyEndpointsChanges(em, ect);
  assert.deepEqual([...r.lastChangeTriggerTimes], [['ns/s', [start + 1500, start + 2000]]]);
});
