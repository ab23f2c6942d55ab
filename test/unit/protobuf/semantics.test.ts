// Decoding hand-built protobuf (not our encoder's output) must print what Go's encoding/json
// prints for the struct Go's generated Unmarshal builds from the same bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, decodeMessage, encodeMessage } from '../../../src/apiserver/protobuf/index.js';
import { Writer } from '../../../src/apiserver/protobuf/wire.js';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function envelope(apiVersion: string, kind: string, raw: Buffer): Buffer {
  const tm = new Writer();
  tm.bytes(1, Buffer.from(apiVersion));
  tm.bytes(2, Buffer.from(kind));
  const u = new Writer();
  u.bytes(1, tm.finish());
  u.bytes(2, raw);
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), u.finish()]);
}

function msg(build: (w: Writer) => void): Buffer {
  const w = new Writer();
  build(w);
  return w.finish();
}
const varint = (w: Writer, num: number, v: bigint | number) => {
  w.tag(num, 0);
  w.varint(BigInt(v));
};

describe('Go zero values and omitempty', () => {
  it('an empty Namespace prints what Go prints for the zero struct', () => {
    const got = decodeK8sProtobuf(envelope('v1', 'Namespace', Buffer.alloc(0)));
    assert.deepEqual(got.object, { kind: 'Namespace', apiVersion: 'v1', metadata: { creationTimestamp: null }, spec: {}, status: {} });
  });

  it('ServicePort: non-omitempty port and struct targetPort kept at zero, omitempty strings dropped', () => {
    const port = msg((w) => varint(w, 3, 80));
    const spec = msg((w) => w.bytes(1, port));
    const svc = msg((w) => w.bytes(2, spec));
    const got = decodeK8sProtobuf(envelope('v1', 'Service', svc)).object as { spec: { ports: unknown[] }; status: unknown };
    assert.deepEqual(got.spec.ports, [{ port: 80, targetPort: 0 }]);
    assert.deepEqual(got.status, { loadBalancer: {} });
  });

  it('a present pointer keeps its zero (replicas: 0); nil pointers and zero omitempty ints vanish', () => {
    const spec = msg((w) => varint(w, 1, 0));
    const d = msg((w) => w.bytes(2, spec));
    const got = decodeK8sProtobuf(envelope('apps/v1', 'Deployment', d)).object as { spec: Record<string, unknown> };
    assert.deepEqual(got.spec, {
      replicas: 0,
      selector: null,
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      strategy: {},
    });
  });

  it('negative int32 (ten-byte varint) and packed repeated int64', () => {
    const sc = msg((w) => {
      const packed = new Writer();
      packed.varint(1000n);
      packed.varint(2000n);
      w.bytes(4, packed.finish()); // supplementalGroups, packed
    });
    const spec = msg((w) => {
      w.bytes(14, sc);
      varint(w, 25, -1n); // priority
    });
    const pod = msg((w) => w.bytes(2, spec));
    const got = decodeK8sProtobuf(envelope('v1', 'Pod', pod)).object as { spec: Record<string, unknown> };
    assert.deepEqual(got.spec.securityContext, { supplementalGroups: [1000, 2000] });
    assert.equal(got.spec.priority, -1);
  });

  it('unknown field numbers are skipped, as Go skips them', () => {
    const ns = msg((w) => {
      w.bytes(99, Buffer.from('future'));
      varint(w, 100, 7);
    });
    const got = decodeK8sProtobuf(envelope('v1', 'Namespace', ns)).object;
    assert.deepEqual(got, { kind: 'Namespace', apiVersion: 'v1', metadata: { creationTimestamp: null }, spec: {}, status: {} });
  });
});

