// UDP and TCP listeners in front of a handler chain. The server owns everything about the wire:
// parsing and rejecting, EDNS0 sizes, truncation, TCP framing and connection limits. A handler
// that throws answers SERVFAIL; nothing a client sends can stop the server.
import { createSocket } from 'node:dgram';
import { createServer, isIPv6, type Server as TCPServer, type Socket } from 'node:net';
import { reply, type Next, type Response } from './message.js';
import { encodeResponse, parseQuery, sizeLimit, type Edns } from './wire.js';
import type { Request } from './message.js';
import { literalLookup } from '../util/udp-reply-lookup.js';
import { formatIPv4 } from '../util/ipv4.js';
import { BatchUDPSocket, udpBatchAvailable } from './udp-batch.js';

export interface ListenAddress {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  /**
   * Worth having only on this port: when it cannot be had the server goes on without it (no
   * fallback port), and `addresses` does not list it.
   */
  optional?: boolean;
}

export interface DNSServerOptions {
  listen: ListenAddress[];
  handler: Next;
  /**
   * Open TCP connections at once (default 1000). At the cap a new connection closes the one idle
   * longest, so clients that hold connections cannot lock everyone else out; only when none is
   * idle is the new one closed.
   */
  maxTCPConnections?: number;
  /** The same per client address (default 100): one client's connections displace its own first. */
  maxTCPConnectionsPerClient?: number;
  /** A new TCP connection must deliver its first complete query within this (miekg/dns: 2 s). */
  tcpReadTimeoutMs?: number;
  /** After an answer, the next complete query must come within this or the connection closes (miekg/dns: 8 s). */
  tcpIdleMs?: number;
  /**
   * Replays encoded replies marked cacheable while `version(scope)` (the index's change counter
   * for what the reply depends on) stays the same — the role CoreDNS's cache plugin plays in
   * front of the kubernetes plugin, without its staleness: a change invalidates what it touches.
   */
  answerCache?: { version(scope?: string): number; maxEntries?: number };
  /** Where to listen instead when a listen port cannot be had (0: any free port); see `addresses`. */
  fallbackPort?: number;
  /**
   * IPv4 UDP through the udp-batch addon (recvmmsg/sendmmsg) where it is built (default true);
   * false keeps Node's dgram, which IPv6 listeners always use.
   */
  batchedUDP?: boolean;
}

export interface ServerStats {
  queries: number;
  cacheHits: number;
  dropped: number;
  formerr: number;
  truncated: number;
  servfail: number;
  /** TCP connections closed to make room for a new one (oldest idle first). */
  tcpEvicted: number;
  /** New TCP connections closed because every held one was busy. */
  tcpRefused: number;
  /** TCP connections closed for not sending a complete query in time. */
  tcpTimedOut: number;
}

interface Replay {
  scope: string | undefined;
  version: number;
  bytes: Buffer;
}

/** One TCP connection's state, for deadlines and for choosing whom to close at the caps. */
interface TCPConn {
  client: string;
  /** Queries read but not yet answered. */
  pending: number;
  /** Bytes of a query that has not fully arrived. */
  partial: boolean;
  /** When it last finished answering (or was accepted): the oldest idle one is closed first. */
  idleSince: number;
  deadline: NodeJS.Timeout | undefined;
}

interface Listener {
  udp: { close(): Promise<void> };
  tcp: TCPServer;
  address: ListenAddress;
}

const MAX_PORT_TRIES = 20;
const MAX_TCP_BACKLOG = 1 << 20;
const UDP_RECV_BUFFER = 4 << 20;

export class DNSServer {
  private readonly listeners: Listener[] = [];
  private readonly conns = new Map<Socket, TCPConn>();
  private readonly connsPerClient = new Map<string, number>();
  /** Per transport (their size limits differ), by the query's bytes after the ID. */
  private readonly replies = { udp: new Map<string, Replay>(), tcp: new Map<string, Replay>() };
  private readonly maxConns: number;
  private readonly maxConnsPerClient: number;
  private readonly readTimeoutMs: number;
  private readonly idleMs: number;
  readonly stats: ServerStats = { queries: 0, cacheHits: 0, dropped: 0, formerr: 0, truncated: 0, servfail: 0, tcpEvicted: 0, tcpRefused: 0, tcpTimedOut: 0 };

  constructor(private readonly opts: DNSServerOptions) {
    this.maxConns = opts.maxTCPConnections ?? 1000;
    this.maxConnsPerClient = opts.maxTCPConnectionsPerClient ?? 100;
    this.readTimeoutMs = opts.tcpReadTimeoutMs ?? 2_000;
    this.idleMs = opts.tcpIdleMs ?? 8_000;
  }

