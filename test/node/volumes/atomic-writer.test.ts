import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicWriter, validatePayloadPath, type Payload } from '../../../src/node/volumes/atomic-writer.js';

const payload = (files: Record<string, string | [string, number]>): Payload =>
  new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? { data: Buffer.from(v), mode: 0o644 } : { data: Buffer.from(v[0]), mode: v[1] }]));

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'podvolumes-aw-'));
  try {
    fn(join(dir, 'vol'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tsDirs = (dir: string) => readdirSync(dir).filter((n) => /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./.test(n));

test('the kubelet layout: a timestamped dir, ..data pointing at it, per-key symlinks through ..data', () => {
  withDir((dir) => {
    const w = new AtomicWriter(dir);
    assert.equal(w.write(payload({ a: 'one', 'sub/b': ['two', 0o400] })), true);
    const [ts] = tsDirs(dir);
    assert.ok(ts, readdirSync(dir).join(','));
    assert.equal(readlinkSync(join(dir, '..data')), ts);
    assert.equal(readlinkSync(join(dir, 'a')), '..data/a');
    assert.equal(readlinkSync(join(dir, 'sub')), '..data/sub');
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'one');
    assert.equal(readFileSync(join(dir, 'sub', 'b'), 'utf8'), 'two');
    assert.equal(statSync(join(dir, 'sub', 'b')).mode & 0o777, 0o400);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(dir).sort(), ['..data', ts, 'a', 'sub'].sort());
  });
});

test('an unchanged payload writes nothing; a change swaps ..data and removes the old dir and gone keys', () => {
  withDir((dir) => {
    const w = new AtomicWriter(dir);
    w.write(payload({ a: 'one', b: 'two' }));
    const first = readlinkSync(join(dir, '..data'));
    assert.equal(w.write(payload({ a: 'one', b: 'two' })), false);
    assert.equal(readlinkSync(join(dir, '..data')), first);
    // A mode change alone is a change.
    assert.equal(w.write(payload({ a: ['one', 0o600], b: 'two' })), true);
    assert.equal(w.write(payload({ a: 'uno', c: 'three' })), true);
    const second = readlinkSync(join(dir, '..data'));
    assert.notEqual(second, first);
    assert.deepEqual(tsDirs(dir), [second]);
    assert.equal(readFileSync(join(dir, 'a'), 'utf8'), 'uno');
    assert.equal(readFileSync(join(dir, 'c'), 'utf8'), 'three');
    assert.throws(() => lstatSync(join(dir, 'b')), /ENOENT/);
    assert.ok(!readdirSync(dir).includes('..data_tmp'));
  });
});

test('an empty payload (optional object missing) leaves an empty volume', () => {
  withDir((dir) => {
    new AtomicWriter(dir).write(new Map());
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), []);
    assert.ok(lstatSync(join(dir, '..data')).isSymbolicLink());
  });
});

test('paths are validated as upstream', () => {
  assert.equal(validatePayloadPath('a/b'), undefined);
  assert.equal(validatePayloadPath('/etc/x'), 'invalid path: must be relative path');
  assert.equal(validatePayloadPath('a/../b'), "invalid path: must not contain '..'");
  assert.equal(validatePayloadPath('..data'), "invalid path: must not start with '..'");
  assert.match(validatePayloadPath('x'.repeat(256))!, /255/);
  withDir((dir) => assert.throws(() => new AtomicWriter(dir).write(payload({ '../escape': 'x' })), /must not contain/));
});
