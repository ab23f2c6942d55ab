// bench/report.ts: what `npm run bench` makes of the benchmarks' RESULT lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisonTable, parseComparisons, ratio } from '../../../bench/report.js';

test('RESULT lines are gathered, anything else is not; ratios and the table read as the issue states goals', () => {
  const output = [
    'wrk -t1 -c32 ...',
    'RESULT {"figure":"keep-alive, requests/s","unit":"req/s","kubesvc":13417,"peer":"nginx","peerValue":24675,"higherIsBetter":true,"goal":"≥ 0.8×"}',
    'RESULT {"figure":"keep-alive, p99","unit":"ms","kubesvc":8.63,"peer":"nginx","peerValue":5.47,"higherIsBetter":false}',
    'RESULT {not json',
    'RESULT {"figure":"no numbers","unit":"x","kubesvc":null,"peer":"p","peerValue":1,"higherIsBetter":true}',
    '  RESULT {"figure":"indented","unit":"x","kubesvc":1,"peer":"p","peerValue":1,"higherIsBetter":true}',
  ].join('\n');
  const got = parseComparisons(output);
  assert.deepEqual(got.map((c) => c.figure), ['keep-alive, requests/s', 'keep-alive, p99']);
  assert.equal(ratio(got[0]!).toFixed(2), '0.54');
  assert.equal(ratio(got[1]!).toFixed(2), '1.58');
  const table = comparisonTable(got.map((c) => ({ bench: 'ingress', ...c })));
  assert.match(table, /^\| benchmark \| figure \|/);
  assert.match(table, /\| ingress \| keep-alive, requests\/s \| 13,417 req\/s \| nginx \| 24,675 req\/s \| 0\.54× \| higher \| ≥ 0\.8× \|/);
  assert.match(table, /\| ingress \| keep-alive, p99 \| 8\.63 ms \| nginx \| 5\.47 ms \| 1\.58× \| lower \|  \|/);
  assert.equal(ratio({ figure: 'x', unit: 'x', kubesvc: 1, peer: 'p', peerValue: 0, higherIsBetter: true }), NaN);
});
