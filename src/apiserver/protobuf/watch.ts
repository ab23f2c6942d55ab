// Watch streams in protobuf, as kube-apiserver writes them: each event is a 4-byte big-endian
// length, then a metav1.WatchEvent written raw (no `k8s\0` envelope, the stream serializer is the
// raw one), whose object.raw holds the object's own full Kubernetes protobuf body.
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { decodeK8sProtobuf, encodeK8sProtobuf } from './envelope.js';
import { readFields, Writer } from './wire.js';

/** One framed watch event (type ADDED, MODIFIED, DELETED, BOOKMARK or ERROR with a Status). */
export function encodeProtobufWatchEvent(type: string, obj: KubeObject | Record<string, unknown>): Buffer {
  const raw = new Writer();
  raw.bytes(1, encodeK8sProtobuf(obj));
  const ev = new Writer();
  ev.bytes(1, Buffer.from(type, 'utf8'));
  ev.bytes(2, raw.finish());
  const body = ev.finish();
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

export interface ProtobufWatchEvent {
  type: string;
  object: Record<string, unknown>;
}

/** Splits complete frames off a watch stream buffer; `rest` is an incomplete trailing frame. */
export function readProtobufWatchEvents(buf: Buffer): { events: ProtobufWatchEvent[]; rest: Buffer } {
  const events: ProtobufWatchEvent[] = [];
  let pos = 0;
  while (buf.length - pos >= 4) {
    const len = buf.readUInt32BE(pos);
    if (buf.length - pos - 4 < len) break;
    const fields = readFields(buf.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
    const type = fields.get(1)?.at(-1)?.bytes?.toString('utf8') ?? '';
    const ext = readFields(fields.get(2)?.at(-1)?.bytes ?? Buffer.alloc(0));
    const raw = ext.get(1)?.at(-1)?.bytes;
    if (!raw) throw errors.badRequest('watch event without an object');
    events.push({ type, object: decodeK8sProtobuf(raw).object });
  }
  return { events, rest: buf.subarray(pos) };
}
