// `kubesvc up --anonymous-auth`: kube-apiserver's flag, default true, values as Go's strconv.ParseBool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpOptions, type UpOptions } from '../../src/cli/up.js';

const parse = (argv: string[]) => parseUpOptions(argv) as UpOptions;

test('--anonymous-auth is true unless set false, in any of ParseBool\'s spellings', () => {
  assert.equal(parse([]).anonymousAuth, true);
  for (const v of ['false', 'False', 'FALSE', 'f', 'F', '0']) assert.equal(parse([`--anonymous-auth=${v}`]).anonymousAuth, false, v);
  for (const v of ['true', 'T', '1']) assert.equal(parse(['--anonymous-auth', v]).anonymousAuth, true, v);
  assert.throws(() => parse(['--anonymous-auth=maybe']), { message: 'invalid argument "maybe" for "--anonymous-auth" flag: strconv.ParseBool: parsing "maybe": invalid syntax' });
});
