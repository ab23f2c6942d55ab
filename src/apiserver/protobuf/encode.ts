// JSON → protobuf for the served kinds: builds the Go struct a JSON decode would, then writes it as
// Go's generated Marshal does — fields in number order, non-pointer fields always (zero values
// included), pointers/slices/maps only when set, map entries sorted by key.
import { errors } from '../../machinery/status.js';
import { parseGoDuration, parseRFC3339 } from './gotime.js';
import { messageDef } from './decode.js';
import type { FieldDef, FieldType, MessageDef } from './types.js';
import { Writer } from './wire.js';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toInt(v: unknown, f: FieldDef): bigint | number {
  if (v === undefined || v === null || v === false) return 0;
  if (v === true) return 1;
  if (typeof v === 'number' && Number.isFinite(v)) return Number.isSafeInteger(v) ? v : BigInt(Math.trunc(v));
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw errors.badRequest(`cannot encode ${JSON.stringify(v)} as ${f.type} field ${f.json || f.go}`);
}

function writeScalar(w: Writer, f: FieldDef, type: FieldType, v: unknown): void {
  switch (type) {
    case 'string':
      w.string(f.num, v === undefined || v === null ? '' : String(v));
      return;
    case 'bytes':
      w.bytes(f.num, typeof v === 'string' ? Buffer.from(v, 'base64') : Buffer.alloc(0));
      return;
    case 'bool':
      w.tag(f.num, 0);
      w.varint(v ? 1 : 0);
      return;
    case 'int32':
    case 'int64':
    case 'uint32':
    case 'uint64':
      w.tag(f.num, 0);
      // Negative int32s are sign-extended to ten bytes, as Go writes them.
      w.varint(toInt(v, f));
      return;
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(typeof v === 'number' ? v : 0);
      w.fixed64(f.num, b);
      return;
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(typeof v === 'number' ? v : 0);
      w.fixed32(f.num, b);
      return;
    }
    default:
      throw new Error(`not a scalar: ${type}`);
  }
}

function writeTimestamp(w: Writer, seconds: bigint, nanos: number): void {
  w.tag(1, 0);
  w.varint(seconds);
  w.tag(2, 0);
  w.varint(nanos);
}

function encodeSpecial(def: MessageDef, v: unknown): Buffer {
  const w = new Writer();
  switch (def.special) {
    case 'time':
    case 'microtime': {
      // The zero time (null in JSON) is an empty message.
      if (v === null || v === undefined || v === '') break;
      const t = typeof v === 'string' ? parseRFC3339(v) : undefined;
      if (!t) throw errors.badRequest(`cannot parse time ${JSON.stringify(v)} as RFC 3339`);
      const nanos = def.special === 'time' ? 0 : Math.floor(t.nanos / 1000) * 1000;
      writeTimestamp(w, t.seconds, nanos);
      break;
    }
    case 'duration': {
      const ns = typeof v === 'string' ? parseGoDuration(v) : v === undefined || v === null ? 0n : undefined;
      if (ns === undefined) throw errors.badRequest(`cannot parse duration ${JSON.stringify(v)}`);
      w.tag(1, 0);
      w.varint(ns);
      break;
    }
    case 'intstr': {
      const isStr = typeof v === 'string';
      w.tag(1, 0);
      w.varint(isStr ? 1 : 0);
      w.tag(2, 0);
      w.varint(isStr ? 0 : typeof v === 'number' ? Math.trunc(v) : 0);
      w.string(3, isStr ? v : '');
      break;
    }
    case 'quantity':
      w.string(1, v === undefined || v === null ? '0' : String(v));
      break;
    case 'rawjson':
      if (v !== undefined && v !== null) w.bytes(1, Buffer.from(JSON.stringify(v), 'utf8'));
      break;
    default:
      throw new Error(`unknown special kind ${String(def.special)}`);
  }
  return w.finish();
}

function writeField(w: Writer, f: FieldDef, obj: JsonObject): void {
  if (f.hidden) return;
  if (f.inline) {
    w.bytes(f.num, encodeMessage(f.msg!, obj));
    return;
  }
  const v = obj[f.json];
  if (f.map) {
    if (!isObject(v)) return;
    for (const key of Object.keys(v).sort()) {
      const entry = new Writer();
      entry.string(1, key);
      const val = v[key];
      if (f.type === 'message') entry.bytes(2, encodeMessage(f.msg!, val));
      else writeScalar(entry, { ...f, num: 2 }, f.type, val);
      w.bytes(f.num, entry.finish());
    }
    return;
  }
  if (f.rep) {
    if (!Array.isArray(v)) return;
    for (const el of v) {
      if (f.type === 'message') w.bytes(f.num, encodeMessage(f.msg!, el));
      else writeScalar(w, f, f.type, el);
    }
    return;
  }
  // Pointers and []byte (a slice) are written only when set; other fields always, zero or not.
  if ((f.ptr || f.type === 'bytes') && (v === undefined || v === null)) return;
  if (f.type === 'message') w.bytes(f.num, encodeMessage(f.msg!, v));
  else writeScalar(w, f, f.type, v);
}

const byNumber = new WeakMap<MessageDef, FieldDef[]>();
function sortedFields(def: MessageDef): FieldDef[] {
  let out = byNumber.get(def);
  if (!out) {
    out = [...def.fields].sort((a, b) => a.num - b.num);
    byNumber.set(def, out);
  }
  return out;
}

/** Encodes a JSON value as the message `name` (a protobuf full name from the table). */
export function encodeMessage(name: string, v: unknown): Buffer {
  const def = messageDef(name);
  if (def.special) return encodeSpecial(def, v);
  const w = new Writer();
  if (def.wrap) {
    if (Array.isArray(v)) writeField(w, def.fields[0]!, { items: v });
    return w.finish();
  }
  const obj = isObject(v) ? v : {};
  for (const f of sortedFields(def)) writeField(w, f, obj);
  return w.finish();
}
