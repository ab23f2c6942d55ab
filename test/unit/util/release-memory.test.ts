// ReleaseAfterDrop: one release after a crowd leaves, none while it grows or for small dips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedTrim, ReleaseAfterDrop, collectGarbage } from '../../../src/util/release-memory.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('releases once after the count fell by the threshold and stayed down, not for small dips or growth', async () => {
  let released = 0;
  const r = new ReleaseAfterDrop(100, 50, () => released++);
  for (let n = 0; n <= 500; n += 10) r.update(n);
  r.update(450);
  await sleep(100);
  assert.equal(released, 0, 'a dip of 50 is not worth a collection');
  r.update(300);
  r.update(600); // growing again before the quiet time passed: no collection mid-crowd
  await sleep(100);
  assert.equal(released, 0);
  r.update(100);
  r.update(20);
  await sleep(100);
  assert.equal(released, 1);
  r.update(10);
  await sleep(100);
  assert.equal(released, 1, 'the new low is the new peak: nothing more to give back');
  r.stop();
});

test('collectGarbage runs a full collection without --expose-gc', () => {
  collectGarbage();
  collectGarbage();
});

test('RateLimitedTrim runs at once, then defers a request within the interval to its end, once', async () => {
  let now = 1_000;
  const runs: number[] = [];
  const t = new RateLimitedTrim(100, () => runs.push(now), () => now);
  t.request();
  assert.deepEqual(runs, [1_000], 'the first request runs at once');
  now = 1_040;
  t.request();
  t.request();
  t.request();
  assert.deepEqual(runs, [1_000], 'within the interval: deferred, not run');
  now = 1_100;
  await sleep(120);
  assert.deepEqual(runs, [1_000, 1_100], 'the deferred requests ran once, at the end of the interval');
  now = 1_300;
  t.request();
  assert.deepEqual(runs, [1_000, 1_100, 1_300], 'after the interval a request runs at once again');
  now = 1_310;
  t.request();
  t.stop();
  await sleep(120);
  assert.equal(runs.length, 3, 'stop() drops the deferred run');
});
