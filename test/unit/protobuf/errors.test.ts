// Malformed bodies are 400s with upstream-like wording; kinds we serve but cannot read from
// protobuf are 415s; writing a kind with no protobuf form is a 406.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, encodeK8sProtobuf } from '../../../src/apiserver/protobuf/index.js';
import { Writer } from '../../../src/apiserver/protobuf/wire.js';
import { StatusError } from '../../../src/machinery/status.js';

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const tm = new Writer();
  tm.bytes(1, Buffer.from(apiVersion));
  tm.bytes(2, Buffer.from(kind));
  const u = new Writer();
  u.bytes(1, tm.finish());
  u.bytes(2, raw);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), u.finish()]);
}

function status(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return { code: e.code, reason: e.reason, message: e.message };
  }
  assert.fail('expected a StatusError');
}

describe('protobuf errors', () => {
  it('a body without the k8s magic is a 400', () => {
    const s = status(() => decodeK8sProtobuf(Buffer.from('{"kind":"Namespace"}')));
    assert.equal(s.code, 400);
    assert.equal(s.reason, 'BadRequest');
    assert.match(s.message, /expected prefix \[107 56 115 0\]/);
  });

  it('a truncated body is a 400', () => {
    const full = envelope('v1', 'Namespace', Buffer.from([0x0a, 0x06, 0x0a, 0x04, 0x70, 0x72, 0x6f, 0x64]));
    // Every cut inside a field (a cut between the envelope's fields is a shorter valid message).
    const rawStart = full.length - 10;
    const cuts = [5, 6, 7, 8, ...Array.from({ length: 9 }, (_, i) => rawStart + 1 + i)];
    for (const cut of cuts) {
      const s = status(() => decodeK8sProtobuf(full.subarray(0, cut)));
      assert.equal(s.code, 400, `cut at ${cut}`);
    }
  });

  it('a field with the wrong wire type is a 400', () => {
    const meta = new Writer();
    meta.tag(1, 0); // name as a varint
    meta.varint(5n);
    const ns = new Writer();
    ns.bytes(1, meta.finish());
    const s = status(() => decodeK8sProtobuf(envelope('v1', 'Namespace', ns.finish())));
    assert.equal(s.code, 400);
    assert.match(s.message, /wrong wireType = 0 for field Name/);
  });

  it('a missing kind is a 400', () => {
    assert.equal(status(() => decodeK8sProtobuf(envelope('v1', '', Buffer.alloc(0)))).code, 400);
  });

  it('a kind of a group we do not serve is a 400', () => {
    const s = status(() => decodeK8sProtobuf(envelope('example.com/v1', 'Widget', Buffer.alloc(0))));
    assert.equal(s.code, 400);
    assert.match(s.message, /no kind "Widget" is registered for version "example.com\/v1"/);
  });

  it('a kind of a served group version without a table is a 415', () => {
    const s = status(() => decodeK8sProtobuf(envelope('v1', 'LimitRange', Buffer.alloc(0))));
    assert.equal(s.code, 415);
    assert.equal(s.reason, 'UnsupportedMediaType');
  });

  it('encoding a Table is a 406', () => {
    const s = status(() => encodeK8sProtobuf({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {} }));
    assert.equal(s.code, 406);
  });
});
