// The SPDY/3.1 pieces port-forward rests on, without kubectl: the header dictionary, header
// blocks in one zlib stream, frame reassembly, and a session answering a client's streams.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { adler32, spdyDictionary } from '../../src/streaming/spdy/dictionary.js';
import { FrameReader, HeaderBlockWriter, parseHeaderBlock, dataFrame } from '../../src/streaming/spdy/frames.js';
import { SpdySession, type SpdyStream } from '../../src/streaming/spdy/session.js';

/** A client-side header compressor: one deflate stream, a sync flush per block (as Go's framer). */
function clientCompressor() {
  const z = zlib.createDeflate({ dictionary: spdyDictionary });
  return (headers: Record<string, string>) =>
    new Promise<Buffer>((resolve) => {
      const parts: Buffer[] = [];
      const n = Buffer.alloc(4);
      n.writeUInt32BE(Object.keys(headers).length);
      parts.push(n);
      for (const [k, v] of Object.entries(headers)) {
        for (const s of [k, v]) {
          const l = Buffer.alloc(4);
          l.writeUInt32BE(Buffer.byteLength(s));
          parts.push(l, Buffer.from(s));
        }
      }
      z.write(Buffer.concat(parts));
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        const out: Buffer[] = [];
        for (let c = z.read() as Buffer | null; c; c = z.read() as Buffer | null) out.push(c);
        resolve(Buffer.concat(out));
      });
    });
}

function synStream(id: number, block: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(18);
  h.writeUInt16BE(0x8003, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(10 + block.length, 4);
  h[4] = fin ? 1 : 0;
  h.writeUInt32BE(id, 8);
  return Buffer.concat([h, block]);
}

describe('SPDY/3.1', () => {
  it('the dictionary is the one kubectl uses (its zlib dictionary id, seen on the wire)', () => {
    assert.equal(spdyDictionary.length, 1423);
    assert.equal(adler32(spdyDictionary), 0xe3c6a7c2);
  });

  it('header blocks form one zlib stream, each block ending at a flush point', () => {
    const w = new HeaderBlockWriter();
    const blocks = [w.encode({}), w.encode({ Status: '200' }), w.encode({})];
    for (const b of blocks) assert.deepEqual([...b.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
    const raw = zlib.inflateSync(Buffer.concat(blocks), { dictionary: spdyDictionary, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const first = raw.subarray(0, 4);
    assert.equal(first.readUInt32BE(0), 0);
    const second = parseHeaderBlock(raw.subarray(4, raw.length - 4));
    assert.deepEqual([...second.entries()], [['status', ['200']]]);
  });

  it('frames are reassembled however the bytes are split', () => {
    const bytes = Buffer.concat([...dataFrame(1, Buffer.from('hello')), ...dataFrame(3, Buffer.alloc(0), true)]);
    const r = new FrameReader();
    const frames = [];
    for (const b of bytes) frames.push(...r.push(Buffer.from([b])));
    assert.equal(frames.length, 2);
    assert.deepEqual(frames[0], { kind: 'data', streamId: 1, flags: 0, data: Buffer.from('hello') });
    assert.equal(frames[1]!.kind === 'data' && frames[1]!.flags, 1);
  });

  it('a session replies to streams, delivers data and FIN, and echoes pings', async () => {
    const sent: Buffer[] = [];
    const streams: SpdyStream[] = [];
    const got: string[] = [];
    const s = new SpdySession(
      { send: (f, done) => (sent.push(f), done()), close: () => undefined, pause: () => undefined, resume: () => undefined },
      (st) => {
        streams.push(st);
        st.on('data', (d) => got.push(`${st.id}:${d.toString()}`));
        st.on('end', () => got.push(`${st.id}:FIN`));
      },
    );
    const compress = clientCompressor();
    s.receive(synStream(1, await compress({ streamtype: 'error', port: '80', requestid: '0' }), false));
    s.receive(synStream(3, await compress({ streamtype: 'data', port: '80', requestid: '0' })));
    s.receive(Buffer.concat(dataFrame(3, Buffer.from('abc'), true)));
    const ping = Buffer.from([0x80, 0x03, 0x00, 0x06, 0, 0, 0, 4, 0, 0, 0, 7]);
    s.receive(ping);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(streams.map((x) => [x.id, x.header('streamtype'), x.header('port'), x.header('requestid')]), [
      [1, 'error', '80', '0'],
      [3, 'data', '80', '0'],
    ]);
    assert.deepEqual(got, ['3:abc', '3:FIN']);
    const replies = sent.filter((f) => f.readUInt16BE(2) === 2).map((f) => f.readUInt32BE(8));
    assert.deepEqual(replies, [1, 3]);
    assert.ok(sent.some((f) => f.equals(ping)));
    streams[1]!.end(Buffer.from('xyz'));
    const last = sent.at(-1)!;
    assert.equal(last.readUInt32BE(0), 3);
    assert.equal(last[4], 1);
    assert.equal(last.subarray(8).toString(), 'xyz');
    s.close();
  });
});
