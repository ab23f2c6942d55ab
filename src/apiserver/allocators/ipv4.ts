// IPv4 address and CIDR arithmetic on unsigned 32-bit numbers; the service CIDR is IPv4 only.
import { formatIPv4, parseIPv4 } from '../../util/ipv4.js';

export interface IPv4CIDR {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
  /** Number of addresses in the CIDR, including network and broadcast. */
  size: number;
}

export { formatIPv4, parseIPv4 };

export function isIPv6(s: string): boolean {
  return s.includes(':');
}

/** Parses `a.b.c.d/n` into its masked network, as net.ParseCIDR does. */
export function parseIPv4CIDR(s: string): IPv4CIDR {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  const ip = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) {
    throw new Error(`invalid IPv4 CIDR address: ${s}`);
  }
  const size = 2 ** (32 - prefix);
  const base = ip - (ip % size);
  return { base, prefix, size };
}

export function formatCIDR(c: IPv4CIDR): string {
  return `${formatIPv4(c.base)}/${c.prefix}`;
}

/** The n-th address of a CIDR (0 is the network address), as netutils.GetIndexedIP. */
export function indexedIP(cidr: string, n: number): string {
  const c = parseIPv4CIDR(cidr);
  if (!Number.isInteger(n) || n < 0 || n >= c.size) {
    throw new Error(`can't generate IP with index ${n} from subnet. subnet too small. subnet: ${formatCIDR(c)}`);
  }
  return formatIPv4(c.base + n);
}
