// UDP and TCP listeners in front of a handler chain. The server owns everything about the wire:
// parsing and rejecting, EDNS0 sizes, truncation, TCP framing and connection limits. A handler
// that throws answers SERVFAIL; nothing a client sends can stop the server.
import { createSocket, type Socket as UDPSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TCPServer, type Socket } from 'node:net';
import { reply, type Next, type Response } from './message.js';
import { encodeResponse, parseQuery, sizeLimit, type Edns } from './wire.js';
import type { Request } from './message.js';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
}

export interface DNSServerOptions {
  listen: ListenAddress[];
  handler: Next;
  /** Open TCP connections at once; more are closed on accept. */
  maxTCPConnections?: number;
  /** A TCP connection without a complete query for this long is closed (CoreDNS: 10 s idle). */
  tcpIdleMs?: number;
  /**
   * Replays encoded replies marked cacheable while `version(scope)` (the index's change counter
   * for what the reply depends on) stays the same — the role CoreDNS's cache plugin plays in
   * front of the kubernetes plugin, without its staleness: a change invalidates what it touches.
   */
  answerCache?: { version(scope?: string): number; maxEntries?: number };
  /** Where to listen instead when a listen port cannot be had (0: any free port); see `addresses`. */
  fallbackPort?: number;
}

export interface ServerStats {
  queries: number;
  cacheHits: number;
  dropped: number;
  formerr: number;
  truncated: number;
  servfail: number;
}

interface Replay {
  scope: string | undefined;
  version: number;
  bytes: Buffer;
}

interface Listener {
  udp: UDPSocket;
  tcp: TCPServer;
  address: ListenAddress;
}

const MAX_PORT_TRIES = 20;
const MAX_TCP_BACKLOG = 1 << 20;
const UDP_RECV_BUFFER = 4 << 20;

export class DNSServer {
  private readonly listeners: Listener[] = [];
  private readonly conns = new Set<Socket>();
  /** Per transport (their size limits differ), by the query's bytes after the ID. */
  private readonly replies = { udp: new Map<string, Replay>(), tcp: new Map<string, Replay>() };
  private readonly maxConns: number;
  private readonly idleMs: number;
  readonly stats: ServerStats = { queries: 0, cacheHits: 0, dropped: 0, formerr: 0, truncated: 0, servfail: 0 };

  constructor(private readonly opts: DNSServerOptions) {
    this.maxConns = opts.maxTCPConnections ?? 1000;
    this.idleMs = opts.tcpIdleMs ?? 10_000;
  }

  get addresses(): ListenAddress[] {
    return this.listeners.map((l) => ({ ...l.address }));
  }

  async start(): Promise<void> {
    try {
      for (const addr of this.opts.listen) {
        try {
          this.listeners.push(await this.listenOn(addr));
        } catch (e) {
          // Port 53 needs root or CAP_NET_BIND_SERVICE (EACCES), or another server has it (EADDRINUSE).
          const code = (e as NodeJS.ErrnoException).code;
          const fb = this.opts.fallbackPort;
          if (fb === undefined || fb === addr.port || (code !== 'EACCES' && code !== 'EPERM' && code !== 'EADDRINUSE')) throw e;
          this.listeners.push(await this.listenOn({ host: addr.host, port: fb }));
        }
      }
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    const ls = this.listeners.splice(0);
    await Promise.all(ls.map((l) => Promise.all([new Promise<void>((r) => l.udp.close(() => r())), new Promise<void>((r) => l.tcp.close(() => r()))])));
  }

  /** UDP and TCP on one port; with port 0, UDP picks and TCP follows (retrying if that port is taken for TCP). */
  private async listenOn(addr: ListenAddress): Promise<Listener> {
    let lastErr: unknown;
    for (let i = 0; i < (addr.port === 0 ? MAX_PORT_TRIES : 1); i++) {
      const udp = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((res, rej) => {
          udp.once('error', rej);
          udp.bind(addr.port, addr.host, () => {
            udp.off('error', rej);
            res();
          });
        });
      } catch (e) {
        udp.close();
        throw e;
      }
      const port = udp.address().port;
      const tcp = createServer({ pauseOnConnect: false }, (sock) => this.onConnection(sock));
      try {
        await new Promise<void>((res, rej) => {
          tcp.once('error', rej);
          tcp.listen({ host: addr.host, port }, () => {
            tcp.off('error', rej);
            res();
          });
        });
      } catch (e) {
        lastErr = e;
        udp.close();
        continue;
      }
      udp.on('message', (msg, rinfo) => {
        // Replays are answered right here, without a promise: most queries in a steady cluster are repeats.
        const out = this.replay(msg, 'udp');
        if (out) udp.send(out, rinfo.port, rinfo.address);
        else void this.onDatagram(udp, msg, rinfo.address, rinfo.port);
      });
      // Bursts (a pod starting many resolvers, a benchmark) overflow the default buffer; ask for
      // more, which the kernel caps at net.core.rmem_max.
      try {
        udp.setRecvBufferSize(UDP_RECV_BUFFER);
      } catch {
        // Not fatal: the default buffer still works.
      }
      // A send error to one client (e.g. ICMP unreachable) must not take the listener down.
      udp.on('error', () => undefined);
      tcp.on('error', () => undefined);
      return { udp, tcp, address: { host: addr.host, port } };
    }
    throw lastErr;
  }

