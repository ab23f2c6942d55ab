import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortRange } from '../../../src/apiserver/allocators/portallocator.js';
import { message, portAllocator, storage } from './helpers.js';
import { PortAllocator } from '../../../src/apiserver/allocators/portallocator.js';

test('the default range hands out all 2768 ports, then says the range is full', async () => {
  const pa = await portAllocator({ base: 30000, size: 2768 });
  assert.equal(pa.rangeString, '30000-32767');
  const seen = new Set<number>();
  for (let i = 0; i < 2768; i++) seen.add((await pa.allocateNext()));
  assert.equal(seen.size, 2768);
  assert.equal(Math.min(...seen), 30000);
  assert.equal(Math.max(...seen), 32767);
  assert.equal(await message(() => pa.allocateNext()), 'range is full');
  await pa.release(31000);
  assert.equal((await pa.allocateNext()), 31000);
});

test('requested ports: out of range and already allocated, in upstream words', async () => {
  const pa = await portAllocator({ base: 30000, size: 2768 });
  assert.equal(
    await message(() => pa.allocate(80)),
    'provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.match(await message(() => pa.allocate(32768)), /not in the valid range/);
  await pa.allocate(30080);
  assert.ok(pa.has(30080));
  assert.equal(await message(() => pa.allocate(30080)), 'provided port is already allocated');
  await pa.release(30080);
  await pa.allocate(30080);
});

test('dynamic allocation prefers ports above the static band of min(max(16, size/32), 128)', async () => {
  const pa = await portAllocator({ base: 30000, size: 2768 });
  assert.equal(pa.staticBandSize, 86);
  for (let i = 0; i < 2768 - 86; i++) assert.ok((await pa.allocateNext()) >= 30086);
  for (let i = 0; i < 86; i++) assert.ok((await pa.allocateNext()) < 30086);
  assert.equal((await portAllocator({ base: 30000, size: 16 })).staticBandSize, 0);
  assert.equal((await portAllocator({ base: 30000, size: 100 })).staticBandSize, 16);
  assert.equal((await portAllocator({ base: 20000, size: 10000 })).staticBandSize, 128);
});

test('custom ranges parse like --service-node-port-range', async () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('30000+10'), { base: 30000, size: 11 });
  assert.deepEqual(parsePortRange('8080'), { base: 8080, size: 1 });
  assert.throws(() => parsePortRange('abc'));
  assert.throws(() => parsePortRange('65000-70000'));
  const pa = await portAllocator(parsePortRange('40000-40009'));
  assert.equal(await message(() => pa.allocate(30000)), 'provided port is not in the valid range. The range of valid ports is 40000-40009');
});

test('the range is one RangeAllocation in storage: allocators sharing it never hand out a port twice', async () => {
  const { backend } = await storage();
  const range = { base: 30000, size: 64 };
  const a = new PortAllocator(range, backend);
  const b = new PortAllocator(range, backend);
  // Both race for the whole range at once; every compare-and-swap they lose is retried.
  const got = await Promise.all(Array.from({ length: 64 }, (_, i) => (i % 2 ? a : b).allocateNext()));
  assert.equal(new Set(got).size, 64);
  assert.equal(await message(() => a.allocateNext()), 'range is full');
  await b.release(30010);
  // a's own view is stale; it learns of the release from storage.
  assert.equal(await a.allocateNext(), 30010);
  const { kv } = await backend.get('/registry/ranges/servicenodeports');
  const stored = JSON.parse(kv!.value) as { kind: string; range: string; data: string };
  assert.equal(stored.kind, 'RangeAllocation');
  assert.equal(stored.range, '30000-30063');
  // Upstream's big.Int bytes: all 64 bits set.
  assert.equal(Buffer.from(stored.data, 'base64').toString('hex'), 'ff'.repeat(8));
});