  /** Open TCP connections now. */
  get tcpConnections(): number {
    return this.conns.size;
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
          if (addr.optional && (code === 'EACCES' || code === 'EPERM' || code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL')) continue;
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
    for (const c of [...this.conns.keys()]) c.destroy();
    const ls = this.listeners.splice(0);
    await Promise.all(ls.map((l) => Promise.all([l.udp.close(), new Promise<void>((r) => l.tcp.close(() => r()))])));
  }

  /** UDP and TCP on one port; with port 0, UDP picks and TCP follows (retrying if that port is taken for TCP). */
  private async listenOn(addr: ListenAddress): Promise<Listener> {
    let lastErr: unknown;
    for (let i = 0; i < (addr.port === 0 ? MAX_PORT_TRIES : 1); i++) {
      const udp = await this.bindUDP(addr);
      const tcp = createServer({ pauseOnConnect: false }, (sock) => this.onConnection(sock));
      try {
        await new Promise<void>((res, rej) => {
          tcp.once('error', rej);
          tcp.listen({ host: addr.host, port: udp.port }, () => {
            tcp.off('error', rej);
            res();
          });
        });
      } catch (e) {
        lastErr = e;
        await udp.close();
        continue;
      }
      tcp.on('error', () => undefined);
      return { udp, tcp, address: { host: addr.host, port: udp.port, ...(addr.optional ? { optional: true } : {}) } };
    }
    throw lastErr;
  }

  /** The UDP side of a listener: batched where the addon allows, Node's dgram otherwise. Throws as bind does. */
  private async bindUDP(addr: ListenAddress): Promise<{ port: number; close(): Promise<void> }> {
    if (this.opts.batchedUDP !== false && !isIPv6(addr.host) && udpBatchAvailable()) {
      const sock: BatchUDPSocket = BatchUDPSocket.bind(addr.host, addr.port, UDP_RECV_BUFFER, (data, offset, length, out, room, ip, port) => {
        if (length < 0) {
          // Longer than a slot: no DNS query over UDP is; dropped, as a server with a 4 KiB buffer drops it.
          this.stats.dropped++;
          return 0;
        }
        // Replays are answered within the batch, into the shared reply memory.
        const stored = this.storedReply(data, offset, length, 'udp');
        if (stored && stored.length <= room) {
          stored.copy(out, offset);
          out[offset] = data[offset]!;
          out[offset + 1] = data[offset + 1]!;
          return stored.length;
        }
        // The rest are answered when their lookup is done: the query is copied out of the slot the next batch reuses.
        this.answerLater(Buffer.from(data.subarray(offset, offset + length)), { address: formatIPv4(ip), port }, (reply) => sock.send(reply, ip, port));
        return 0;
      });
      return { port: sock.port, close: async () => sock.close() };
    }
    const udp = createSocket({ type: isIPv6(addr.host) ? 'udp6' : 'udp4', lookup: literalLookup });
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
    udp.on('message', (msg, rinfo) => {
      // Replays are answered right here, without a promise: most queries in a steady cluster are repeats.
      const out = this.replay(msg, 'udp');
      if (out) udp.send(out, rinfo.port, rinfo.address);
      else this.answerLater(msg, { address: rinfo.address, port: rinfo.port }, (reply) => udp.send(reply, rinfo.port, rinfo.address));
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
    return { port: udp.address().port, close: () => new Promise<void>((r) => udp.close(() => r())) };
  }

  /** A UDP query that is not a replay: answered when its lookup is done, by `send`. */
  private answerLater(msg: Buffer, remote: { address: string; port: number }, send: (reply: Buffer) => void): void {
    void this.answer(msg, 'udp', remote)
      .catch(() => undefined)
      .then((reply) => reply && send(reply));
  }

  /**
   * What a query's stored reply is kept under: its bytes after the ID (flags, counts, question and
   * OPT, so EDNS size and DO are part of it); undefined without an answer cache or for a size no
   * stored reply is kept for.
   */
  private replayKey(msg: Buffer, offset: number, length: number): string | undefined {
    return this.opts.answerCache && length >= 12 && length <= 512 ? msg.toString('latin1', offset + 2, offset + length) : undefined;
  }

  /** The stored reply to the query at `msg[offset, offset + length)`, if the index has not changed since; counted as a query. */
  private storedReply(msg: Buffer, offset: number, length: number, transport: 'udp' | 'tcp'): Buffer | undefined {
    const ac = this.opts.answerCache;
    const key = this.replayKey(msg, offset, length);
    const hit = ac && key !== undefined ? this.replies[transport].get(key) : undefined;
    if (!hit || hit.version !== ac!.version(hit.scope)) return undefined;
    this.stats.queries++;
    this.stats.cacheHits++;
    return hit.bytes;
  }

  /** The stored reply to the same bytes (but the ID), if the index has not changed since: a copy with this query's ID. */
  private replay(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const stored = this.storedReply(msg, 0, msg.length, transport);
    if (!stored) return undefined;
    const out = Buffer.allocUnsafe(stored.length);
    stored.copy(out);
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    return out;
  }

  private onConnection(sock: Socket): void {
    const client = sock.remoteAddress ?? '';
    if (!this.makeRoom(client)) {
      this.stats.tcpRefused++;
      sock.destroy();
      return;
    }
    const conn: TCPConn = { client, pending: 0, partial: false, idleSince: Date.now(), deadline: undefined };
    this.conns.set(sock, conn);
    this.connsPerClient.set(client, (this.connsPerClient.get(client) ?? 0) + 1);
    // A deadline for the whole next query, not an inactivity timer: a client dribbling one byte at
    // a time must not keep a connection forever (socket.setTimeout would restart on every byte).
    const expectQueryWithin = (ms: number) => {
      clearTimeout(conn.deadline);
      conn.deadline = setTimeout(() => {
        this.stats.tcpTimedOut++;
        sock.destroy();
      }, ms);
    };
    expectQueryWithin(this.readTimeoutMs);
    sock.setNoDelay(true);
    sock.on('close', () => this.forget(sock, conn));
    sock.on('error', () => sock.destroy());
    const remote = { address: client, port: sock.remotePort ?? 0 };
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
        conn.pending++;
        clearTimeout(conn.deadline);
        queue = queue.then(async () => {
          const out = await this.answer(msg, 'tcp', remote).catch(() => undefined);
          conn.pending--;
          if (sock.destroyed) return;
          if (out) {
            const framed = Buffer.alloc(2 + out.length);
            framed.writeUInt16BE(out.length, 0);
            out.copy(framed, 2);
            sock.write(framed);
          }
          if (conn.pending === 0) {
            conn.idleSince = Date.now();
            expectQueryWithin(conn.partial ? this.readTimeoutMs : this.idleMs);
          }
        });
      }
      // The deadline is not moved by partial bytes: it is for the complete query.
      conn.partial = buf.length > 0;
    });
  }

  /**
   * Whether a new connection from `client` may be taken, closing an idle one to make room when a
   * cap is reached: the client's own oldest idle connection at its cap, the oldest idle of all at
   * the total cap. A busy connection (a query arriving or being answered) is never closed.
   */
  private makeRoom(client: string): boolean {
    if ((this.connsPerClient.get(client) ?? 0) >= this.maxConnsPerClient && !this.closeOldestIdle(client)) return false;
    if (this.conns.size >= this.maxConns && !this.closeOldestIdle(undefined)) return false;
    return true;
  }

  private closeOldestIdle(client: string | undefined): boolean {
    let oldest: [Socket, TCPConn] | undefined;
    for (const entry of this.conns) {
      const c = entry[1];
      if (c.pending > 0 || c.partial || (client !== undefined && c.client !== client)) continue;
      if (!oldest || c.idleSince < oldest[1].idleSince) oldest = entry;
    }
    if (!oldest) return false;
    const [sock, conn] = oldest;
    this.stats.tcpEvicted++;
    // Counted out now rather than at 'close' (which comes later), so the caps see the room at once.
    this.forget(sock, conn);
    sock.destroy();
    return true;
  }

  /** Drops a connection from the counts, once (eviction and then 'close' both call it). */
  private forget(sock: Socket, conn: TCPConn): void {
    clearTimeout(conn.deadline);
    if (this.conns.get(sock) !== conn) return;
    this.conns.delete(sock);
    const n = (this.connsPerClient.get(conn.client) ?? 1) - 1;
    if (n <= 0) this.connsPerClient.delete(conn.client);
    else this.connsPerClient.set(conn.client, n);
  }

  /** The reply bytes, or undefined to stay silent. */
  private async answer(msg: Buffer, transport: 'udp' | 'tcp', remote: { address: string; port: number }): Promise<Buffer | undefined> {
    const replayed = this.replay(msg, transport);
    if (replayed) return replayed;
    this.stats.queries++;
    const ac = this.opts.answerCache;
    const key = this.replayKey(msg, 0, msg.length);
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
