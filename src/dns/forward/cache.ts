// The cache in front of the upstreams (CoreDNS `cache 30`, as kubeadm's Corefile has it):
// positive answers for their smallest TTL, denials (NXDOMAIN, NODATA) for the SOA's negative
// TTL, both capped; TTLs handed out count down. Truncated and failed answers are not kept.
import type { Answer } from 'dns-packet';
import type { Response } from '../message.js';

export interface CacheOptions {
  maxEntries?: number;
  /** Seconds; CoreDNS's `cache 30` caps both at 30. */
  maxTTL?: number;
  maxNegativeTTL?: number;
  now?: () => number;
}

interface Item {
  stored: number;
  expires: number;
  resp: Response;
}

export class ResponseCache {
  private readonly items = new Map<string, Item>();
  private readonly maxEntries: number;
  private readonly maxTTL: number;
  private readonly maxNegativeTTL: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(opts: CacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10000;
    this.maxTTL = opts.maxTTL ?? 30;
    this.maxNegativeTTL = opts.maxNegativeTTL ?? 30;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): Response | undefined {
    const it = this.items.get(key);
    const now = this.now();
    if (!it || it.expires <= now) {
      if (it) this.items.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    const elapsed = Math.floor((now - it.stored) / 1000);
    const age = (rrs: Answer[]) => rrs.map((rr) => (rr.type === 'OPT' ? rr : { ...rr, ttl: Math.max(0, ((rr as { ttl?: number }).ttl ?? 0) - elapsed) })) as Answer[];
    return { ...it.resp, answers: age(it.resp.answers), authorities: age(it.resp.authorities), additionals: age(it.resp.additionals) };
  }

  set(key: string, resp: Response): void {
    if (resp.tc) return;
    const ttl = this.ttlFor(resp);
    if (ttl <= 0) return;
    if (this.items.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.items.keys().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
    const now = this.now();
    // Nobody downstream may keep a record longer than we do.
    const clamp = (rrs: Answer[]) => rrs.map((rr) => (rr.type === 'OPT' ? rr : { ...rr, ttl: Math.min(ttl, (rr as { ttl?: number }).ttl ?? 0) })) as Answer[];
    const kept = { ...resp, answers: clamp(resp.answers), authorities: clamp(resp.authorities), additionals: clamp(resp.additionals) };
    this.items.set(key, { stored: now, expires: now + ttl * 1000, resp: kept });
  }

  private ttlFor(resp: Response): number {
    const ttlOf = (rr: Answer) => (rr as { ttl?: number }).ttl ?? 0;
    if (resp.rcode === 'NOERROR' && resp.answers.length) {
      return Math.min(this.maxTTL, ...resp.answers.map(ttlOf));
    }
    if (resp.rcode === 'NXDOMAIN' || (resp.rcode === 'NOERROR' && resp.answers.length === 0)) {
      // RFC 2308: the negative TTL is the smaller of the SOA's TTL and its minimum field.
      const soa = resp.authorities.find((rr) => rr.type === 'SOA');
      if (!soa || soa.type !== 'SOA') return 0;
      return Math.min(this.maxNegativeTTL, ttlOf(soa), soa.data.minimum ?? 0);
    }
    return 0;
  }
}
