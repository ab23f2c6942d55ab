// Protobuf → JSON for the served kinds: reads a message into what Go's generated Unmarshal would
// build, then prints it the way encoding/json prints that Go struct — zero-valued non-pointer
// fields kept unless omitempty, nil pointers/slices/maps as null unless omitempty, structs never
// omitted, map keys sorted, and the hand-written JSON of Time, IntOrString, Quantity and friends.
import { errors } from '../../machinery/status.js';
import { MESSAGES } from './generated.js';
import { formatGoDuration, formatRFC3339, GO_ZERO_UNIX } from './gotime.js';
import type { FieldDef, FieldType, MessageDef } from './types.js';
import { readFields, Reader, type RawField } from './wire.js';

type Json = unknown;
type JsonObject = Record<string, unknown>;

/** The `k8s\0` prefix of every Kubernetes protobuf body. */
export const K8S_PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Hook for RawExtension payloads that are themselves Kubernetes protobuf (set by envelope.ts). */
let nestedEnvelope: ((buf: Buffer) => JsonObject) | undefined;
export function setNestedEnvelopeDecoder(fn: (buf: Buffer) => JsonObject): void {
  nestedEnvelope = fn;
}

export function messageDef(name: string): MessageDef {
  const def = MESSAGES[name];
  if (!def) throw new Error(`protobuf table has no message ${name}`);
  return def;
}

function wrongWire(f: FieldDef, got: number): Error {
  return errors.badRequest(`proto: wrong wireType = ${got} for field ${f.go}`);
}

function scalar(type: FieldType, raw: RawField, f: FieldDef): Json {
  if (type === 'string' || type === 'bytes') {
    if (raw.wire !== 2 || !raw.bytes) throw wrongWire(f, raw.wire);
    return type === 'string' ? raw.bytes.toString('utf8') : raw.bytes.toString('base64');
  }
  const want = type === 'double' ? 1 : type === 'float' ? 5 : 0;
  if (raw.wire !== want || raw.int === undefined) throw wrongWire(f, raw.wire);
  const v = raw.int;
  switch (type) {
    case 'bool':
      return v !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, v));
    case 'int64':
      return Number(BigInt.asIntN(64, v));
    case 'uint32':
      return Number(BigInt.asUintN(32, v));
    case 'uint64':
      return Number(v);
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b.readDoubleLE();
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(Number(v));
      return b.readFloatLE();
    }
    default:
      throw new Error(`not a scalar: ${type}`);
  }
}

function zeroScalar(type: FieldType): Json {
  if (type === 'string') return '';
  if (type === 'bool') return false;
  return 0;
}

function isEmpty(v: Json): boolean {
  return v === '' || v === false || v === 0 || v === null || v === undefined;
}

/** Element values of one field; packed scalars (wire 2 on a varint/fixed field) are unpacked. */
function elements(f: FieldDef, raws: RawField[]): Json[] {
  const out: Json[] = [];
  for (const raw of raws) {
    if (f.type === 'message') {
      if (raw.wire !== 2 || !raw.bytes) throw wrongWire(f, raw.wire);
      out.push(decodeMessage(f.msg!, raw.bytes));
    } else if (raw.wire === 2 && f.wire !== 2) {
      const r = new Reader(raw.bytes!);
      while (!r.done) {
        const int =
          f.wire === 0 ? r.varint() : f.wire === 1 ? r.take(8).readBigUInt64LE() : BigInt(r.take(4).readUInt32LE());
        out.push(scalar(f.type, { num: f.num, wire: f.wire, int }, f));
      }
    } else {
      out.push(scalar(f.type, raw, f));
    }
  }
  return out;
}

function mapEntries(f: FieldDef, raws: RawField[]): JsonObject {
  const entries: [string, Json][] = [];
  for (const raw of raws) {
    if (raw.wire !== 2 || !raw.bytes) throw wrongWire(f, raw.wire);
    const fields = readFields(raw.bytes);
    const key = fields.get(1)?.at(-1);
    const val = fields.get(2)?.at(-1);
    const k = key ? (scalar('string', key, f) as string) : '';
    let v: Json;
    if (f.type === 'message') {
      if (val && (val.wire !== 2 || !val.bytes)) throw wrongWire(f, val.wire);
      v = decodeMessage(f.msg!, val?.bytes ?? Buffer.alloc(0));
    } else {
      v = val ? scalar(f.type, val, f) : f.type === 'bytes' ? '' : zeroScalar(f.type);
    }
    entries.push([k, v]);
  }
  // encoding/json prints map keys sorted; a repeated key keeps its last value, as Go's map does.
  const m = new Map(entries);
  const out: JsonObject = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k);
  return out;
}

