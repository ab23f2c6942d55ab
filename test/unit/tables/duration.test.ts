// AGE formatting, with apimachinery's own duration test table as the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, since } from '../../../src/apiserver/tables/duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const cases: [number, string][] = [
  [S, '1s'],
  [70 * S, '70s'],
  [190 * S, '3m10s'],
  [70 * M, '70m'],
  [47 * H, '47h'],
  [49 * H, '2d1h'],
  [(8 * 24 + 2) * H, '8d'],
  [367 * D, '367d'],
  [(365 * 2 * 24 + 25) * H, '2y1d'],
  [(365 * 8 * 24 + 2) * H, '8y'],
  // boundaries
  [-2 * S, '<invalid>'],
  [-2 * S + 1, '0s'],
  [0, '0s'],
  [S - 1, '0s'],
  [2 * M - 1, '119s'],
  [2 * M, '2m'],
  [2 * M + S, '2m1s'],
  [10 * M - 1, '9m59s'],
  [10 * M, '10m'],
  [10 * M + S, '10m'],
  [3 * H - 1, '179m'],
  [3 * H, '3h'],
  [3 * H + M, '3h1m'],
  [8 * H - 1, '7h59m'],
  [8 * H, '8h'],
  [8 * H + 59 * M, '8h'],
  [2 * D - 1, '47h'],
  [2 * D, '2d'],
  [2 * D + H, '2d1h'],
  [8 * D - 1, '7d23h'],
  [8 * D, '8d'],
  [8 * D + 23 * H, '8d'],
  [2 * 365 * D - 1, '729d'],
  [2 * 365 * D, '2y'],
  [2 * 365 * D + 23 * H + 59 * M, '2y'],
  [2 * 365 * D + D, '2y1d'],
  [3 * 365 * D, '3y'],
  [8 * 365 * D - 1, '7y364d'],
  [8 * 365 * D, '8y'],
  [9 * 365 * D, '9y'],
];

for (const [ms, want] of cases) {
  test(`humanDuration(${ms}ms) is ${want}`, () => {
    assert.equal(humanDuration(ms), want);
  });
}

test('an object without a creation time has age <unknown>', () => {
  assert.equal(since(undefined, new Date()), '<unknown>');
  assert.equal(since('0001-01-01T00:00:00Z', new Date()), '<unknown>');
});

test('a creation time up to a second in the future reads 0s', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(since('2026-01-01T00:00:01.900Z', now), '0s');
});

// Upstream's TestTranslateTimestampSince, with a fixed clock.
test('ages of objects created at various times', () => {
  const now = new Date('2026-03-01T00:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  assert.equal(since(at(2100), now), '<invalid>');
  assert.equal(since(at(1900), now), '0s');
  assert.equal(since(at(0), now), '0s');
  assert.equal(since(at(-30_000), now), '30s');
  assert.equal(since(at(-300_000), now), '5m');
  assert.equal(since(at(-6_000_000), now), '100m');
  assert.equal(since(at(-2 * 86_400_000), now), '2d');
  assert.equal(since(at(-90 * 86_400_000), now), '90d');
  assert.equal(since(at(-10 * 365 * 86_400_000), now), '10y');
});
