import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadBalancerRR } from '../../src/proxy/userspace/loadbalancer.js';

test('round-robin: every endpoint in turn after one shuffle', () => {
  const lb = new LoadBalancerRR();
  lb.update('k', ['a:1', 'b:1', 'c:1'], { type: 'None', ttlSeconds: 0 });
  const picks = Array.from({ length: 9 }, () => lb.nextEndpoint('k', '127.0.0.1'));
  assert.deepEqual(picks.slice(0, 3).sort(), ['a:1', 'b:1', 'c:1']);
  assert.deepEqual(picks.slice(3, 6), picks.slice(0, 3));
  assert.equal(lb.nextEndpoint('missing', '127.0.0.1'), undefined);
  lb.update('k', ['c:1', 'b:1', 'a:1'], { type: 'None', ttlSeconds: 0 });
  assert.equal(lb.nextEndpoint('k', '127.0.0.1'), picks[0], 'the same set in another order keeps the turn');
});

test('ClientIP affinity sticks until idle for the timeout; a failed endpoint resets it', () => {
  let now = 1_000_000;
  const lb = new LoadBalancerRR(Math.random, () => now);
  lb.update('k', ['a:1', 'b:1', 'c:1'], { type: 'ClientIP', ttlSeconds: 10 });
  const first = lb.nextEndpoint('k', '127.0.0.5')!;
  for (let i = 0; i < 5; i++) {
    now += 9_000;
    assert.equal(lb.nextEndpoint('k', '127.0.0.5'), first, 'used within 10 s keeps sticking');
  }
  const other = lb.nextEndpoint('k', '127.0.0.6');
  assert.notEqual(other, first, 'another client gets the next endpoint');
  const reset = lb.nextEndpoint('k', '127.0.0.5', true);
  assert.notEqual(reset, first);
  assert.equal(lb.nextEndpoint('k', '127.0.0.5'), reset, 'and then sticks to the new one');
  now += 10_000;
  lb.cleanupStaleStickySessions();
  lb.update('k', ['a:1', 'b:1'], { type: 'ClientIP', ttlSeconds: 10 });
  const x = lb.nextEndpoint('k', '127.0.0.7')!;
  lb.update('k', ['a:1', 'b:1', 'c:1'].filter((e) => e !== x), { type: 'ClientIP', ttlSeconds: 10 });
  assert.notEqual(lb.nextEndpoint('k', '127.0.0.7'), x, 'a removed endpoint is no longer sticky');
});