  private async onDatagram(udp: UDPSocket, msg: Buffer, address: string, port: number): Promise<void> {
    const out = await this.answer(msg, 'udp', { address, port }).catch(() => undefined);
    if (out) udp.send(out, port, address);
  }

  /** The stored reply to the same bytes (but the ID), if the index has not changed since. */
  private replay(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const ac = this.opts.answerCache;
    if (!ac || msg.length < 12 || msg.length > 512) return undefined;
    const hit = this.replies[transport].get(msg.toString('latin1', 2));
    if (!hit || hit.version !== ac.version(hit.scope)) return undefined;
    this.stats.queries++;
    this.stats.cacheHits++;
    const out = Buffer.allocUnsafe(hit.bytes.length);
    hit.bytes.copy(out);
    out.writeUInt16BE(msg.readUInt16BE(0), 0);
    return out;
  }

  private onConnection(sock: Socket): void {
    if (this.conns.size >= this.maxConns) {
      sock.destroy();
      return;
    }
    this.conns.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(this.idleMs, () => sock.destroy());
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    const remote = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 };
    let buf = Buffer.alloc(0);
    // Queries on one connection are answered in order; pipelined ones wait their turn.
    let queue = Promise.resolve();
    sock.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (len === 0) {
          sock.destroy();
          return;
        }
        if (buf.length < 2 + len) break;
        // A client that pipelines without reading its answers gets cut off, not buffered forever.
        if (sock.writableLength > MAX_TCP_BACKLOG) {
          sock.destroy();
          return;
        }
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        queue = queue.then(async () => {
          const out = await this.answer(msg, 'tcp', remote).catch(() => undefined);
          if (!out || sock.destroyed) return;
          const framed = Buffer.alloc(2 + out.length);
          framed.writeUInt16BE(out.length, 0);
          out.copy(framed, 2);
          sock.write(framed);
        });
      }
    });
  }

  /** The reply bytes, or undefined to stay silent. */
  private async answer(msg: Buffer, transport: 'udp' | 'tcp', remote: { address: string; port: number }): Promise<Buffer | undefined> {
    const replayed = this.replay(msg, transport);
    if (replayed) return replayed;
    this.stats.queries++;
    const ac = this.opts.answerCache;
    // Everything but the ID: flags, counts, question and OPT (so EDNS size and DO are part of it).
    const key = ac && msg.length >= 12 && msg.length <= 512 ? msg.toString('latin1', 2) : undefined;
    const parsed = parseQuery(msg, transport, remote);
    if (parsed.kind === 'drop') {
      this.stats.dropped++;
      return undefined;
    }
    if (parsed.kind === 'reply') {
      if (parsed.rcode === 'FORMERR') this.stats.formerr++;
      return parsed.bytes;
    }
    const { req, edns } = parsed;
    // Taken before serving: a change during the (possibly async) lookup must not be papered over.
    const before = ac?.version();
    const resp = await this.serve(req);
    if (resp.rcode === 'SERVFAIL') this.stats.servfail++;
    const bytes = this.encode(req, resp, edns);
    if (key !== undefined && resp.cacheable && before === ac!.version()) {
      const replies = this.replies[transport];
      if (replies.size >= (ac!.maxEntries ?? 10_000)) replies.clear();
      replies.set(key, { scope: resp.cacheScope, version: ac!.version(resp.cacheScope), bytes });
    }
    return bytes;
  }

  private async serve(req: Request): Promise<Response> {
    try {
      return await this.opts.handler(req);
    } catch {
      return reply('SERVFAIL');
    }
  }

  private encode(req: Request, resp: Response, edns: Edns | undefined): Buffer {
    try {
      const { bytes, truncated } = encodeResponse(req, resp, edns, sizeLimit(req.transport, edns));
      if (truncated) this.stats.truncated++;
      return bytes;
    } catch {
      // A record the encoder rejects (e.g. a malformed upstream name) is our failure, not the client's.
      this.stats.servfail++;
      return encodeResponse(req, reply('SERVFAIL'), edns, 512).bytes;
    }
  }
}
