// The forward link: every name the kubernetes link passes on goes to the upstream resolvers
// (by default those of /etc/resolv.conf), through a cache. UDP first, TCP when the reply is
// truncated (or when the client itself came over TCP); if TCP fails the truncated reply is
// passed on with its TC bit, so the client retries over TCP itself. Only clients in `allow`
// get recursion: the server must not become an open resolver for whoever can reach it.
import { randomInt } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import { reply, RCODE_NUM, type Handler, type Next, type Rcode, type Request, type Response } from '../message.js';
import { ResponseCache, type CacheOptions } from './cache.js';
import { exchangeTCP, exchangeUDP, parseUpstream, type Upstream } from './upstream.js';

export interface ForwardOptions {
  /** "ip" or "ip:port" or "[ip6]:port"; empty: every forwarded query is answered SERVFAIL. */
  upstreams: string[];
  /** Per attempt (CoreDNS forward uses 2 s reads). */
  timeoutMs?: number;
  cache?: CacheOptions | false;
  /** Who may recurse through us; default loopback and private ranges (pods, nodes), never the world. */
  allow?: BlockList;
  /** Forwarded queries in flight at once; beyond it SERVFAIL, so a flood cannot exhaust sockets. */
  maxInflight?: number;
}

export function defaultAllowList(): BlockList {
  const b = new BlockList();
  b.addSubnet('127.0.0.0', 8, 'ipv4');
  b.addSubnet('10.0.0.0', 8, 'ipv4');
  b.addSubnet('172.16.0.0', 12, 'ipv4');
  b.addSubnet('192.168.0.0', 16, 'ipv4');
  b.addSubnet('100.64.0.0', 10, 'ipv4');
  b.addAddress('::1', 'ipv6');
  b.addSubnet('fc00::', 7, 'ipv6');
  b.addSubnet('fe80::', 10, 'ipv6');
  return b;
}

/** Records owned by the question carry its spelling, as the upstream would echo it (0x20 clients check). */
function sameCase(resp: Response, req: Request): Response {
  const fix = (rrs: Answer[]) => rrs.map((rr) => (rr.name !== req.qname && rr.name.toLowerCase() === req.lname ? { ...rr, name: req.qname } : rr));
  return { ...resp, answers: fix(resp.answers), authorities: fix(resp.authorities) };
}

const KNOWN_RCODES = new Set<string>(Object.keys(RCODE_NUM));

export class ForwardHandler implements Handler {
  readonly name = 'forward';
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  readonly cache: ResponseCache | undefined;
  private readonly allow: BlockList;
  private readonly maxInflight: number;
  private inflight = 0;

  constructor(opts: ForwardOptions) {
    this.upstreams = opts.upstreams.map(parseUpstream);
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cache = opts.cache === false ? undefined : new ResponseCache(opts.cache ?? {});
    this.allow = opts.allow ?? defaultAllowList();
    this.maxInflight = opts.maxInflight ?? 1024;
  }

  async serveDNS(req: Request, _next: Next): Promise<Response> {
    if (this.upstreams.length === 0) return reply('SERVFAIL');
    if (!this.allowed(req.remote.address)) return reply('REFUSED');
    const key = `${req.lname}|${req.qtype}|${req.qclass}|${req.dnssecOK ? 1 : 0}`;
    const hit = this.cache?.get(key);
    if (hit) return sameCase(hit, req);
    if (this.inflight >= this.maxInflight) return reply('SERVFAIL');
    this.inflight++;
    try {
      const resp = await this.resolve(req);
      if (resp && resp.rcode !== 'SERVFAIL') this.cache?.set(key, resp);
      return resp ?? reply('SERVFAIL');
    } finally {
      this.inflight--;
    }
  }

  private allowed(addr: string): boolean {
    const v4mapped = addr.startsWith('::ffff:') && isIPv4(addr.slice(7));
    if (v4mapped) return this.allow.check(addr.slice(7), 'ipv4');
    return isIPv6(addr) ? this.allow.check(addr, 'ipv6') : this.allow.check(addr, 'ipv4');
  }

  /** Tries each upstream in turn until one answers; undefined when none did. */
  private async resolve(req: Request): Promise<Response | undefined> {
    for (const up of this.upstreams) {
      const id = randomInt(0, 65536);
      const query = this.query(req, id);
      try {
        let raw = req.transport === 'tcp' ? await exchangeTCP(up, query, id, this.timeoutMs) : await exchangeUDP(up, query, id, this.timeoutMs);
        let resp = this.toResponse(req, raw);
        if (resp?.tc && req.transport === 'udp') {
          raw = await exchangeTCP(up, query, id, this.timeoutMs).catch(() => raw);
          resp = this.toResponse(req, raw) ?? resp;
        }
        if (resp) return resp;
      } catch {
        // Timed out or refused: try the next upstream.
      }
    }
    return undefined;
  }

  private query(req: Request, id: number): Buffer {
    const pkt: Packet = {
      type: 'query',
      id,
      flags: req.rd ? dnsPacket.RECURSION_DESIRED : 0,
      questions: [{ name: req.qname, type: req.qtype as never, class: req.qclass as never }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: req.dnssecOK ? dnsPacket.DNSSEC_OK : 0, flag_do: req.dnssecOK, options: [] }],
    };
    return dnsPacket.encode(pkt);
  }

  /** undefined for replies that do not answer our question (ignored like a lost packet). */
  private toResponse(req: Request, raw: Buffer): Response | undefined {
    let pkt: dnsPacket.DecodedPacket;
    try {
      pkt = dnsPacket.decode(raw);
    } catch {
      return undefined;
    }
    const q = pkt.questions?.[0];
    if (!pkt.flag_qr || !q || q.name.toLowerCase() !== req.lname || q.type !== req.qtype) return undefined;
    const rcodeName = (pkt as unknown as { rcode: string }).rcode;
    const rcode: Rcode = KNOWN_RCODES.has(rcodeName) ? (rcodeName as Rcode) : 'SERVFAIL';
    const strip = (rrs: Answer[] | undefined) => (rrs ?? []).filter((rr) => rr.type !== 'OPT');
    return {
      rcode,
      aa: pkt.flag_aa,
      ra: pkt.flag_ra,
      tc: pkt.flag_tc,
      answers: strip(pkt.answers),
      authorities: strip(pkt.authorities),
      additionals: strip(pkt.additionals),
    };
  }
}
