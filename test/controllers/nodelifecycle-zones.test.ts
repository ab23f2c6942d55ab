// Rate-limited taint eviction per zone, as upstream's handleDisruption sets it: one node per
// 10 s at --node-eviction-rate 0.1 (burst 1); a partially disrupted small zone stops, a large one
// slows to the secondary rate; when every zone is fully disrupted nothing is tainted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../src/api/core.js';
import { computeZoneState, zoneKey, ZoneTainters } from '../../src/controllers/nodelifecycle/zones.js';

const node = (name: string, ready: boolean, zone?: string): Node & { ready: boolean } => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: zone ? { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': zone } : {} },
  ready,
});
const isReady = (n: Node) => (n as Node & { ready: boolean }).ready;

test('zone states as ComputeZoneState', () => {
  assert.equal(computeZoneState([true, true, false], 0.55), 'Normal');
  assert.equal(computeZoneState([false, false], 0.55), 'FullDisruption');
  // More than 2 not ready and at least the threshold.
  assert.equal(computeZoneState([true, false, false], 0.55), 'Normal');
  assert.equal(computeZoneState([true, false, false, false], 0.55), 'PartialDisruption');
  assert.equal(computeZoneState([true, true, false, false, false, true, true], 0.55), 'Normal');
  assert.equal(zoneKey(node('a', true, 'z1')), 'r:\x00:z1');
  assert.equal(zoneKey(node('a', true)), '');
});

test('a normal zone taints one node per 1/rate seconds, burst 1', () => {
  const z = new ZoneTainters({ evictionRate: 0.1 });
  z.update([node('a', false, 'z1'), node('b', false, 'z1'), node('c', true, 'z1')], isReady, 0);
  assert.deepEqual(z.tryTaint('r:\x00:z1', 0), { ok: true });
  assert.deepEqual(z.tryTaint('r:\x00:z1', 1000), { ok: false, retryMs: 9000 });
  assert.deepEqual(z.tryTaint('r:\x00:z1', 10_000), { ok: true });
  // Another zone has its own bucket.
  z.update([node('a', false, 'z1'), node('c', true, 'z1'), node('d', false, 'z2'), node('e', true, 'z2')], isReady, 10_000);
  assert.deepEqual(z.tryTaint('r:\x00:z2', 10_000), { ok: true });
});

test('a partially disrupted zone stops when small and slows when large', () => {
  const small = new ZoneTainters();
  small.update([node('a', false), node('b', false), node('c', false), node('d', true)], isReady, 0);
  assert.equal(small.state(''), 'PartialDisruption');
  assert.deepEqual(small.tryTaint('', 0), { ok: false, retryMs: Infinity });
  const large = new ZoneTainters({ largeClusterSizeThreshold: 5, secondaryEvictionRate: 0.5 });
  large.update([...Array.from({ length: 4 }, (_, i) => node(`n${i}`, false)), node('r1', true), node('r2', true)], isReady, 0);
  assert.deepEqual(large.tryTaint('', 0), { ok: true });
  assert.deepEqual(large.tryTaint('', 0), { ok: false, retryMs: 2000 });
});

test('when every zone is fully disrupted nothing is tainted, until a node is Ready again', () => {
  const z = new ZoneTainters();
  z.update([node('a', false, 'z1'), node('b', false, 'z2')], isReady, 0);
  assert.equal(z.allFullyDisrupted, true);
  assert.deepEqual(z.tryTaint('r:\x00:z1', 0), { ok: false, retryMs: Infinity });
  // One zone fully disrupted beside a healthy one: it taints at the normal rate.
  z.update([node('a', false, 'z1'), node('b', true, 'z2')], isReady, 1000);
  assert.equal(z.allFullyDisrupted, false);
  assert.deepEqual(z.tryTaint('r:\x00:z1', 1000), { ok: true });
});
