import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedFrequencyRunner, type RunReason } from '../../src/proxy/runner.js';
import { sleep } from './fixtures.js';

test('runner: a burst of requests is one run; runs are at least minInterval apart and never overlap', async () => {
  const starts: number[] = [];
  let active = 0;
  let maxActive = 0;
  const r = new BoundedFrequencyRunner(
    async () => {
      starts.push(Date.now());
      maxActive = Math.max(maxActive, ++active);
      await sleep(20);
      active--;
    },
    { minIntervalMs: 100, maxIntervalMs: 0 },
  );
  r.start();
  const t0 = Date.now();
  for (let i = 0; i < 10; i++) r.run();
  // Counted once the runner has been idle for longer than minInterval (a loaded machine delays
  // timers, so fixed sleeps would measure the machine, not the runner).
  await idle(starts, 250);
  assert.equal(starts.length, 1, 'ten requests in a burst: one run');
  assert.ok(starts[0]! - t0 < 1000, `the first run starts at once (after ${starts[0]! - t0} ms)`);
  for (let i = 0; i < 5; i++) r.run();
  await idle(starts, 250, 2);
  assert.equal(starts.length, 2, 'five more requests: one more run');
  assert.ok(starts[1]! - starts[0]! >= 99, `second run ${starts[1]! - starts[0]!} ms after the first`);
  assert.equal(maxActive, 1);
  await r.stop();
});

test('runner: periodic runs every maxInterval without requests', async () => {
  const reasons: RunReason[] = [];
  const r = new BoundedFrequencyRunner(async (why) => void reasons.push(why), { minIntervalMs: 0, maxIntervalMs: 50 });
  r.start();
  await sleep(240);
  await r.stop();
  assert.ok(reasons.length >= 2 && reasons.length <= 5, `${reasons.length} periodic runs in 240 ms`);
  assert.ok(reasons.every((x) => x === 'periodic'));
  const n = reasons.length;
  await sleep(80);
  assert.equal(reasons.length, n, 'nothing runs after stop');
});

test('runner: a failure is retried with growing backoff, then runs resume normally', async () => {
  const times: number[] = [];
  const reasons: RunReason[] = [];
  const errors: number[] = [];
  const r = new BoundedFrequencyRunner(
    async (why) => {
      times.push(Date.now());
      reasons.push(why);
      if (times.length <= 3) throw new Error('boom');
    },
    { minIntervalMs: 0, maxIntervalMs: 0, retryInitialMs: 20, retryMaxMs: 1000, onError: (_e, n) => errors.push(n) },
  );
  r.start();
  r.run();
  await sleep(450);
  await r.stop();
  assert.equal(times.length, 4, 'three failures then one success (and nothing after it)');
  assert.deepEqual(errors, [1, 2, 3]);
  assert.deepEqual(reasons, ['requested', 'retry', 'retry', 'retry']);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  assert.ok(gaps[0]! >= 19 && gaps[1]! >= 39 && gaps[2]! >= 79, `backoff gaps ${gaps.join(', ')} ms`);
  assert.equal(r.consecutiveFailures, 0);
});

/** Waits (at most 5 s) until `starts` holds at least `min` runs and none started in the last `quietMs`. */
async function idle(starts: number[], quietMs: number, min = 1): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    await sleep(25);
    if (starts.length >= min && Date.now() - starts[starts.length - 1]! >= quietMs) return;
  }
}
