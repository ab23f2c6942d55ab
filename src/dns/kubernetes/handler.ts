// The kubernetes link of the chain: authoritative for the cluster zone and, for the addresses
// it knows, for reverse names; everything else goes to `next` (CoreDNS's `fallthrough` for the
// reverse zones). Records follow the Kubernetes DNS specification 1.1.0.
import { isIPv4, isIPv6 } from 'node:net';
import type { Answer } from 'dns-packet';
import type { ClusterIndex } from '../cluster-index.js';
import { reply, withQuestion, type Handler, type Next, type Request, type Response } from '../message.js';
import { lookupPod, lookupService, type Entry, type PodMode } from './lookup.js';
import { endpointHostname, parseName, reverseToIP } from './names.js';

export interface KubernetesOptions {
  /** Lower case, without trailing dot (default cluster.local). */
  zone?: string;
  ttl?: number;
  pods?: PodMode;
  /** How long an ExternalName target outside the zone may take to resolve before the CNAME goes alone. */
  chaseTimeoutMs?: number;
}

export const SCHEMA_VERSION = '1.1.0';
/** CNAME chains longer than this stop, as CoreDNS stops at 8 records. */
const MAX_CHASE = 8;

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  readonly zone: string;
  private readonly ttl: number;
  private readonly pods: PodMode;
  private readonly chaseTimeoutMs: number;

  constructor(
    private readonly index: ClusterIndex,
    opts: KubernetesOptions = {},
  ) {
    this.zone = (opts.zone ?? 'cluster.local').toLowerCase().replace(/\.$/, '');
    this.ttl = opts.ttl ?? 5;
    this.pods = opts.pods ?? 'insecure';
    this.chaseTimeoutMs = opts.chaseTimeoutMs ?? 2000;
  }

  async serveDNS(req: Request, next: Next): Promise<Response> {
    if (req.qclass !== 'IN' && req.qclass !== 'ANY') return next(req);
    if (req.lname.endsWith('.arpa')) return this.serveReverse(req, next);
    const parsed = parseName(req.lname, this.zone);
    if (!parsed) return next(req);
    if (!this.index.synced()) return reply('SERVFAIL');
    // No zone transfers: CoreDNS serves them only with a `transfer` block, which kube-dns does not need.
    if (req.qtype === 'AXFR' || req.qtype === 'IXFR') return reply('REFUSED');
    return this.serveZone(req, next, 0);
  }

  private async serveZone(req: Request, next: Next, depth: number): Promise<Response> {
    const parsed = parseName(req.lname, this.zone);
    if (!parsed) return next(req);
    switch (parsed.kind) {
      case 'apex':
        if (req.qtype === 'SOA') return this.answer([this.soa()]);
        if (req.qtype === 'NS') return this.answer([this.rr(req.qname, 'NS', `ns.dns.${this.zone}`)], this.nsAddresses(`ns.dns.${this.zone}`, 'ANY'));
        return this.nodata();
      case 'dns-version':
        return req.qtype === 'TXT' ? this.answer([this.rr(req.qname, 'TXT', SCHEMA_VERSION)]) : this.nodata();
      case 'ns': {
        const rrs = this.nsAddresses(req.qname, req.qtype);
        return rrs.length ? this.answer(rrs) : this.nodata();
      }
      case 'invalid':
        return this.nxdomain();
    }
    const entries = parsed.kind === 'svc' ? lookupService(this.index, parsed, this.zone) : lookupPod(this.index, parsed, this.pods);
    const alias = entries?.find((e) => e.alias);
    if (alias) return this.serveAlias(req, next, alias, depth);
    let resp: Response;
    if (entries === undefined) resp = this.nxdomain();
    else {
      const { answers, extra } = this.render(req, entries);
      resp = answers.length ? this.answer(answers, extra) : this.nodata();
    }
    // A Service name's answer depends on that Service, its slices and its namespace only (the
    // SOA serial in a denial may lag by a change, as any cache's would); pods on the namespace.
    if (parsed.namespace !== '' && parsed.kind === 'svc' && parsed.service !== '') resp.cacheScope = `${parsed.namespace}/${parsed.service}`;
    else if (parsed.namespace !== '' && parsed.kind === 'pod' && this.pods === 'insecure') resp.cacheScope = `${parsed.namespace}/`;
    return resp;
  }

  /** Entries to records of the asked type; other types leave the answer empty (NODATA). */
  private render(req: Request, entries: Entry[]): { answers: Answer[]; extra: Answer[] } {
    const answers: Answer[] = [];
    const extra: Answer[] = [];
    const seen = new Set<string>();
    const once = (k: string) => (seen.has(k) ? false : (seen.add(k), true));
    if (req.qtype === 'A' || req.qtype === 'AAAA' || req.qtype === 'ANY') {
      // ANY gets the addresses of both families, the useful part of "everything" (RFC 8482).
      for (const e of entries) {
        const type = isIPv4(e.host) ? 'A' : isIPv6(e.host) ? 'AAAA' : undefined;
        if (type && (req.qtype === 'ANY' || req.qtype === type) && once(e.host)) answers.push(this.rr(req.qname, type, e.host));
      }
    } else if (req.qtype === 'SRV') {
      // One SRV per (port, target): an endpoint with an IPv4 and an IPv6 address is one target.
      const srv = entries.filter((e) => e.port >= 0 && e.target !== '' && once(`${e.port}|${e.target}`));
      const hosts = entries.filter((e) => e.port >= 0 && e.target !== '');
      // Equal priority, weights sharing 100 (CoreDNS: floor(100/n), at least 1).
      const weight = Math.max(1, Math.floor(100 / Math.max(1, srv.length)));
      const extraSeen = new Set<string>();
      for (const e of srv) answers.push({ name: req.qname, type: 'SRV', ttl: this.ttl, data: { priority: 0, weight, port: e.port, target: e.target } });
      for (const e of hosts) {
        if (extraSeen.has(`${e.target}|${e.host}`)) continue;
        extraSeen.add(`${e.target}|${e.host}`);
        extra.push(this.rr(e.target, isIPv6(e.host) ? 'AAAA' : 'A', e.host));
      }
    }
    return { answers, extra };
  }

  /**
   * ExternalName: a CNAME for any type, followed by the target's records of the asked type
   * when they can be had — from this zone directly, or from the rest of the chain (forwarding)
   * within chaseTimeoutMs. A failed chase still returns the CNAME; the client resolves it itself.
   */
  private async serveAlias(req: Request, next: Next, e: Entry, depth: number): Promise<Response> {
    const cname = this.rr(req.qname, 'CNAME', e.host);
    if (req.qtype === 'CNAME' || req.qtype === 'ANY' || depth >= MAX_CHASE || e.host === req.lname) return this.answer([cname]);
    const sub = withQuestion(req, e.host, req.qtype);
    let chased: Response | undefined;
    if (parseName(e.host, this.zone)) {
      chased = await this.serveZone(sub, next, depth + 1);
    } else {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((res) => (timer = setTimeout(() => res(undefined), this.chaseTimeoutMs)));
      chased = await Promise.race([next(sub).catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    const more = chased && chased.rcode === 'NOERROR' ? chased.answers : [];
    const resp = this.answer([cname, ...more], chased?.rcode === 'NOERROR' ? chased.additionals.filter((a) => a.type !== 'OPT') : []);
    // Chased in the zone: still a function of the index; chased upstream: not ours to replay.
    resp.cacheable = chased?.cacheable === true;
    return resp;
  }

  /** The `ns.dns.<zone>` addresses: kube-dns's ClusterIPs, as CoreDNS answers with its own Service's. */
  private nsAddresses(owner: string, qtype: string): Answer[] {
    const svc = this.index.services('kube-system', 'kube-dns')[0];
    const out: Answer[] = [];
    for (const ip of svc?.clusterIPs ?? []) {
      if ((qtype === 'A' || qtype === 'ANY') && isIPv4(ip)) out.push(this.rr(owner, 'A', ip));
      if ((qtype === 'AAAA' || qtype === 'ANY') && isIPv6(ip)) out.push(this.rr(owner, 'AAAA', ip));
    }
    return out;
  }

  private async serveReverse(req: Request, next: Next): Promise<Response> {
    if (req.qtype !== 'PTR') return next(req);
    const ip = reverseToIP(req.lname);
    if (!ip) return next(req);
    // Before sync a miss would go upstream and be cached as NXDOMAIN by clients: fail instead.
    if (!this.index.synced()) return reply('SERVFAIL');
    const names = new Set<string>();
    for (const svc of this.index.servicesByIP(ip)) names.add(`${svc.name}.${svc.namespace}.svc.${this.zone}`);
    for (const slice of this.index.endpointSlicesByIP(ip)) {
      const svc = this.index.services(slice.namespace, slice.service)[0];
      if (!svc || svc.type === 'ExternalName') continue;
      for (const ep of slice.endpoints) {
        if (!ep.addresses.includes(ip) || (!ep.ready && !svc.publishNotReadyAddresses)) continue;
        names.add(`${endpointHostname(ip, ep.hostname)}.${svc.name}.${svc.namespace}.svc.${this.zone}`);
      }
    }
    if (names.size === 0) return next(req);
    return this.answer([...names].map((n) => this.rr(req.qname, 'PTR', n)));
  }

  private rr(name: string, type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS' | 'TXT', data: string): Answer {
    return { name, type, ttl: this.ttl, data } as Answer;
  }

  /** The zone's SOA as CoreDNS builds it; serial moves with the cluster, TTL is the minimum. */
  soa(): Answer {
    return {
      name: this.zone,
      type: 'SOA',
      ttl: Math.min(this.ttl, 300),
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.index.modified() >>> 0,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  private answer(answers: Answer[], additionals: Answer[] = []): Response {
    return reply('NOERROR', { aa: true, answers, additionals, cacheable: true });
  }
  private nodata(): Response {
    return reply('NOERROR', { aa: true, authorities: [this.soa()], cacheable: true });
  }
  private nxdomain(): Response {
    return reply('NXDOMAIN', { aa: true, authorities: [this.soa()], cacheable: true });
  }
}