describe('special types', () => {
  it('metav1.Time drops nanos on read; the zero instant prints null', () => {
    const t = msg((w) => {
      varint(w, 1, 1714558830);
      varint(w, 2, 123456789);
    });
    assert.equal(decodeMessage(`${META}.Time`, t), '2024-05-01T10:20:30Z');
    assert.equal(decodeMessage(`${META}.Time`, Buffer.alloc(0)), null);
    assert.equal(decodeMessage(`${META}.Time`, msg((w) => varint(w, 1, -62135596800n))), null);
    assert.deepEqual(encodeMessage(`${META}.Time`, null), Buffer.alloc(0));
    assert.equal(decodeMessage(`${META}.Time`, encodeMessage(`${META}.Time`, '2024-05-01T12:20:30+02:00')), '2024-05-01T10:20:30Z');
  });

  it('metav1.MicroTime keeps microseconds', () => {
    const t = msg((w) => {
      varint(w, 1, 1714558830);
      varint(w, 2, 123456789);
    });
    assert.equal(decodeMessage(`${META}.MicroTime`, t), '2024-05-01T10:20:30.123456Z');
    assert.equal(decodeMessage(`${META}.MicroTime`, encodeMessage(`${META}.MicroTime`, '2024-05-01T10:20:30.000001Z')), '2024-05-01T10:20:30.000001Z');
  });

  it('metav1.Duration prints and parses Go duration strings', () => {
    const cases: [bigint, string][] = [
      [0n, '0s'],
      [1500n, '1.5µs'],
      [1_500_000n, '1.5ms'],
      [1_500_000_000n, '1.5s'],
      [90_000_000_000n, '1m30s'],
      [3_600_000_000_000n, '1h0m0s'],
      [-123_000_000_000n, '-2m3s'],
    ];
    for (const [ns, text] of cases) {
      const wire = msg((w) => varint(w, 1, ns));
      assert.equal(decodeMessage(`${META}.Duration`, wire), text);
      assert.deepEqual(encodeMessage(`${META}.Duration`, text), wire);
    }
    assert.deepEqual(encodeMessage(`${META}.Duration`, '1h30m'), msg((w) => varint(w, 1, 5_400_000_000_000n)));
  });

  it('IntOrString is a number or a string', () => {
    const I = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
    assert.equal(decodeMessage(I, encodeMessage(I, 8080)), 8080);
    assert.equal(decodeMessage(I, encodeMessage(I, 'http')), 'http');
    assert.equal(decodeMessage(I, msg((w) => { varint(w, 1, 1); w.bytes(3, Buffer.from('25%')); })), '25%');
  });

  it('Quantity is its string; FieldsV1 and RawExtension are embedded JSON', () => {
    assert.equal(decodeMessage('k8s.io.apimachinery.pkg.api.resource.Quantity', msg((w) => w.bytes(1, Buffer.from('500m')))), '500m');
    const f = { 'f:spec': { 'f:replicas': {} } };
    assert.deepEqual(decodeMessage(`${META}.FieldsV1`, encodeMessage(`${META}.FieldsV1`, f)), f);
    assert.equal(decodeMessage('k8s.io.apimachinery.pkg.runtime.RawExtension', Buffer.alloc(0)), null);
  });

  it('WatchEvent objects in Kubernetes protobuf are decoded too', () => {
    const inner = envelope('v1', 'Namespace', msg((w) => w.bytes(1, msg((m) => m.bytes(1, Buffer.from('prod'))))));
    const ev = msg((w) => {
      w.bytes(1, Buffer.from('ADDED'));
      w.bytes(2, msg((r) => r.bytes(1, inner)));
    });
    const got = decodeK8sProtobuf(envelope('v1', 'WatchEvent', ev)).object as { type: string; object: Record<string, unknown> };
    assert.equal(got.type, 'ADDED');
    assert.deepEqual(got.object.metadata, { name: 'prod', creationTimestamp: null });
  });
});

describe('protobuf watch frames', () => {
  it('length-prefixed raw WatchEvents with enveloped objects, split across reads', async () => {
    const { encodeProtobufWatchEvent, readProtobufWatchEvents } = await import('../../../src/apiserver/protobuf/index.js');
    const ns = { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'prod', creationTimestamp: null }, spec: {}, status: {} };
    const gone = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 };
    const stream = Buffer.concat([encodeProtobufWatchEvent('ADDED', ns), encodeProtobufWatchEvent('ERROR', gone)]);
    assert.equal(stream.readUInt32BE(0), encodeProtobufWatchEvent('ADDED', ns).length - 4);
    const first = readProtobufWatchEvents(stream.subarray(0, stream.length - 3));
    assert.deepEqual(first.events, [{ type: 'ADDED', object: ns }]);
    const second = readProtobufWatchEvents(Buffer.concat([first.rest, stream.subarray(stream.length - 3)]));
    assert.deepEqual(second.events, [{ type: 'ERROR', object: gone }]);
    assert.equal(second.rest.length, 0);
  });
});
