// Protobuf wire format: varints, tags and length-delimited fields, as gogo-protobuf writes them.
import { errors } from '../../machinery/status.js';

/** One field occurrence as read off the wire, before the schema gives it meaning. */
export interface RawField {
  num: number;
  wire: number;
  /** varint, fixed64 and fixed32 values (fixed ones as unsigned bit patterns). */
  int?: bigint;
  /** length-delimited payload. */
  bytes?: Buffer;
}

// Upstream's generated Unmarshal reports these conditions with gogo's wording.
const eof = () => errors.badRequest('unexpected EOF');

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** A varint that fits in 28 bits (tags and lengths nearly always do) without BigInt. */
  private small(): number | undefined {
    const b = this.buf;
    let p = this.pos;
    let v = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (p >= b.length) throw eof();
      const x = b[p++]!;
      v |= (x & 0x7f) << shift;
      if ((x & 0x80) === 0) {
        this.pos = p;
        return v;
      }
    }
    return undefined;
  }

  varint(): bigint {
    const fast = this.small();
    if (fast !== undefined) return BigInt(fast);
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw eof();
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
      if (shift >= 70n) throw errors.badRequest('proto: integer overflow');
    }
    return BigInt.asUintN(64, result);
  }

  /** A varint used as a count or key: lengths beyond 2^53 cannot be in a Buffer anyway. */
  uint(): number {
    const fast = this.small();
    return fast !== undefined ? fast : Number(this.varint());
  }

  take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw eof();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  field(): RawField {
    const key = this.uint();
    const num = Math.floor(key / 8);
    const wire = key % 8;
    if (num <= 0) throw errors.badRequest(`proto: illegal tag ${num} (wire type ${wire})`);
    switch (wire) {
      case 0:
        return { num, wire, int: this.varint() };
      case 1:
        return { num, wire, int: this.take(8).readBigUInt64LE() };
      case 2:
        return { num, wire, bytes: this.take(this.uint()) };
      case 5:
        return { num, wire, int: BigInt(this.take(4).readUInt32LE()) };
      default:
        throw errors.badRequest(`proto: illegal wireType ${wire}`);
    }
  }
}

/** Reads every field of a message, grouped by number in wire order. */
export function readFields(buf: Buffer): Map<number, RawField[]> {
  const r = new Reader(buf);
  const out = new Map<number, RawField[]>();
  while (!r.done) {
    const f = r.field();
    const list = out.get(f.num);
    if (list) list.push(f);
    else out.set(f.num, [f]);
  }
  return out;
}

/** An append-only protobuf buffer; nested messages are written to their own Writer first. */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  varint(v: bigint | number): void {
    this.reserve(10);
    // Small non-negative values (tags, lengths, most ints) skip BigInt arithmetic.
    if (typeof v === 'number' && v >= 0 && v <= 0x7fffffff) {
      while (v >= 0x80) {
        this.buf[this.len++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.buf[this.len++] = v;
      return;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
  }

  tag(num: number, wire: number): void {
    this.varint(num * 8 + wire);
  }

  private raw(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  bytes(num: number, b: Uint8Array): void {
    this.tag(num, 2);
    this.varint(b.length);
    this.raw(b);
  }

  string(num: number, s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.tag(num, 2);
    this.varint(n);
    this.reserve(n);
    this.len += this.buf.write(s, this.len, 'utf8');
  }

  fixed64(num: number, b: Buffer): void {
    this.tag(num, 1);
    this.raw(b);
  }

  fixed32(num: number, b: Buffer): void {
    this.tag(num, 5);
    this.raw(b);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
