import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIPAllocator } from '../../../src/apiserver/allocators/ipallocator.js';
import { ipAllocator, message, parent } from './helpers.js';

/** For what needs no storage: the range arithmetic and the flag's checks. */
const rangeOnly = (cidr: string) =>
  new ClusterIPAllocator(cidr, () => {
    throw new Error('no storage in this test');
  });

test('a /24 hands out its 254 host addresses as IPAddress objects, then says the range is full', async () => {
  const r = await ipAllocator('192.168.1.0/24');
  const seen = new Set<string>();
  for (let i = 0; i < 254; i++) seen.add(await r.allocateNext(parent));
  assert.equal(seen.size, 254);
  assert.ok(!seen.has('192.168.1.0'), 'network address is never allocated');
  assert.ok(!seen.has('192.168.1.255'), 'broadcast address is never allocated');
  assert.equal(await r.used(), 254);
  assert.equal(await message(() => r.allocateNext(parent)), 'range is full');
  await r.release('192.168.1.77');
  assert.equal(await r.allocateNext(parent), '192.168.1.77');
  const ip = r.find('192.168.1.77');
  assert.deepEqual(ip?.spec?.parentRef, { group: '', resource: 'services', namespace: 'default', name: 'test' });
  assert.deepEqual(ip?.metadata.labels, { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' });
});

test('requested addresses: already allocated, out of range, network and broadcast', async () => {
  const r = await ipAllocator('10.96.0.0/12');
  await r.allocate('10.96.0.10', parent);
  assert.ok(await r.has('10.96.0.10'));
  assert.equal(await message(() => r.allocate('10.96.0.10', parent)), 'provided IP is already allocated');
  assert.equal(
    await message(() => r.allocate('1.1.1.1', parent)),
    'the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  assert.equal(
    await message(() => r.allocate('10.96.0.0', parent)),
    'the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
  assert.match(await message(() => r.allocate('10.111.255.255', parent)), /not in the valid range/);
  await r.allocate('10.111.255.254', parent);
  // Releasing out-of-range or free addresses is a no-op.
  await r.release('1.1.1.1');
  await r.release('10.96.0.11');
  assert.equal(await r.used(), 2);
});

test('the CIDR in errors is the masked network, as the flag is parsed', async () => {
  const r = await ipAllocator('127.96.5.7/16');
  assert.equal(r.cidrString, '127.96.0.0/16');
  assert.match(await message(() => r.allocate('127.97.0.1', parent)), /The range of valid IPs is 127\.96\.0\.0\/16$/);
});

test('tiny ranges: /32 and /31 have no usable address, /30 has two', async () => {
  assert.equal(await message(async () => (await ipAllocator('10.0.0.1/32')).allocateNext(parent)), 'range is full');
  assert.equal(await message(async () => (await ipAllocator('10.0.0.0/31')).allocateNext(parent)), 'range is full');
  const r = await ipAllocator('10.0.0.0/30');
  assert.deepEqual([await r.allocateNext(parent), await r.allocateNext(parent)].sort(), ['10.0.0.1', '10.0.0.2']);
  assert.equal(await message(() => r.allocateNext(parent)), 'range is full');
});

test('dynamic allocation prefers the upper band, leaving the lower band for static requests', async () => {
  // /24: 256 addresses -> lower band of max(16, 256/16) = 16 addresses (.1 .. .16).
  const r = await ipAllocator('10.0.0.0/24');
  assert.equal(r.staticBandSize, 16);
  const upper = 254 - 16;
  for (let i = 0; i < upper; i++) {
    const last = Number((await r.allocateNext(parent)).split('.')[3]);
    assert.ok(last > 16, `dynamic allocation ${i} took .${last} from the static band`);
  }
  // Once the upper band is full, the lower band is used before giving up.
  const lower = new Set<string>();
  for (let i = 0; i < 16; i++) lower.add(await r.allocateNext(parent));
  assert.equal(lower.size, 16);
  for (const ip of lower) assert.ok(Number(ip.split('.')[3]) <= 16);
  assert.equal(await message(() => r.allocateNext(parent)), 'range is full');
});

test('static band size follows min(max(16, size/16), 256)', () => {
  assert.equal(rangeOnly('10.0.0.0/28').staticBandSize, 0); // 16 addresses: too small to split
  assert.equal(rangeOnly('10.0.0.0/27').staticBandSize, 16);
  assert.equal(rangeOnly('10.0.0.0/20').staticBandSize, 256);
  assert.equal(rangeOnly('10.0.0.0/21').staticBandSize, 128);
  assert.equal(rangeOnly('10.96.0.0/12').staticBandSize, 256);
});

test('indexed addresses of the service CIDR', () => {
  const r = rangeOnly('10.96.0.0/12');
  assert.equal(r.indexedIP(1), '10.96.0.1');
  assert.equal(r.indexedIP(10), '10.96.0.10');
  assert.throws(() => rangeOnly('10.0.0.0/30').indexedIP(10));
});

test('IPv6 or malformed service CIDRs are refused', () => {
  assert.throws(() => rangeOnly('fd00::/108'), /invalid IPv4 CIDR/);
  assert.throws(() => rangeOnly('10.0.0.0'), /invalid IPv4 CIDR/);
});

test('service CIDRs larger than /12 are refused as kube-apiserver refuses them', async () => {
  assert.equal(
    await message(() => rangeOnly('10.0.0.0/8')),
    'specified --service-cidr is too large; for 32-bit addresses, the mask must be >= 12',
  );
  assert.doesNotThrow(() => rangeOnly('10.96.0.0/12'));
});
