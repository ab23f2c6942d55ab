// ReleaseAfterDrop: one release after a crowd leaves, none while it grows or for small dips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReleaseAfterDrop, collectGarbage } from '../../../src/util/release-memory.js';

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
