// From bytes to a Request and from a Response to bytes. Acceptance follows miekg/dns (the
// library under CoreDNS): shorter than a header or already a response: dropped without a word
// (answering those would make us a reflector); an opcode other than QUERY: NOTIMP; wrong section
// counts or undecodable: FORMERR. EDNS0 per RFC 6891: the client's UDP size bounds the reply,
// 512 without OPT; version > 0 gets BADVERS.
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer } from 'dns-packet';
import { RCODE_NUM, type Request, type Response } from './message.js';

/** What we advertise in our OPT: the size that avoids IP fragmentation (DNS flag day 2020). */
export const ADVERTISED_UDP_SIZE = 1232;
/** Clients may ask for more, up to this; larger datagrams would only fragment. */
export const MAX_UDP_SIZE = 4096;
export const MAX_TCP_SIZE = 65535;

// dns-packet exports per-record codecs, but its type definitions leave them out.
const rrLength = (dnsPacket as unknown as { answer: { encodingLength(a: Answer): number } }).answer.encodingLength;

const QR = 0x8000;
const OPCODE_MASK = 0x7800;
const RD = 0x0100;

export interface Edns {
  udpSize: number;
  version: number;
  dnssecOK: boolean;
}

export type Parsed =
  | { kind: 'drop' }
  | { kind: 'reply'; bytes: Buffer; rcode: string }
  | { kind: 'query'; req: Request; edns: Edns | undefined };

/** A header-only error reply carrying the query's ID, opcode and RD. */
function errorReply(buf: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(buf.readUInt16BE(0), 0);
  const flags = buf.readUInt16BE(2);
  out.writeUInt16BE(QR | (flags & OPCODE_MASK) | (flags & RD) | rcode, 2);
  return out;
}

export function parseQuery(buf: Buffer, transport: 'udp' | 'tcp', remote: { address: string; port: number }): Parsed {
  if (buf.length < 12) return { kind: 'drop' };
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { kind: 'drop' };
  if ((flags & OPCODE_MASK) !== 0) return { kind: 'reply', bytes: errorReply(buf, RCODE_NUM.NOTIMP), rcode: 'NOTIMP' };
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  const formerr = { kind: 'reply' as const, bytes: errorReply(buf, RCODE_NUM.FORMERR), rcode: 'FORMERR' };
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return formerr;
  let pkt: DecodedPacket;
  try {
    pkt = dnsPacket.decode(buf);
  } catch {
    return formerr;
  }
  const q = pkt.questions?.[0];
  if (!q || typeof q.name !== 'string' || !representable(q.name)) return formerr;
  const opts = (pkt.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  if (opts.length > 1) return formerr;
  let edns: Edns | undefined;
  if (opts[0]) {
    const o = opts[0];
    edns = { udpSize: o.udpPayloadSize, version: o.ednsVersion, dnssecOK: (o.flags & dnsPacket.DNSSEC_OK) !== 0 };
    if (o.ednsVersion > 0) {
      // BADVERS is 16: 1 in the OPT's extended rcode, 0 in the header.
      const reply = dnsPacket.encode({
        type: 'response',
        id: pkt.id ?? 0,
        flags: (pkt.flags ?? 0) & RD,
        questions: [q],
        additionals: [opt(0, 1)],
      });
      return { kind: 'reply', bytes: reply, rcode: 'BADVERS' };
    }
  }
  const req: Request = {
    qname: q.name.replace(/\.$/, ''),
    lname: q.name.replace(/\.$/, '').toLowerCase(),
    qtype: q.type,
    qclass: q.class ?? 'IN',
    rd: pkt.flag_rd,
    dnssecOK: edns?.dnssecOK ?? false,
    transport,
    remote,
    packet: pkt,
  };
  return { kind: 'query', req, edns };
}

/**
 * dns-packet decodes labels as UTF-8 text; bytes that are not UTF-8 come back as U+FFFD and
 * would be re-encoded as something else (even as over-long labels), so such names are refused.
 */
function representable(name: string): boolean {
  if (name.includes('\uFFFD') || Buffer.byteLength(name) > 253) return false;
  return name === '.' || name.split('.').every((l) => Buffer.byteLength(l) <= 63);
}

function opt(flags: number, extendedRcode = 0): OptAnswer {
  return { type: 'OPT', name: '.', udpPayloadSize: ADVERTISED_UDP_SIZE, extendedRcode, ednsVersion: 0, flags, flag_do: (flags & dnsPacket.DNSSEC_OK) !== 0, options: [] };
}

/** The most bytes a reply to this query may take. */
export function sizeLimit(transport: 'udp' | 'tcp', edns: Edns | undefined): number {
  if (transport === 'tcp') return MAX_TCP_SIZE;
  if (!edns) return 512;
  return Math.min(MAX_UDP_SIZE, Math.max(512, edns.udpSize));
}

/**
 * Encodes the reply, dropping records from the end until it fits `limit` (as miekg's Truncate
 * keeps as many records as fit). TC is set when answer or authority records had to go, not for
 * additional records alone (RFC 2181 §9).
 */
export function encodeResponse(req: Request, resp: Response, edns: Edns | undefined, limit: number): { bytes: Buffer; truncated: boolean } {
  const question = { name: req.qname, type: req.qtype as never, class: req.qclass as never };
  const optRR = edns ? [opt(edns.dnssecOK ? dnsPacket.DNSSEC_OK : 0)] : [];
  const extra = resp.additionals.filter((a) => a.type !== 'OPT');
  let tc = resp.tc === true;
  const base = {
    type: 'response' as const,
    id: req.packet.id ?? 0,
    questions: [question],
  };
  const flagsFor = (truncated: boolean) =>
    (resp.aa ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    (truncated ? dnsPacket.TRUNCATED_RESPONSE : 0) |
    (req.rd ? dnsPacket.RECURSION_DESIRED : 0) |
    (resp.ra ? dnsPacket.RECURSION_AVAILABLE : 0) |
    RCODE_NUM[resp.rcode];
  const full = { ...base, flags: flagsFor(tc), answers: resp.answers, authorities: resp.authorities, additionals: [...extra, ...optRR] };
  const fullLength = dnsPacket.encodingLength(full);
  // Given a buffer, dns-packet skips measuring the message a second time.
  if (fullLength <= limit) return { bytes: dnsPacket.encode(full, Buffer.alloc(fullLength)), truncated: tc };

  // dns-packet does not compress names, so lengths add up record by record.
  let used = dnsPacket.encodingLength({ ...base, answers: [], authorities: [], additionals: optRR });
  const fit = (rrs: Answer[]): Answer[] => {
    const kept: Answer[] = [];
    for (const rr of rrs) {
      const n = rrLength(rr);
      if (used + n > limit) break;
      used += n;
      kept.push(rr);
    }
    return kept;
  };
  const answers = fit(resp.answers);
  const authorities = answers.length === resp.answers.length ? fit(resp.authorities) : [];
  const additionals = authorities.length === resp.authorities.length && answers.length === resp.answers.length ? fit(extra) : [];
  if (answers.length < resp.answers.length || authorities.length < resp.authorities.length) tc = true;
  const bytes = dnsPacket.encode({ ...base, flags: flagsFor(tc), answers, authorities, additionals: [...additionals, ...optRR] });
  return { bytes, truncated: tc };
}
