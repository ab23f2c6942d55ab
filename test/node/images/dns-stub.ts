import { createSocket } from 'node:dgram';

// A tiny authoritative DNS server for tests: A records from a map, NXDOMAIN otherwise.

export interface DNSStub {
  port: number;
  queries: string[];
  close(): void;
}

function readName(buf: Buffer, off: number): [string, number] {
  const labels: string[] = [];
  while (buf[off]! > 0) {
    const len = buf[off]!;
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('ascii'));
    off += len + 1;
  }
  return [labels.join('.'), off + 1];
}

export function startDNSStub(host: string, records: Record<string, string>): Promise<DNSStub> {
  const sock = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push(name);
    const question = msg.subarray(12, end + 4);
    const ip = records[name.toLowerCase()];
    const answer = ip !== undefined && qtype === 1;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2); // id
    header.writeUInt16BE(0x8180 | (ip === undefined ? 3 : 0), 2); // response, RD, RA, rcode
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const parts = [header, question];
    if (answer) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(30, 6);
      rr.writeUInt16BE(4, 10);
      ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  return new Promise((resolve) =>
    sock.bind(0, host, () => resolve({ port: sock.address().port, queries, close: () => sock.close() })),
  );
}
