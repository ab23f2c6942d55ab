import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIPAllocator } from '../../../src/apiserver/allocators/ipallocator.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  return '<no error>';
};

test('a /24 hands out its 254 host addresses, then says the range is full', () => {
  const r = new ClusterIPAllocator('192.168.1.0/24');
  assert.equal(r.free(), 254);
  const seen = new Set<string>();
  for (let i = 0; i < 254; i++) seen.add(r.allocateNext());
  assert.equal(seen.size, 254);
  assert.ok(!seen.has('192.168.1.0'), 'network address is never allocated');
  assert.ok(!seen.has('192.168.1.255'), 'broadcast address is never allocated');
  assert.equal(r.free(), 0);
  assert.equal(message(() => r.allocateNext()), 'range is full');
  r.release('192.168.1.77');
  assert.equal(r.allocateNext(), '192.168.1.77');
});

test('requested addresses: already allocated, out of range, network and broadcast', () => {
  const r = new ClusterIPAllocator('10.96.0.0/12');
  r.allocate('10.96.0.10');
  assert.ok(r.has('10.96.0.10'));
  assert.equal(message(() => r.allocate('10.96.0.10')), 'provided IP is already allocated');
  assert.equal(
    message(() => r.allocate('1.1.1.1')),
    'the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  assert.equal(
    message(() => r.allocate('10.96.0.0')),
    'the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  assert.match(message(() => r.allocate('10.111.255.255')), /not in the valid range/);
  assert.doesNotThrow(() => r.allocate('10.111.255.254'));
  // Releasing out-of-range or free addresses is a no-op.
  r.release('1.1.1.1');
  r.release('10.96.0.11');
  assert.equal(r.used(), 2);
});

test('the CIDR in errors is the masked network, as the flag is parsed', () => {
  const r = new ClusterIPAllocator('127.96.5.7/16');
  assert.equal(r.cidrString, '127.96.0.0/16');
  assert.match(message(() => r.allocate('127.97.0.1')), /The range of valid IPs is 127\.96\.0\.0\/16$/);
});

test('tiny ranges: /32 and /31 have no usable address, /30 has two', () => {
  assert.equal(message(() => new ClusterIPAllocator('10.0.0.1/32').allocateNext()), 'range is full');
  assert.equal(message(() => new ClusterIPAllocator('10.0.0.0/31').allocateNext()), 'range is full');
  const r = new ClusterIPAllocator('10.0.0.0/30');
  assert.deepEqual([r.allocateNext(), r.allocateNext()].sort(), ['10.0.0.1', '10.0.0.2']);
  assert.equal(message(() => r.allocateNext()), 'range is full');
});

test('dynamic allocation prefers the upper band, leaving the lower band for static requests', () => {
  // /24: 256 addresses -> lower band of max(16, 256/16) = 16 addresses (.1 .. .16).
  const r = new ClusterIPAllocator('10.0.0.0/24');
  assert.equal(r.staticBandSize, 16);
  const upper = 254 - 16;
  for (let i = 0; i < upper; i++) {
    const last = Number(r.allocateNext().split('.')[3]);
    assert.ok(last > 16, `dynamic allocation ${i} took .${last} from the static band`);
  }
  // Once the upper band is full, the lower band is used before giving up.
  const lower = new Set<string>();
  for (let i = 0; i < 16; i++) lower.add(r.allocateNext());
  assert.equal(lower.size, 16);
  for (const ip of lower) assert.ok(Number(ip.split('.')[3]) <= 16);
  assert.equal(message(() => r.allocateNext()), 'range is full');
});

test('static band size follows min(max(16, size/16), 256)', () => {
  assert.equal(new ClusterIPAllocator('10.0.0.0/28').staticBandSize, 0); // 16 addresses: too small to split
  assert.equal(new ClusterIPAllocator('10.0.0.0/27').staticBandSize, 16);
  assert.equal(new ClusterIPAllocator('10.0.0.0/20').staticBandSize, 256);
  assert.equal(new ClusterIPAllocator('10.0.0.0/21').staticBandSize, 128);
  assert.equal(new ClusterIPAllocator('10.96.0.0/12').staticBandSize, 256);
});

test('indexed addresses of the service CIDR', () => {
  const r = new ClusterIPAllocator('10.96.0.0/12');
  assert.equal(r.indexedIP(1), '10.96.0.1');
  assert.equal(r.indexedIP(10), '10.96.0.10');
  assert.throws(() => new ClusterIPAllocator('10.0.0.0/30').indexedIP(10));
});

test('IPv6 or malformed service CIDRs are refused', () => {
  assert.throws(() => new ClusterIPAllocator('fd00::/108'), /invalid IPv4 CIDR/);
  assert.throws(() => new ClusterIPAllocator('10.0.0.0'), /invalid IPv4 CIDR/);
});

test('service CIDRs larger than /12 are refused as kube-apiserver refuses them', () => {
  assert.equal(
    message(() => new ClusterIPAllocator('10.0.0.0/8')),
    'specified --service-cidr is too large; for 32-bit addresses, the mask must be >= 12',
  );
  assert.doesNotThrow(() => new ClusterIPAllocator('10.96.0.0/12'));
});
