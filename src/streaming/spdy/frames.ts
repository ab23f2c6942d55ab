// SPDY/3.1 framing, the part kubectl's port-forward uses (moby/spdystream): frames are parsed
// from a byte stream that may split or join them arbitrarily, and written whole.
import { adler32, spdyDictionary } from './dictionary.js';

export const enum FrameType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes. */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; payload: Buffer };

const MAX_FRAME = (1 << 24) - 1;

/** Accumulates bytes and hands out complete frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      if (this.buf.length < 8) break;
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const first = this.buf.readUInt32BE(0);
      const flags = this.buf[4]!;
      const body = this.buf.subarray(8, 8 + length);
      if (first & 0x80000000) out.push({ kind: 'control', type: first & 0xffff, flags, payload: body });
      else out.push({ kind: 'data', streamId: first & 0x7fffffff, flags, data: body });
      this.buf = this.buf.subarray(8 + length);
    }
    return out;
  }
}

function control(type: FrameType, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | 3, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h[4] = flags;
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer[] {
  const frames: Buffer[] = [];
  let off = 0;
  do {
    const part = data.subarray(off, off + MAX_FRAME);
    off += part.length;
    const h = Buffer.alloc(8);
    h.writeUInt32BE(streamId & 0x7fffffff, 0);
    h.writeUInt32BE(part.length, 4);
    h[4] = fin && off >= data.length ? FLAG_FIN : 0;
    frames.push(Buffer.concat([h, part]));
  } while (off < data.length);
  return frames;
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return control(FrameType.RstStream, 0, p);
}

export function pingFrame(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return control(FrameType.Ping, 0, p);
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return control(FrameType.GoAway, 0, p);
}

/**
 * Writes header blocks as one zlib stream, as SPDY requires (the peer keeps one decompressor per
 * connection). Each block is a stored (uncompressed) deflate block: the peer's inflater accepts
 * any valid deflate, and our replies carry no headers worth compressing, so this needs no zlib
 * state and stays synchronous.
 */
export class HeaderBlockWriter {
  private started = false;

  encode(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [];
    const entries = Object.entries(headers);
    const n = Buffer.alloc(4);
    n.writeUInt32BE(entries.length);
    parts.push(n);
    for (const [k, v] of entries) {
      for (const s of [k.toLowerCase(), v]) {
        const b = Buffer.from(s, 'utf8');
        const l = Buffer.alloc(4);
        l.writeUInt32BE(b.length);
        parts.push(l, b);
      }
    }
    const raw = Buffer.concat(parts);
    const out: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window), FLG 0x20 (preset dictionary; 0x7820 % 31 === 0), DICTID.
      const z = Buffer.alloc(6);
      z[0] = 0x78;
      z[1] = 0x20;
      z.writeUInt32BE(adler32(spdyDictionary), 2);
      out.push(z);
    }
    for (let off = 0; off < raw.length || off === 0; ) {
      const part = raw.subarray(off, off + 0xffff);
      off += part.length;
      const h = Buffer.alloc(5);
      h[0] = 0; // BFINAL=0, BTYPE=00 (stored), padded to the byte boundary
      h.writeUInt16LE(part.length, 1);
      h.writeUInt16LE(~part.length & 0xffff, 3);
      out.push(h, part);
      if (part.length === 0) break;
    }
    // An empty stored block, as a zlib sync flush ends with: Go's inflater hands out a stored
    // block's bytes only when the next block starts, and must not read past this frame for it.
    out.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(out);
  }
}

export function synReplyFrame(streamId: number, block: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return control(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([id, block]));
}

/** A decoded header value block: lower-case names, NUL-separated values split. */
export function parseHeaderBlock(b: Buffer): Map<string, string[]> {
  const h = new Map<string, string[]>();
  let off = 0;
  const u32 = () => {
    if (off + 4 > b.length) throw new Error('truncated SPDY header block');
    const v = b.readUInt32BE(off);
    off += 4;
    return v;
  };
  const str = () => {
    const len = u32();
    if (off + len > b.length) throw new Error('truncated SPDY header block');
    const s = b.toString('utf8', off, off + len);
    off += len;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = str().toLowerCase();
    const values = str().split('\0');
    h.set(name, [...(h.get(name) ?? []), ...values]);
  }
  return h;
}
