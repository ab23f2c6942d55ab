import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortAllocator, parsePortRange } from '../../../src/apiserver/allocators/portallocator.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '<no error>';
};

test('the default range hands out all 2768 ports, then says the range is full', () => {
  const pa = new PortAllocator({ base: 30000, size: 2768 });
  assert.equal(pa.rangeString, '30000-32767');
  const seen = new Set<number>();
  for (let i = 0; i < 2768; i++) seen.add(pa.allocateNext());
  assert.equal(seen.size, 2768);
  assert.equal(Math.min(...seen), 30000);
  assert.equal(Math.max(...seen), 32767);
  assert.equal(message(() => pa.allocateNext()), 'range is full');
  pa.release(31000);
  assert.equal(pa.allocateNext(), 31000);
});

test('requested ports: out of range and already allocated, in upstream words', () => {
  const pa = new PortAllocator({ base: 30000, size: 2768 });
  assert.equal(
    message(() => pa.allocate(80)),
    'provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.match(message(() => pa.allocate(32768)), /not in the valid range/);
  pa.allocate(30080);
  assert.ok(pa.has(30080));
  assert.equal(message(() => pa.allocate(30080)), 'provided port is already allocated');
  pa.release(30080);
  assert.doesNotThrow(() => pa.allocate(30080));
});

test('dynamic allocation prefers ports above the static band of min(max(16, size/32), 128)', () => {
  const pa = new PortAllocator({ base: 30000, size: 2768 });
  assert.equal(pa.staticBandSize, 86);
  for (let i = 0; i < 2768 - 86; i++) assert.ok(pa.allocateNext() >= 30086);
  for (let i = 0; i < 86; i++) assert.ok(pa.allocateNext() < 30086);
  assert.equal(new PortAllocator({ base: 30000, size: 16 }).staticBandSize, 0);
  assert.equal(new PortAllocator({ base: 30000, size: 100 }).staticBandSize, 16);
  assert.equal(new PortAllocator({ base: 20000, size: 10000 }).staticBandSize, 128);
});

test('custom ranges parse like --service-node-port-range', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { base: 30000, size: 2768 });
  assert.deepEqual(parsePortRange('30000+10'), { base: 30000, size: 11 });
  assert.deepEqual(parsePortRange('8080'), { base: 8080, size: 1 });
  assert.throws(() => parsePortRange('abc'));
  assert.throws(() => parsePortRange('65000-70000'));
  const pa = new PortAllocator(parsePortRange('40000-40009'));
  assert.equal(message(() => pa.allocate(30000)), 'provided port is not in the valid range. The range of valid ports is 40000-40009');
});
