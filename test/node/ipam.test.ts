import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PodIPAllocator } from '../../src/node/ipam.js';

test('skips network, gateway and broadcast; hands out each address once', () => {
  const a = new PodIPAllocator('127.244.3.0/29');
  const got = ['a', 'b', 'c', 'd', 'e'].map((u) => a.allocate(u));
  assert.deepEqual(got, ['127.244.3.2', '127.244.3.3', '127.244.3.4', '127.244.3.5', '127.244.3.6']);
  assert.throws(() => a.allocate('f'), /no pod IP left in 127.244.3.0\/29/);
  assert.equal(a.allocate('c'), '127.244.3.4', 'the same pod keeps its IP');
  assert.equal(a.gateway, '127.244.3.1');
});

test('a freed IP is not reused at once (allocation continues after the last one)', () => {
  const a = new PodIPAllocator('127.244.0.0/24');
  assert.equal(a.allocate('a'), '127.244.0.2');
  assert.equal(a.allocate('b'), '127.244.0.3');
  a.release('a');
  assert.equal(a.allocate('c'), '127.244.0.4');
  assert.equal(a.ipOf('a'), undefined);
});

test('wraps around to freed addresses when the end is reached', () => {
  const a = new PodIPAllocator('10.0.0.0/29');
  for (const u of ['a', 'b', 'c', 'd', 'e']) a.allocate(u);
  a.release('b');
  assert.equal(a.allocate('f'), '10.0.0.3');
});

test('persists allocations: a restarted allocator does not reuse live IPs; retain frees the dead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ipam-'));
  try {
    const file = join(dir, 'ips.json');
    const a = new PodIPAllocator('127.244.1.0/24', file);
    a.allocate('live');
    a.allocate('dead');
    const b = new PodIPAllocator('127.244.1.0/24', file);
    assert.equal(b.ipOf('live'), '127.244.1.2');
    assert.equal(b.allocate('new'), '127.244.1.4');
    b.retain(new Set(['live', 'new']));
    assert.equal(b.ipOf('dead'), undefined);
    const c = new PodIPAllocator('127.244.2.0/24', file);
    assert.equal(c.allocated, 0, 'a different podCIDR starts over');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('claim records an IP from a pod status unless it is taken or outside the range', () => {
  const a = new PodIPAllocator('127.244.0.0/24');
  assert.equal(a.claim('p1', '127.244.0.9'), true);
  assert.equal(a.claim('p2', '127.244.0.9'), false);
  assert.equal(a.claim('p3', '127.244.5.9'), false);
  assert.equal(a.claim('p4', '127.244.0.255'), false);
  assert.equal(a.allocate('p1'), '127.244.0.9');
});
