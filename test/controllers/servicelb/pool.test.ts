// The LoadBalancer pool and allocator: parsing, allocation order, requests, exhaustion, release.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLBPool, poolContains, PoolParseError } from '../../../src/controllers/servicelb/pool.js';
import { AllocationError, LBIPAllocator } from '../../../src/controllers/servicelb/allocator.js';
import { requestedIP, wantsOurLoadBalancer } from '../../../src/controllers/servicelb/service-util.js';
import type { Service } from '../../../src/api/core.js';

describe('parseLBPool', () => {
  const ok: [string, [string, string][], number][] = [
    ['127.240.0.0/24', [['127.240.0.1', '127.240.0.254']], 254],
    ['172.30.1.0/24', [['172.30.1.1', '172.30.1.254']], 254],
    ['10.0.0.5/32', [['10.0.0.5', '10.0.0.5']], 1],
    ['10.0.0.4/31', [['10.0.0.4', '10.0.0.5']], 2],
    ['10.0.0.17/30', [['10.0.0.17', '10.0.0.18']], 2],
    ['127.240.0.10-127.240.0.20', [['127.240.0.10', '127.240.0.20']], 11],
    ['10.0.0.1', [['10.0.0.1', '10.0.0.1']], 1],
    [' 10.0.1.0/30 , 10.0.0.1-10.0.0.2 ', [['10.0.0.1', '10.0.0.2'], ['10.0.1.1', '10.0.1.2']], 4],
  ];
  for (const [text, ranges, size] of ok) {
    it(text, () => {
      const p = parseLBPool(text);
      assert.equal(p.size, size);
      for (const [first, last] of ranges) {
        assert.ok(poolContains(p, first), first);
        assert.ok(poolContains(p, last), last);
      }
    });
  }
  it('leaves out network and broadcast addresses of a CIDR', () => {
    const p = parseLBPool('127.240.0.0/24');
    assert.equal(poolContains(p, '127.240.0.0'), false);
    assert.equal(poolContains(p, '127.240.0.255'), false);
    assert.equal(poolContains(p, '127.240.1.1'), false);
  });
  const bad: [string, RegExp][] = [
    ['', /it is empty/],
    ['127.240.0.0/33', /is not an IPv4 CIDR/],
    ['300.0.0.0/24', /is not an IPv4 CIDR/],
    ['10.0.0.9-10.0.0.1', /ends before it starts/],
    ['10.0.0.1-foo', /is not an IPv4 range/],
    ['pool', /neither a CIDR nor a range/],
    ['10.0.0.0/24,10.0.0.5-10.0.0.9', /overlap/],
  ];
  for (const [text, re] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseLBPool(text), (e: unknown) => e instanceof PoolParseError && re.test(e.message) && e.message.includes('invalid LoadBalancer pool'));
    });
  }
});

describe('LBIPAllocator', () => {
  it('hands out the lowest free address, never twice, and reuses released ones', () => {
    const a = new LBIPAllocator(parseLBPool('127.240.0.0/24'));
    assert.equal(a.allocateNext('ns/a'), '127.240.0.1');
    assert.equal(a.allocateNext('ns/b'), '127.240.0.2');
    assert.equal(a.allocateNext('ns/a'), '127.240.0.1', 'same key keeps its address');
    assert.equal(a.release('ns/a'), '127.240.0.1');
    assert.equal(a.allocateNext('ns/c'), '127.240.0.1');
    assert.equal(a.holder('127.240.0.1'), 'ns/c');
  });

  it('honours requests inside the pool; refuses outside, taken, invalid', () => {
    const a = new LBIPAllocator(parseLBPool('127.240.0.0/24'));
    assert.equal(a.assign('ns/a', '127.240.0.50'), '127.240.0.50');
    assert.equal(a.assign('ns/a', '127.240.0.50'), '127.240.0.50', 'idempotent');
    const fail = (fn: () => unknown, reason: string, msg: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof AllocationError && e.reason === reason && msg.test(e.message));
    fail(() => a.assign('ns/b', '127.240.0.50'), 'InUse', /^requested IP 127\.240\.0\.50 is already in use by Service ns\/a$/);
    fail(() => a.assign('ns/b', '10.0.0.5'), 'NotInPool', /^requested IP 10\.0\.0\.5 is not in the LoadBalancer pool 127\.240\.0\.0\/24$/);
    fail(() => a.assign('ns/b', 'fd00::1'), 'InvalidIP', /is not a valid IPv4 address/);
    // Moving to another requested address frees the old one.
    assert.equal(a.assign('ns/a', '127.240.0.51'), '127.240.0.51');
    assert.equal(a.holder('127.240.0.50'), undefined);
  });

  it('says when the pool is exhausted', () => {
    const a = new LBIPAllocator(parseLBPool('10.0.0.1-10.0.0.2'));
    a.allocateNext('a');
    a.allocateNext('b');
    assert.throws(
      () => a.allocateNext('c'),
      (e: unknown) => e instanceof AllocationError && e.reason === 'PoolExhausted' && e.message === 'no available IPs in the LoadBalancer pool 10.0.0.1-10.0.0.2 (all 2 addresses are in use)',
    );
  });
});

describe('Service selection and requests', () => {
  const lb = (spec: Partial<Service['spec']>, annotations?: Record<string, string>): Service => ({
    metadata: { name: 'x', namespace: 'default', ...(annotations ? { annotations } : {}) },
    spec: { type: 'LoadBalancer', ...spec },
  });
  it('class: unset or ours', () => {
    assert.equal(wantsOurLoadBalancer(lb({}), 'kubesvc.io/servicelb'), true);
    assert.equal(wantsOurLoadBalancer(lb({ loadBalancerClass: 'kubesvc.io/servicelb' }), 'kubesvc.io/servicelb'), true);
    assert.equal(wantsOurLoadBalancer(lb({ loadBalancerClass: 'metallb.io/metallb' }), 'kubesvc.io/servicelb'), false);
    assert.equal(wantsOurLoadBalancer(lb({ type: 'NodePort' }), 'kubesvc.io/servicelb'), false);
  });
  it('requested address: spec.loadBalancerIP, else MetalLB annotation (IPv4 entry)', () => {
    assert.equal(requestedIP(lb({})), undefined);
    assert.equal(requestedIP(lb({ loadBalancerIP: '127.240.0.9' })), '127.240.0.9');
    assert.equal(requestedIP(lb({}, { 'metallb.universe.tf/loadBalancerIPs': 'fd00::5, 127.240.0.7' })), '127.240.0.7');
    assert.equal(requestedIP(lb({}, { 'metallb.io/loadBalancerIPs': '127.240.0.8' })), '127.240.0.8');
  });
});
