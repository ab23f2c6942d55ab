// Prefix bounds and key order must agree with how SQLite and etcd compare keys (bytes of UTF-8),
// or lists would drop or include the wrong objects.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareKeys, prefixEnd } from '../../src/storage/prefix.js';

describe('prefixEnd', () => {
  it("bounds '/registry/services/' below '/registry/servicesx/'", () => {
    const end = prefixEnd('/registry/services/')!;
    assert.equal(end, '/registry/services0');
    assert.ok(compareKeys('/registry/services/zzz', end) < 0);
    assert.ok(compareKeys('/registry/servicesx/a', end) > 0);
  });

  it('has no bound for the empty prefix', () => {
    assert.equal(prefixEnd(''), undefined);
  });

  it('steps over the surrogate block and past the highest code point', () => {
    assert.equal(prefixEnd('a\ud7ff'), 'a\ue000');
    assert.equal(prefixEnd('a\u{10ffff}'), 'b');
  });
});

describe('compareKeys', () => {
  it('orders by code point, as UTF-8 bytes do', () => {
    const keys = ['b', 'a', '\u{1f600}', '\uffff', 'a/b', 'a0'];
    const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...keys].sort(compareKeys), byBytes);
  });
});
