// A tiny authoritative server standing in for the machine's resolvers (the test machine has no
// outside network): fixed answers per "name type", NXDOMAIN with an SOA otherwise, and a count
// of the queries it saw so tests can tell cache hits from forwards.
import { createSocket, type Socket as UDPSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';

export interface FakeUpstream {
  host: string;
  port: number;
  /** Queries seen, by "name type" (lower case). */
  seen: Map<string, number>;
  stop(): Promise<void>;
}

export interface FakeOptions {
  host: string;
  records: Record<string, Answer[]>;
  /** Serve TCP too (default true); without it, truncated UDP replies cannot be completed. */
  tcp?: boolean;
}

function answerFor(records: Record<string, Answer[]>, msg: Buffer, limit: number, seen: Map<string, number>): Buffer | undefined {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(msg);
  } catch {
    return undefined;
  }
  const question = q.questions?.[0];
  if (!question) return undefined;
  const key = `${question.name.toLowerCase()} ${question.type}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  const answers = records[key];
  const soa: Answer = { name: 'example.com', type: 'SOA', ttl: 60, data: { mname: 'ns.example.com', rname: 'hostmaster.example.com', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 10 } };
  const full = dnsPacket.encode({
    type: 'response',
    id: q.id ?? 0,
    flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED | (answers ? 0 : 3),
    questions: [question],
    answers: answers ?? [],
    authorities: answers ? [] : [soa],
  });
  if (full.length <= limit) return full;
  return dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.TRUNCATED_RESPONSE, questions: [question] });
}

export async function startFakeUpstream(opts: FakeOptions): Promise<FakeUpstream> {
  const seen = new Map<string, number>();
  const udp: UDPSocket = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, opts.host, () => r()));
  const port = udp.address().port;
  udp.on('message', (msg, rinfo) => {
    // Honour the asker's EDNS size like a real resolver would, so big answers come back truncated.
    let limit = 512;
    try {
      const opt = dnsPacket.decode(msg).additionals?.find((a) => a.type === 'OPT');
      if (opt && opt.type === 'OPT') limit = Math.max(512, opt.udpPayloadSize);
    } catch {
      return;
    }
    const out = answerFor(opts.records, msg, limit, seen);
    if (out) udp.send(out, rinfo.port, rinfo.address);
  });
  let tcp: Server | undefined;
  if (opts.tcp !== false) {
    tcp = createServer((sock) => {
      let buf = Buffer.alloc(0);
      sock.on('error', () => sock.destroy());
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const out = answerFor(opts.records, buf.subarray(2, 2 + buf.readUInt16BE(0)), 65535, seen);
          buf = buf.subarray(2 + buf.readUInt16BE(0));
          if (!out) continue;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        }
      });
    });
    await new Promise<void>((r) => tcp!.listen(port, opts.host, () => r()));
  }
  return {
    host: opts.host,
    port,
    seen,
    async stop() {
      await new Promise<void>((r) => udp.close(() => r()));
      if (tcp) await new Promise<void>((r) => tcp!.close(() => r()));
    },
  };
}
