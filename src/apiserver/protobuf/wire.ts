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

  varint(): bigint {
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

  take(n: number): Buffer {
    if (n < 0 || this.pos + n > this.buf.length) throw eof();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  field(): RawField {
    const key = this.varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (num <= 0) throw errors.badRequest(`proto: illegal tag ${num} (wire type ${wire})`);
    switch (wire) {
      case 0:
        return { num, wire, int: this.varint() };
      case 1:
        return { num, wire, int: this.take(8).readBigUInt64LE() };
      case 2: {
        const len = this.varint();
        if (len > BigInt(this.buf.length)) throw eof();
        return { num, wire, bytes: this.take(Number(len)) };
      }
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

export class Writer {
  private readonly chunks: Buffer[] = [];
  private scratch: number[] = [];

  private flush(): void {
    if (this.scratch.length) {
      this.chunks.push(Buffer.from(this.scratch));
      this.scratch = [];
    }
  }

  varint(v: bigint): void {
    let u = BigInt.asUintN(64, v);
    while (u >= 0x80n) {
      this.scratch.push(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.scratch.push(Number(u));
  }

  tag(num: number, wire: number): void {
    this.varint(BigInt(num) * 8n + BigInt(wire));
  }

  bytes(num: number, b: Uint8Array): void {
    this.tag(num, 2);
    this.varint(BigInt(b.length));
    this.flush();
    this.chunks.push(Buffer.from(b));
  }

  fixed64(num: number, b: Buffer): void {
    this.tag(num, 1);
    this.flush();
    this.chunks.push(b);
  }

  fixed32(num: number, b: Buffer): void {
    this.tag(num, 5);
    this.flush();
    this.chunks.push(b);
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.chunks);
  }
}
