// The server side of a SPDY/3.1 connection as spdystream's client expects it: streams opened by
// the client (odd ids) are answered with SYN_REPLY, half-closed with FIN, aborted with RST_STREAM;
// pings from the client are echoed. spdystream does no flow control, so neither do we; instead a
// slow destination pauses the whole transport.
import { EventEmitter } from 'node:events';
import {
  FrameReader,
  FrameType,
  FLAG_FIN,
  HeaderBlockWriter,
  RstStatus,
  dataFrame,
  parseHeaderBlock,
  pingFrame,
  rstStreamFrame,
  synReplyFrame,
  type Frame,
} from './frames.js';
import { HeaderBlockReader } from './inflate.js';

export interface SpdyTransport {
  /** Sends one frame; `done` runs once it has been handed to the network. */
  send(frame: Buffer, done: () => void): void;
  close(): void;
  pause(): void;
  resume(): void;
}

const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

export interface SpdyStreamEvents {
  data: [Buffer];
  /** The client half-closed the stream (FIN). */
  end: [];
  /** The stream was reset by the client, or the connection went away. */
  reset: [];
}

export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  localFin = false;
  remoteFin = false;
  isReset = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Map<string, string[]>,
  ) {
    super();
  }

  header(name: string): string {
    return this.headers.get(name.toLowerCase())?.[0] ?? '';
  }

  /** Returns false once the session holds more unsent data than it should; wait for 'drain' then. */
  write(data: Buffer): boolean {
    if (this.localFin || this.isReset) return true;
    return this.session.sendData(this, data, false);
  }

  end(data?: Buffer): void {
    if (this.localFin || this.isReset) return;
    this.localFin = true;
    this.session.sendData(this, data ?? Buffer.alloc(0), true);
    this.session.maybeForget(this);
  }

  reset(status: number = RstStatus.Cancel): void {
    if (this.isReset) return;
    this.isReset = true;
    this.session.sendReset(this, status);
  }
}

export class SpdySession extends EventEmitter<{ drain: []; error: [Error] }> {
  private readonly reader = new FrameReader();
  private readonly inflater = new HeaderBlockReader();
  private readonly headerWriter = new HeaderBlockWriter();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private pauses = 0;
  private closed = false;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly onStream: (s: SpdyStream) => void,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Bytes from the transport. Frames are handled strictly in order (header inflation is async). */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      return this.fail(e as Error);
    }
    for (const f of frames) {
      this.chain = this.chain.then(() => (this.closed ? undefined : this.handle(f))).catch((e: Error) => this.fail(e));
    }
  }

  /** The transport is gone: every open stream is reset. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.inflater.close();
    for (const s of this.streams.values()) {
      s.isReset = true;
      s.emit('reset');
    }
    this.streams.clear();
  }

  pauseInput(): void {
    if (this.pauses++ === 0) this.transport.pause();
  }

  resumeInput(): void {
    if (this.pauses > 0 && --this.pauses === 0) this.transport.resume();
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.emit('error', e);
    this.transport.close();
    this.close();
  }

  private send(frame: Buffer): boolean {
    if (this.closed) return true;
    this.pending += frame.length;
    this.transport.send(frame, () => {
      const before = this.pending;
      this.pending -= frame.length;
      if (before >= LOW_WATER && this.pending < LOW_WATER) this.emit('drain');
    });
    return this.pending < HIGH_WATER;
  }

  sendData(s: SpdyStream, data: Buffer, fin: boolean): boolean {
    let ok = true;
    for (const f of dataFrame(s.id, data, fin)) ok = this.send(f);
    return ok;
  }

  sendReset(s: SpdyStream, status: number): void {
    this.send(rstStreamFrame(s.id, status));
    this.streams.delete(s.id);
  }

  maybeForget(s: SpdyStream): void {
    if (s.localFin && s.remoteFin) this.streams.delete(s.id);
  }

  private async handle(f: Frame): Promise<void> {
    if (f.kind === 'data') return this.handleData(f.streamId, f.flags, f.data);
    switch (f.type as FrameType) {
      case FrameType.SynStream:
        return this.handleSynStream(f.flags, f.payload);
      case FrameType.RstStream: {
        const s = this.streams.get(f.payload.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          this.streams.delete(s.id);
          s.isReset = true;
          s.emit('reset');
        }
        return;
      }
      case FrameType.Ping: {
        const id = f.payload.readUInt32BE(0);
        // Odd ids come from the client and are echoed; even ones would answer our own pings.
        if (id & 1) this.send(pingFrame(id));
        return;
      }
      case FrameType.Headers: {
        // Header blocks share the compression context even when we ignore their content.
        await this.inflater.read(f.payload.subarray(4));
        return;
      }
      default:
        // SETTINGS, WINDOW_UPDATE, GOAWAY (the client closes the connection after it).
        return;
    }
  }

  private async handleSynStream(flags: number, p: Buffer): Promise<void> {
    const id = p.readUInt32BE(0) & 0x7fffffff;
    const headers = parseHeaderBlock(await this.inflater.read(p.subarray(10)));
    if (id === 0 || id % 2 === 0 || id <= this.lastStreamId) {
      this.send(rstStreamFrame(id, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = id;
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    if (flags & FLAG_FIN) s.remoteFin = true;
    this.onStream(s);
    // The handler may refuse the stream (reset) as the kubelet's stream handler does.
    if (!s.isReset) this.send(synReplyFrame(id, this.headerWriter.encode({})));
  }

  private handleData(id: number, flags: number, data: Buffer): void {
    const s = this.streams.get(id);
    if (!s || s.remoteFin) return;
    if (data.length) s.emit('data', data);
    if (flags & FLAG_FIN) {
      s.remoteFin = true;
      s.emit('end');
      this.maybeForget(s);
    }
  }
}