/** Decodes one message's fields into `target` (inline structs share their parent's object). */
function decodeInto(def: MessageDef, buf: Buffer, target: JsonObject): void {
  const fields = readFields(buf);
  for (const f of def.fields) {
    if (f.hidden) continue;
    const raws = fields.get(f.num);
    if (f.inline) {
      const last = raws?.at(-1);
      if (last && last.wire !== 2) throw wrongWire(f, last.wire);
      decodeInto(messageDef(f.msg!), last?.bytes ?? Buffer.alloc(0), target);
      continue;
    }
    let v: Json;
    if (f.map) {
      v = raws ? mapEntries(f, raws) : null;
      if (v === null && f.omitempty) continue;
      if (v !== null && f.omitempty && Object.keys(v as JsonObject).length === 0) continue;
    } else if (f.rep) {
      v = raws ? elements(f, raws) : null;
      if (f.omitempty && (v === null || (v as Json[]).length === 0)) continue;
    } else if (f.type === 'message') {
      const last = raws?.at(-1);
      if (last && (last.wire !== 2 || !last.bytes)) throw wrongWire(f, last.wire);
      if (!last && f.ptr) {
        if (f.omitempty) continue;
        v = null;
      } else {
        // A Go struct is never "empty" to omitempty, and a present pointer prints its value.
        v = decodeMessage(f.msg!, last?.bytes ?? Buffer.alloc(0));
      }
    } else if (f.type === 'bytes') {
      // []byte is a slice: nil when absent, [] (prints "") when present but empty.
      const last = raws?.at(-1);
      v = last ? scalar('bytes', last, f) : null;
      if (f.omitempty && (v === null || v === '')) continue;
    } else {
      const last = raws?.at(-1);
      if (last) v = scalar(f.type, last, f);
      else v = f.ptr ? null : zeroScalar(f.type);
      if (f.omitempty && (f.ptr ? v === null : isEmpty(v))) continue;
    }
    target[f.json] = v;
  }
}

function lastInt(fields: Map<number, RawField[]>, num: number): bigint {
  const raw = fields.get(num)?.at(-1);
  if (!raw) return 0n;
  if (raw.wire !== 0 || raw.int === undefined) throw errors.badRequest(`proto: wrong wireType = ${raw.wire}`);
  return raw.int;
}

function decodeSpecial(def: MessageDef, buf: Buffer): Json {
  const fields = readFields(buf);
  switch (def.special) {
    case 'time':
    case 'microtime': {
      // An empty message is the zero time (Time.Unmarshal); the zero instant prints as null.
      if (buf.length === 0) return null;
      const seconds = BigInt.asIntN(64, lastInt(fields, 1));
      // metav1.Time drops nanos on read; MicroTime truncates them to microseconds.
      const nanos = def.special === 'time' ? 0 : Number(BigInt.asIntN(32, lastInt(fields, 2)));
      if (seconds === GO_ZERO_UNIX && nanos < 1000) return null;
      return formatRFC3339(seconds, nanos, def.special === 'microtime');
    }
    case 'duration':
      return formatGoDuration(BigInt.asIntN(64, lastInt(fields, 1)));
    case 'intstr': {
      const type = lastInt(fields, 1);
      if (type === 1n) {
        const s = fields.get(3)?.at(-1);
        return s?.bytes ? s.bytes.toString('utf8') : '';
      }
      return Number(BigInt.asIntN(32, lastInt(fields, 2)));
    }
    case 'quantity': {
      // Go clients send the canonical form already; the zero Quantity prints "0".
      const s = fields.get(1)?.at(-1)?.bytes?.toString('utf8');
      return s ? s : '0';
    }
    case 'rawjson': {
      const raw = fields.get(1)?.at(-1)?.bytes;
      if (!raw || raw.length === 0) return null;
      if (raw.subarray(0, 4).equals(K8S_PROTOBUF_MAGIC) && nestedEnvelope) return nestedEnvelope(raw);
      try {
        return JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        throw errors.badRequest('embedded object is neither JSON nor Kubernetes protobuf');
      }
    }
    default:
      throw new Error(`unknown special kind ${String(def.special)}`);
  }
}

/** Decodes the message `name` (a protobuf full name from the table) into its JSON value. */
export function decodeMessage(name: string, buf: Buffer): Json {
  const def = messageDef(name);
  if (def.special) return decodeSpecial(def, buf);
  if (def.wrap) {
    const f = def.fields[0]!;
    const raws = readFields(buf).get(f.num);
    return raws ? elements(f, raws) : null;
  }
  const out: JsonObject = {};
  decodeInto(def, buf, out);
  return out;
}
