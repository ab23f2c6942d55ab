// The request and response a handler sees. The server owns the wire (header, EDNS0, size
// limits, truncation); handlers deal in questions and records only, like CoreDNS plugins
// writing a dns.Msg through a ResponseWriter.
import type { Answer, DecodedPacket } from 'dns-packet';

export type Rcode = 'NOERROR' | 'FORMERR' | 'SERVFAIL' | 'NXDOMAIN' | 'NOTIMP' | 'REFUSED';

export const RCODE_NUM: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };

export interface Request {
  /** Name as asked (case kept, no trailing dot); answers are owned by this name. */
  qname: string;
  /** Lower-cased qname, for lookups: DNS names are case-insensitive. */
  lname: string;
  /** Record type name as dns-packet spells it ("A", "SRV", "UNKNOWN_65280"). */
  qtype: string;
  qclass: string;
  /** Recursion desired, copied back; forwarding needs it. */
  rd: boolean;
  /** DNSSEC OK bit of the client's OPT record. */
  dnssecOK: boolean;
  transport: 'udp' | 'tcp';
  remote: { address: string; port: number };
  /** The raw query as decoded, for handlers that need more (e.g. forwarding options). */
  packet: DecodedPacket;
}

export interface Response {
  rcode: Rcode;
  /** Authoritative answer (the cluster zone). */
  aa?: boolean;
  /** Recursion available (forwarded answers). */
  ra?: boolean;
  /** Truncated upstream (passed on so the client retries over TCP). */
  tc?: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /**
   * The reply depends only on the question and the cluster index (not on the client, the time or
   * an upstream), so the server may replay its bytes until the index changes.
   */
  cacheable?: boolean;
  /**
   * What a cacheable reply depends on: "ns/service", or "ns/" for names that need only the
   * namespace; absent: anything in the cluster.
   */
  cacheScope?: string;
}

export function reply(rcode: Rcode, extra: Partial<Response> = {}): Response {
  return { rcode, answers: [], authorities: [], additionals: [], ...extra };
}

export type Next = (req: Request) => Promise<Response>;

/** A link of the handler chain (CoreDNS plugin.Handler): answer, or pass the request on to `next`. */
export interface Handler {
  readonly name: string;
  serveDNS(req: Request, next: Next): Promise<Response>;
}

/** Composes handlers in order; the end of the chain answers SERVFAIL, as CoreDNS's NextOrFailure does. */
export function chain(handlers: Handler[]): Next {
  const end: Next = async () => reply('SERVFAIL');
  return handlers.reduceRight<Next>((next, h) => (req) => h.serveDNS(req, next), end);
}

/** The same request asking another question (CNAME chasing, upstream look-ups). */
export function withQuestion(req: Request, qname: string, qtype: string): Request {
  return { ...req, qname, lname: qname.toLowerCase(), qtype };
}
