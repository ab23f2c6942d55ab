// The LoadBalancer address pool (--lb-pool): one or more IPv4 CIDRs or `first-last` ranges,
// comma-separated, as MetalLB's address pools are written. A CIDR's network and broadcast
// addresses are left out (MetalLB's avoid-buggy-ips), so 127.240.0.0/24 hands out .1 to .254;
// a range is used exactly as given.
import { formatIPv4, parseIPv4 as parseDottedQuad } from '../../util/ipv4.js';

export interface IPRange {
  first: number;
  last: number;
}

export interface LBPool {
  /** As the user wrote it, for messages. */
  text: string;
  ranges: IPRange[];
  size: number;
}

export class PoolParseError extends Error {}

/** A dotted-quad IPv4 address (surrounding blanks allowed) as a number, or undefined when it is not one. */
export function parseIPv4(s: string): number | undefined {
  return parseDottedQuad(s.trim());
}

export { formatIPv4 };

function parseEntry(entry: string, whole: string): IPRange {
  const bad = (why: string) => new PoolParseError(`invalid LoadBalancer pool ${JSON.stringify(whole)}: ${why}`);
  const slash = entry.indexOf('/');
  if (slash >= 0) {
    const base = parseIPv4(entry.slice(0, slash));
    const bitsText = entry.slice(slash + 1);
    const bits = /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : NaN;
    if (base === undefined || !(bits >= 0 && bits <= 32)) throw bad(`${JSON.stringify(entry)} is not an IPv4 CIDR such as 127.240.0.0/24`);
    const size = 2 ** (32 - bits);
    const first = Math.floor(base / size) * size;
    const last = first + size - 1;
    // Network and broadcast addresses trip up some clients; /31 and /32 have none.
    return bits <= 30 ? { first: first + 1, last: last - 1 } : { first, last };
  }
  const dash = entry.indexOf('-');
  if (dash >= 0) {
    const first = parseIPv4(entry.slice(0, dash));
    const last = parseIPv4(entry.slice(dash + 1));
    if (first === undefined || last === undefined) throw bad(`${JSON.stringify(entry)} is not an IPv4 range such as 127.240.0.10-127.240.0.20`);
    if (first > last) throw bad(`range ${JSON.stringify(entry)} ends before it starts`);
    return { first, last };
  }
  const ip = parseIPv4(entry);
  if (ip === undefined) throw bad(`${JSON.stringify(entry)} is neither a CIDR nor a range`);
  return { first: ip, last: ip };
}

export function parseLBPool(text: string): LBPool {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new PoolParseError(`invalid LoadBalancer pool ${JSON.stringify(text)}: it is empty`);
  const ranges = entries.map((e) => parseEntry(e, text)).sort((a, b) => a.first - b.first);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.first <= ranges[i - 1]!.last) throw new PoolParseError(`invalid LoadBalancer pool ${JSON.stringify(text)}: its ranges overlap`);
  }
  return { text, ranges, size: ranges.reduce((a, r) => a + (r.last - r.first + 1), 0) };
}

export function poolContains(pool: LBPool, ip: string): boolean {
  const n = parseIPv4(ip);
  return n !== undefined && pool.ranges.some((r) => n >= r.first && n <= r.last);
}
