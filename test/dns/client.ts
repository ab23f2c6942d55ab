// A minimal DNS client for the socket tests: one query over UDP or TCP, with a deadline;
// undefined when no answer came (the server chose silence).
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';

export interface Target {
  host: string;
  port: number;
}

export function query(name: string, type: string, opts: { id?: number; edns?: number; rd?: boolean; dnssecOK?: boolean } = {}): Buffer {
  const pkt: Packet = {
    type: 'query',
    id: opts.id ?? 4242,
    flags: opts.rd === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as never, class: 'IN' }],
  };
  if (opts.edns !== undefined) {
    pkt.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: opts.dnssecOK ? dnsPacket.DNSSEC_OK : 0, flag_do: !!opts.dnssecOK, options: [] }];
  }
  return dnsPacket.encode(pkt);
}

export function udp(t: Target, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      sock.close();
      resolve(b);
    };
    sock.on('message', (m) => done(m));
    sock.on('error', () => done(undefined));
    sock.send(msg, t.port, t.host);
  });
}

export function tcp(t: Target, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: t.host, port: t.port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(b);
    };
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', () => done(undefined));
    sock.on('close', () => done(undefined));
  });
}

export function decode(b: Buffer | undefined): DecodedPacket & { rcode: string } {
  if (!b) throw new Error('no reply');
  return dnsPacket.decode(b) as DecodedPacket & { rcode: string };
}
