import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrashBackoff, goDuration } from '../../src/node/backoff.js';

test('first restart is immediate, then 10s doubling to 300s (upstream kubelet)', () => {
  let now = 1_000_000;
  const b = new CrashBackoff({ initialMs: 10_000, maxMs: 300_000, now: () => now });
  const key = 'uid/c';
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    const finishedAt = now;
    const wait = b.remainingMs(key, finishedAt);
    delays.push(wait);
    now += wait;
    b.next(key);
  }
  assert.deepEqual(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('time already spent since the crash counts against the delay', () => {
  let now = 0;
  const b = new CrashBackoff({ initialMs: 10_000, maxMs: 300_000, now: () => now });
  b.next('k');
  now = 4_000;
  assert.equal(b.remainingMs('k', 1_000), 7_000);
  assert.equal(b.delayMs('k'), 10_000);
});

test('a container that ran longer than twice the maximum starts over', () => {
  let now = 0;
  const b = new CrashBackoff({ initialMs: 100, maxMs: 1000, now: () => now });
  b.next('k');
  b.next('k');
  assert.equal(b.delayMs('k'), 200);
  now = 2001;
  assert.equal(b.remainingMs('k', now), 0);
  b.next('k');
  assert.equal(b.delayMs('k'), 100);
  b.forgetPrefix('k');
  assert.equal(b.delayMs('k'), 0);
});

test('goDuration prints like Go', () => {
  assert.equal(goDuration(10_000), '10s');
  assert.equal(goDuration(160_000), '2m40s');
  assert.equal(goDuration(300_000), '5m0s');
});
