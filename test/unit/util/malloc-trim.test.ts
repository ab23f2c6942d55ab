// The malloc_trim addon: it loads, and it gives back C-heap pages that glibc keeps by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mallocTrim, mallocTrimAvailable } from '../../../src/util/malloc-trim.js';
import { leaveFreedChunks, rssMiB } from './fragmented-c-heap.js';

const glibc = process.platform === 'linux' && Boolean((process.report?.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);
const skip = !glibc
  ? 'malloc_trim is glibc\'s: nothing to test on this C library'
  : mallocTrimAvailable()
    ? false
    : 'the malloc_trim addon was not built (native/malloc-trim: `npm run build` needs a C compiler, make and python3)';

test('malloc_trim returns the freed pages glibc kept between live allocations', { skip }, async () => {
  // 64 MiB of 4 KiB buffers, 15 of every 16 freed between live ones.
  const { live: pinned, peak } = await leaveFreedChunks(64, 16);
  const kept = rssMiB();
  const released = await mallocTrim();
  const after = rssMiB();
  assert.equal(released, true, 'glibc reports that it released memory');
  assert.ok(kept > after + 32, `RSS ${kept.toFixed(0)} MiB before the trim, ${after.toFixed(0)} MiB after (peak ${peak.toFixed(0)} MiB): at least 32 of the 60 freed MiB should go back`);
  // The live buffers are untouched.
  assert.ok(pinned.every((b, i) => b[0] === ((i * 16) & 0xff) && b[4095] === ((i * 16) & 0xff)));
});

test('a second trim right after has little or nothing left to release, and is quick', { skip }, async () => {
  await mallocTrim();
  const t0 = performance.now();
  const before = rssMiB();
  await mallocTrim();
  assert.ok(rssMiB() > before - 8, 'nothing much was left to release');
  assert.ok(performance.now() - t0 < 2_000, `took ${(performance.now() - t0).toFixed(0)} ms`);
});

test('trims requested together all resolve (each on the thread pool, one after another per arena)', { skip }, async () => {
  const results = await Promise.all(Array.from({ length: 8 }, () => mallocTrim()));
  assert.deepEqual(results.map((r) => typeof r), Array(8).fill('boolean'));
});
