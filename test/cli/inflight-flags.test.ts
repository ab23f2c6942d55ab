// `kubesvc up --max-requests-inflight / --max-mutating-requests-inflight`: kube-apiserver's flags,
// defaults and messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpOptions, type UpOptions } from '../../src/cli/up.js';

const parse = (argv: string[]) => parseUpOptions(argv) as UpOptions;

test("defaults are kube-apiserver's: 400 read-only, 200 mutating", () => {
  const o = parse([]);
  assert.equal(o.maxRequestsInFlight, 400);
  assert.equal(o.maxMutatingRequestsInFlight, 200);
  const set = parse(['--max-requests-inflight', '0', '--max-mutating-requests-inflight', '7']);
  assert.equal(set.maxRequestsInFlight, 0);
  assert.equal(set.maxMutatingRequestsInFlight, 7);
});

test('a non-number or a negative value is refused with upstream wording', () => {
  assert.throws(() => parse(['--max-requests-inflight', 'many']), { message: 'invalid argument "many" for "--max-requests-inflight" flag: strconv.ParseInt: parsing "many": invalid syntax' });
  assert.throws(() => parse(['--max-mutating-requests-inflight', '-1']), { message: '--max-mutating-requests-inflight can not be negative value' });
});
