// One query to one upstream resolver, over UDP or TCP, with a deadline. Each UDP query uses a
// fresh socket (a new random source port) and only accepts a reply from the server it asked
// with the ID it sent, so off-path spoofed answers are ignored rather than trusted.
import { createSocket } from 'node:dgram';
import { connect, isIPv6 } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** "1.1.1.1", "1.1.1.1:53", "[::1]:5353" or "::1" to host and port (53 by default). */
export function parseUpstream(s: string): Upstream {
  const bracket = s.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracket) return { host: bracket[1]!, port: bracket[2] ? Number(bracket[2]) : 53 };
  if (isIPv6(s)) return { host: s, port: 53 };
  const i = s.lastIndexOf(':');
  if (i > 0) return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
  return { host: s, port: 53 };
}

const MAX_TCP_MESSAGE = 65535;

export function exchangeUDP(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIPv6(up.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, msg?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => finish(new Error(`upstream ${up.host}:${up.port} timed out`)), timeoutMs);
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== up.host || rinfo.port !== up.port) return;
      if (msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      finish(undefined, msg);
    });
    sock.send(query, up.port, up.host, (err) => {
      if (err) finish(err);
    });
  });
}

export function exchangeTCP(up: Upstream, query: Buffer, id: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (err: Error | undefined, msg?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => finish(new Error(`upstream ${up.host}:${up.port} (tcp) timed out`)), timeoutMs);
    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new Error(`upstream ${up.host}:${up.port} closed the connection`)));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length > MAX_TCP_MESSAGE + 2) return finish(new Error('upstream reply too long'));
      // Replies to other IDs cannot come on our own connection, but skip them rather than trust them.
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        if (msg.length >= 12 && msg.readUInt16BE(0) === id) return finish(undefined, Buffer.from(msg));
      }
    });
  });
}
